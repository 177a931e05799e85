"""Reference trajectories of optimisers the project re-implements, from their own packages.

MADGRAD (facebookresearch/madgrad, the PyPI package `madgrad`, which Text2LIVE trains with): two
parameters, five steps with given gradients, momentum 0.9 and 0, with and without weight decay.
Writes Tests/NNTests/Fixtures/madgrad_reference.json: the initial values, each step's gradients and
each step's resulting values. Run:
    python3 -m pip install --no-deps --target /tmp/refsite-opt madgrad==1.3   (torch from requirements-reference.txt)
    PYTHONPATH=/tmp/refsite:/tmp/refsite-opt python3 scripts/make_optimizer_reference.py
"""
import json
import pathlib

import torch
from madgrad import MADGRAD

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/NNTests/Fixtures/madgrad_reference.json"


def trajectory(momentum, weight_decay, lr, steps=5):
    torch.manual_seed(0)
    weight = torch.nn.Parameter(torch.randn(3, 2))
    bias = torch.nn.Parameter(torch.randn(4))
    initial = {"weight": weight.detach().flatten().tolist(), "bias": bias.detach().tolist()}
    optimizer = MADGRAD([weight, bias], lr=lr, momentum=momentum, weight_decay=weight_decay)
    records = []
    for step in range(steps):
        optimizer.zero_grad()
        # A loss whose gradients change sign and scale over the steps (so ν, s and x0 all matter).
        loss = (torch.sin(weight * (step + 1)) * 3).sum() + ((bias - 0.5 * step) ** 2).sum()
        loss.backward()
        gradients = {"weight": weight.grad.flatten().tolist(), "bias": bias.grad.tolist()}
        optimizer.step()
        records.append({"gradients": gradients,
                        "values": {"weight": weight.detach().flatten().tolist(), "bias": bias.detach().tolist()}})
    return {"momentum": momentum, "weight_decay": weight_decay, "lr": lr, "shapes": {"weight": [3, 2], "bias": [4]},
            "initial": initial, "steps": records}


cases = [trajectory(0.9, 0.0, 0.0025), trajectory(0.0, 0.0, 0.01), trajectory(0.9, 0.05, 0.02)]
import importlib.metadata  # noqa: E402

OUT.write_text(json.dumps({"source": "madgrad " + importlib.metadata.version("madgrad"), "cases": cases}, indent=1))
print("wrote", OUT)
