#!/usr/bin/env python3
"""Reference values for MLXCore's op tests, computed with numpy (an independent implementation).

Writes Tests/MLXCoreTests/Fixtures/ops.json: for each case, its inputs (shape + flat float64 data,
channels-last layouts as MLX uses them), parameters, and the expected output. Deterministic.

    python3 scripts/make_op_fixtures.py
"""
import json
import math
import os

import numpy as np

rng = np.random.default_rng(20261125)
cases = {}


def tensor(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(x) for x in a.ravel()]}


def add(name, inputs, output, **params):
    cases[name] = {"inputs": {k: tensor(v) for k, v in inputs.items()}, "params": params, "output": tensor(output)}


def normal(*shape):
    return rng.standard_normal(shape).astype(np.float32).astype(np.float64)


x = normal(3, 4)
positive = np.abs(normal(3, 4)) + 0.1
erf = np.vectorize(math.erf)
for name, fn, arg in [
    ("exp", np.exp, x), ("log", np.log, positive), ("sqrt", np.sqrt, positive), ("rsqrt", lambda a: 1 / np.sqrt(a), positive),
    ("tanh", np.tanh, x), ("sigmoid", lambda a: 1 / (1 + np.exp(-a)), x), ("erf", erf, x), ("sin", np.sin, x),
    ("cos", np.cos, x), ("abs", np.abs, x), ("floor", np.floor, x * 3), ("square", np.square, x),
    ("log1p", np.log1p, positive), ("expm1", np.expm1, x),
]:
    add(f"unary_{name}", {"a": arg}, fn(arg))

