#!/usr/bin/env python3
"""Measures a toy edit (docs/EDITING.md): how much the background changed and where alpha is.

    python3 scripts/edit_metrics.py INPUT.png RUN_FOLDER
prints: background mean |composite - input| (fraction of full scale), mean alpha inside the object
and outside it, their ratio. The object is every input pixel that is not near-white (the toy
world's background), grown by one pixel so anti-aliased edges count as object.
"""
import sys

import numpy as np
from PIL import Image


def load(path):
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.float64) / 255


def main():
    source, run = sys.argv[1], sys.argv[2]
    picture, composite, alpha = load(source), load(f"{run}/composite.png"), load(f"{run}/alpha.png")[..., 0]
    obj = (1 - picture.min(axis=2)) > 0.08
    grown = obj.copy()
    for dy, dx in [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, 1), (-1, 1), (1, -1)]:
        grown |= np.roll(np.roll(obj, dy, 0), dx, 1)
    background = ~grown
    change = np.abs(composite - picture).mean(axis=2)
    inside, outside = alpha[obj].mean(), alpha[background].mean()
    print(f"background_change {change[background].mean():.4f}  alpha_inside {inside:.3f}  alpha_outside {outside:.3f}  "
          f"ratio {inside / max(outside, 1e-6):.2f}")


if __name__ == "__main__":
    main()
