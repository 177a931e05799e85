#!/usr/bin/env python3
"""Loss curves of `latent-prior optimize` runs as one PNG (pillow only): one panel per column of
losses.csv that is asked for, one line per run, a moving average to make the trend readable.

    PYTHONPATH=/tmp/refsite python3 scripts/plot_losses.py --output curves.png \
        --columns lsd kl grad_norm_lsd --label "LSD only" runs/a/losses.csv --label "+FM+KL" runs/b/losses.csv
"""
import argparse
import csv
import math

from PIL import Image, ImageDraw

COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75)]


def read(path):
    with open(path) as handle:
        rows = list(csv.DictReader(handle))
    def numeric(key):
        try:
            return [float(row[key]) for row in rows]
        except ValueError:  # text columns (text-to-3d's view and stage) are not plotted
            return None
    columns = {key: numeric(key) for key in rows[0]}
    return {key: values for key, values in columns.items() if values is not None}


def smooth(values, window):
    out, total = [], 0.0
    for index, value in enumerate(values):
        total += value
        if index >= window:
            total -= values[index - window]
        out.append(total / min(index + 1, window))
    return out


def panel(draw, box, title, series, log_scale):
    left, top, right, bottom = box
    draw.rectangle(box, outline=(0, 0, 0))
    draw.text((left + 6, top + 4), title + (" (log)" if log_scale else ""), fill=(0, 0, 0))
    values = [v for _, ys in series for v in ys if (v > 0 or not log_scale) and math.isfinite(v)]
    if not values:
        return
    transform = (lambda v: math.log10(v)) if log_scale else (lambda v: v)
    low, high = transform(min(values)), transform(max(values))
    if high - low < 1e-12:
        high = low + 1
    draw.text((left + 6, top + 18), f"{max(values):.3g}", fill=(90, 90, 90))
    draw.text((left + 6, bottom - 16), f"{min(values):.3g}", fill=(90, 90, 90))
    for colour, ys in series:
        points = []
        for index, value in enumerate(ys):
            if (log_scale and value <= 0) or not math.isfinite(value):
                continue
            x = left + 50 + (right - left - 60) * index / max(len(ys) - 1, 1)
            y = bottom - 10 - (bottom - top - 40) * (transform(value) - low) / (high - low)
            points.append((x, y))
        if len(points) > 1:
            draw.line(points, fill=colour, width=2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", required=True)
    parser.add_argument("--columns", nargs="+", default=["lsd", "fm", "kl"])
    parser.add_argument("--window", type=int, default=10, help="moving-average window (steps)")
    parser.add_argument("--linear", action="store_true", help="linear instead of log10 y axes")
    parser.add_argument("--label", action="append", required=True, help="legend label of the next CSV")
    parser.add_argument("csvs", nargs="+")
    args = parser.parse_intermixed_args()
    if len(args.label) != len(args.csvs):
        parser.error("give one --label per CSV")
    runs = [read(path) for path in args.csvs]
    width, height = 420 * len(args.columns), 340
    image = Image.new("RGB", (width, height + 24 * len(runs)), "white")
    draw = ImageDraw.Draw(image)
    for index, column in enumerate(args.columns):
        series = [(COLOURS[i % len(COLOURS)], smooth(run[column], args.window)) for i, run in enumerate(runs) if column in run]
        panel(draw, (index * 420 + 5, 5, index * 420 + 415, height - 5), column, series, not args.linear)
    for i, label in enumerate(args.label):
        y = height + 6 + 24 * i
        draw.line([(12, y + 6), (42, y + 6)], fill=COLOURS[i % len(COLOURS)], width=3)
        draw.text((50, y), label, fill=(0, 0, 0))
    image.save(args.output)


if __name__ == "__main__":
    main()