a, b = normal(2, 3, 4), normal(3, 1)
for name, fn in [("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply), ("maximum", np.maximum), ("minimum", np.minimum)]:
    add(f"binary_{name}", {"a": a, "b": b}, fn(a, b))
add("binary_divide", {"a": a, "b": np.abs(b) + 0.5}, a / (np.abs(b) + 0.5))
add("binary_power", {"a": np.abs(a) + 0.1, "b": b}, np.power(np.abs(a) + 0.1, b))

r = normal(2, 3, 5)
add("reduce_sum_axis1", {"a": r}, r.sum(axis=1), axes=[1])
add("reduce_mean_axes02_keep", {"a": r}, r.mean(axis=(0, 2), keepdims=True), axes=[0, 2], keepdims=True)
add("reduce_max_all", {"a": r}, r.max())
add("reduce_min_axis2", {"a": r}, r.min(axis=2), axes=[2])
add("reduce_prod_axis0", {"a": r}, r.prod(axis=0), axes=[0])
add("reduce_var_ddof0", {"a": r}, r.var(axis=(1, 2)), axes=[1, 2], ddof=0)
add("reduce_var_ddof1", {"a": r}, r.var(axis=2, ddof=1), axes=[2], ddof=1)
add("reduce_logsumexp_axis2", {"a": r}, np.log(np.exp(r).sum(axis=2)), axes=[2])
add("reduce_argmax_axis2", {"a": r}, r.argmax(axis=2), axes=[2])
e = np.exp(r - r.max(axis=-1, keepdims=True))
add("softmax_last", {"a": r}, e / e.sum(axis=-1, keepdims=True))
add("cumsum_axis1", {"a": r}, np.cumsum(r, axis=1), axis=1)

m1, m2 = normal(2, 1, 3, 4), normal(3, 4, 5)
add("matmul_broadcast", {"a": m1, "b": m2}, np.matmul(m1, m2))


def conv_nd(x, w, stride, pad, dilation, groups):
    """Cross-correlation, channels-last x [N, S..., C], w [O, K..., C/groups] (MLX's layout)."""
    nd = x.ndim - 2
    x = np.pad(x, [(0, 0)] + [(p, p) for p in pad] + [(0, 0)])
    n, c, o = x.shape[0], x.shape[-1], w.shape[0]
    k = w.shape[1:-1]
    out_sizes = [(x.shape[1 + i] - dilation[i] * (k[i] - 1) - 1) // stride[i] + 1 for i in range(nd)]
    out = np.zeros([n] + out_sizes + [o])
    cg, og = c // groups, o // groups
    for idx in np.ndindex(*out_sizes):
        for kidx in np.ndindex(*k):
            pos = tuple(idx[i] * stride[i] + kidx[i] * dilation[i] for i in range(nd))
            patch = x[(slice(None),) + pos]  # [N, C]
            for g in range(groups):
                out[(slice(None),) + idx + (slice(g * og, (g + 1) * og),)] += (
                    patch[:, g * cg:(g + 1) * cg] @ w[(slice(g * og, (g + 1) * og),) + kidx].T)
    return out


x1, w1 = normal(2, 9, 4), normal(6, 3, 2)
add("conv1d_stride2_pad1_groups2", {"x": x1, "w": w1}, conv_nd(x1, w1, [2], [1], [1], 2), stride=2, padding=1, dilation=1, groups=2)
x2, w2 = normal(2, 7, 6, 3), normal(4, 3, 3, 3)
add("conv2d_pad1", {"x": x2, "w": w2}, conv_nd(x2, w2, [1, 1], [1, 1], [1, 1], 1), stride=1, padding=1, dilation=1, groups=1)
add("conv2d_stride2_dilation2", {"x": x2, "w": w2}, conv_nd(x2, w2, [2, 2], [2, 2], [2, 2], 1), stride=2, padding=2, dilation=2, groups=1)
x3, w3 = normal(1, 4, 5, 4, 2), normal(3, 2, 2, 2, 2)
add("conv3d_pad1", {"x": x3, "w": w3}, conv_nd(x3, w3, [1, 1, 1], [1, 1, 1], [1, 1, 1], 1), stride=1, padding=1, dilation=1, groups=1)


def conv_transpose2d(x, w, stride, pad):
    """Transposed conv by its definition, as PyTorch's conv_transpose2d: each input pixel scatters
    input · kernel into the output (the adjoint of the strided cross-correlation, so no kernel
    flip), weight [O, kH, kW, C] (PyTorch's [C, O, kH, kW] moved to channels-last)."""
    n, h, wd, c = x.shape
    o, kh, kw, _ = w.shape
    full = np.zeros((n, (h - 1) * stride + kh, (wd - 1) * stride + kw, o))
    for i in range(h):
        for j in range(wd):
            full[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :] += np.einsum(
                "nc,oyxc->nyxo", x[:, i, j, :], w)
    return full[:, pad:full.shape[1] - pad, pad:full.shape[2] - pad, :]


xt, wt = normal(2, 3, 4, 3), normal(5, 3, 3, 3)
add("conv_transpose2d_stride2_pad1", {"x": xt, "w": wt}, conv_transpose2d(xt, wt, 2, 1), stride=2, padding=1)

src = normal(4, 3)
add("take_axis0", {"a": src, "indices": np.array([3, 0, 0, 2])}, src[[3, 0, 0, 2]], axis=0)
idx = np.array([[0, 2], [1, 1], [2, 0], [0, 0]])
add("take_along_axis1", {"a": src, "indices": idx}, np.take_along_axis(src, idx, axis=1), axis=1)
scatter = np.zeros((4, 3))
vals = normal(4, 2)
np.add.at(scatter, (np.arange(4)[:, None], idx), vals)
add("scatter_add_axis1", {"a": np.zeros((4, 3)), "indices": idx, "values": vals}, scatter, axis=1)

p = normal(2, 3)
add("pad_constant", {"a": p}, np.pad(p, [(1, 0), (0, 2)], constant_values=0.5), axes=[0, 1], low=[1, 0], high=[0, 2], value=0.5)
add("pad_edge", {"a": p}, np.pad(p, [(0, 0), (2, 1)], mode="edge"), axes=[1], low=[2], high=[1], mode="edge")
s = normal(4, 6)
add("slice_strided", {"a": s}, s[1:4:2, 0:6:3], start=[1, 0], stop=[4, 6], strides=[2, 3])
add("transpose_120", {"a": r}, r.transpose(1, 2, 0), axes=[1, 2, 0])

ln = normal(2, 3, 8)
gamma, beta = normal(8), normal(8)
mu, var = ln.mean(-1, keepdims=True), ln.var(-1, keepdims=True)
add("layer_norm", {"x": ln, "weight": gamma, "bias": beta}, (ln - mu) / np.sqrt(var + 1e-5) * gamma + beta, eps=1e-5)
add("rms_norm", {"x": ln, "weight": gamma}, ln / np.sqrt((ln ** 2).mean(-1, keepdims=True) + 1e-5) * gamma, eps=1e-5)

q, k, v = normal(1, 2, 3, 4), normal(1, 2, 5, 4), normal(1, 2, 5, 4)
mask = normal(1, 1, 3, 5)
for name, msk in [("sdpa", None), ("sdpa_mask", mask)]:
    scores = q @ k.transpose(0, 1, 3, 2) * 0.5 + (0 if msk is None else msk)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    inputs = {"q": q, "k": k, "v": v} | ({} if msk is None else {"mask": msk})
    add(name, inputs, weights @ v, scale=0.5)

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "MLXCoreTests", "Fixtures", "ops.json")
with open(out, "w") as f:
    json.dump(cases, f, separators=(",", ":"), sort_keys=True)
print(f"wrote {len(cases)} cases to {os.path.normpath(out)} ({os.path.getsize(out)} bytes)")
