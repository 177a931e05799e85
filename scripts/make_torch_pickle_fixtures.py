#!/usr/bin/env python3
"""Fixtures for the restricted torch.save reader (Tests/FormatsTests/Fixtures).

  checkpoint.pt / checkpoint-legacy.pt   torch.save of a rosinality-like dict in the zip and the
      legacy format: 'model' (an OrderedDict of tensors: float32/16, bfloat16, float64, int64/32/8,
      uint8, bool; a transposed (non-contiguous) view; two tensors sharing one storage at an offset; a
      0-d tensor; an empty tensor; an nn.Parameter), 'args' (argparse.Namespace), 'optim' (an Adam
      state_dict), 'step' (an int), 'name' (a str), 'ratio' (a float), 'raw' (bytes)
  checkpoint.expected.safetensors        the same tensors, contiguous, under their dotted keys
      (bfloat16, float64 and bool stored as float32 / uint8, compared after conversion)
  hostile-system.pt          a torch.save zip whose data.pkl calls os.system
  hostile-system.pkl         a bare pickle calling posix.system through REDUCE
  hostile-truncated.pt       checkpoint.pt cut in half
  hostile-missing-storage.pt a zip whose data.pkl names storage '99', which the archive lacks
  hostile-short-storage.pt   a zip whose storage '0' is shorter than its numel claims
  pickle-pN.pkl + pickles.json   plain Python values pickled with protocols 0–5 and their expected values

    PYTHONPATH=/tmp/refsite python3 scripts/make_torch_pickle_fixtures.py
"""
import argparse
import collections
import io
import json
import os
import pickle
import zipfile

import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "FormatsTests", "Fixtures")


def checkpoint():
    g = torch.Generator().manual_seed(0)
    base = torch.randn(6, 4, generator=g)
    shared = torch.arange(20, dtype=torch.float32)
    model = collections.OrderedDict()
    model["conv.weight"] = torch.randn(3, 2, 3, 3, generator=g)
    model["conv.bias"] = torch.randn(3, generator=g).half()
    model["norm.weight"] = torch.randn(5, generator=g).to(torch.bfloat16)
    model["scale"] = torch.tensor(2.5, dtype=torch.float64)
    model["steps"] = torch.tensor([1, -2, 3], dtype=torch.int64)
    model["ids"] = torch.tensor([[7, 8], [9, -10]], dtype=torch.int32)
    model["small"] = torch.tensor([-3, 4], dtype=torch.int8)
    model["pixels"] = torch.tensor([0, 128, 255], dtype=torch.uint8)
    model["mask"] = torch.tensor([True, False, True])
    model["transposed"] = base.t()
    model["window.a"] = shared[2:8]
    model["window.b"] = shared[10:20].view(2, 5)
    model["zero_d"] = torch.tensor(0.25)
    model["empty"] = torch.zeros(0, 3)
    model["parameter"] = torch.nn.Parameter(torch.randn(2, 2, generator=g))
    layer = torch.nn.Linear(2, 2)
    optim = torch.optim.Adam(layer.parameters())
    layer(torch.ones(1, 2)).sum().backward()
    optim.step()
    return {"model": model, "args": argparse.Namespace(size=16, lr=0.002, name="toy"), "optim": optim.state_dict(),
            "step": 1234, "name": "checkpoint", "ratio": 0.5, "raw": b"\x00\x01\xff"}


def expected(ckpt):
    flat = {}
    for key, value in ckpt["model"].items():
        value = value.detach().contiguous().clone()
        if value.dtype in (torch.bfloat16, torch.float64):  # MLX's safetensors reader has no F64
            value = value.float()
        if value.dtype == torch.bool:
            value = value.to(torch.uint8)
        flat[f"model.{key}"] = value
    return flat


class System:
    """Pickles as a call of os.system (what a malicious checkpoint does)."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


def rewrite_zip(source, target, edit):
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zout:
        for item in zin.infolist():
            data = edit(item.filename, zin.read(item.filename))
            if data is not None:
                zout.writestr(item.filename, data)


def main():
    os.makedirs(OUT, exist_ok=True)
    ckpt = checkpoint()
    zip_path = os.path.join(OUT, "checkpoint.pt")
    torch.save(ckpt, zip_path)
    torch.save(ckpt, os.path.join(OUT, "checkpoint-legacy.pt"), _use_new_zipfile_serialization=False)
    save_file(expected(ckpt), os.path.join(OUT, "checkpoint.expected.safetensors"))

    # Hostile files.
    buffer = io.BytesIO()
    torch.save({"weights": torch.zeros(2), "payload": System()}, buffer)
    with open(os.path.join(OUT, "hostile-system.pt"), "wb") as f:
        f.write(buffer.getvalue())
    with open(os.path.join(OUT, "hostile-system.pkl"), "wb") as f:
        f.write(pickle.dumps(System(), protocol=2))
    data = open(zip_path, "rb").read()
    with open(os.path.join(OUT, "hostile-truncated.pt"), "wb") as f:
        f.write(data[: len(data) // 2])
    rewrite_zip(zip_path, os.path.join(OUT, "hostile-missing-storage.pt"),
                lambda name, body: None if name.endswith("/data/0") else body)
    rewrite_zip(zip_path, os.path.join(OUT, "hostile-short-storage.pt"),
                lambda name, body: body[:5] if name.endswith("/data/0") else body)

    # Plain values through every protocol.
    value = {"int": 7, "negative": -300000, "big": 2 ** 70, "float": 1.5, "text": "héllo", "bytes": b"ab\x00",
             "list": [1, 2, 3], "tuple": (True, False, None), "nested": {"a": [1.0, {"b": "c"}]}, "set": {1, 2}}
    described = {"int": 7, "negative": -300000, "float": 1.5, "text": "héllo", "list": [1, 2, 3], "nested_b": "c"}
    for protocol in range(0, 6):
        with open(os.path.join(OUT, f"pickle-p{protocol}.pkl"), "wb") as f:
            f.write(pickle.dumps(value, protocol=protocol))
    with open(os.path.join(OUT, "pickles.json"), "w") as f:
        json.dump(described, f, ensure_ascii=False, indent=1)
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
