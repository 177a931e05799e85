#!/usr/bin/env python3
"""Feeds mutated files to the `latent-prior` CLI the way a stranger's downloads would meet it, and
counts what happened: clean one-line errors, accepted files, crashes, hangs, large allocations and
unclear messages (docs/RELIABILITY.md holds the table this prints).

    python3 scripts/mutation_campaign.py --runs 12000 --jobs 2 [--seed 1] [--keep DIR]

Kinds (each a seed file, a mutator and the command that reads it):
  safetensors-inspect   a safetensors file                    → inspect FILE
  safetensors-inputs    forward's --inputs                    → forward unet --inputs FILE
  safetensors-weights   a model folder's UNet weights         → forward unet --model FOLDER
  config-unet/vae/text-encoder/scheduler   a component config → forward / generate on the folder
  tokenizer             vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json → tokenize
  png                   a picture                             → judge-toy FILE, grid FILE FILE
  torch                 torch.save zip and legacy files, .ckpt → inspect FILE

Mutations: bit flips, byte runs, truncation, duplicated or deleted ranges, 1/2/4/8-byte integers set to
boundary values; for JSON (configs, tokenizer files, the safetensors header) values replaced by hostile
ones (0, -1, 2^31, 2^40, 1e30, 32.5, huge lists and strings, wrong types, duplicated keys); for PNG the
IHDR size with a valid CRC. Every outcome is classified from the exit status, stderr and the child's
peak RSS (wait4). Only the Python standard library is used.
"""
import argparse
import copy
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build/release/latent-prior")
TINY = os.path.join(ROOT, "Tests/DiffusionTests/Fixtures/tiny-sd1")
HANG_SECONDS = 20
BIG_RSS_BYTES = 4 << 30
# Words that mean a library's internals reached the user instead of our message.
INTERNALS = ["json.exception", "NSCocoaErrorDomain", "could not be completed", "The data couldn", "terminate called",
             "Fatal error", "std::", "libc++", "Swift/", "[bits]", "[load_safetensors]", "Assertion"]

BOUNDARY_INTS = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFFFFFFFFFF]
HOSTILE_JSON = [0, -1, 1, 2 ** 31, 2 ** 32 + 3, 2 ** 40, 2 ** 63, 2 ** 64 + 1, 1e30, -1e30, 32.5, 1e-300, None, True, False,
                "", "x" * 5000, [], [0], [2 ** 31, 1], [-1, -1], list(range(200000)), {}, {"a": 1}, "NaN", "../../etc/passwd"]


# ----------------------------------------------------------------------------- mutators
def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.choice([1, 1, 1, 2, 3, 8])):
        op = rng.randrange(7)
        if not b:
            b = bytearray(rng.randbytes(rng.randrange(1, 64)))
            continue
        at = rng.randrange(len(b))
        if op == 0:
            b[at] ^= 1 << rng.randrange(8)
        elif op == 1:
            n = rng.randrange(1, 17)
            b[at:at + n] = bytes([rng.choice([0, 0xFF, 0x7F, 0x80, rng.randrange(256)])]) * n
        elif op == 2:
            del b[rng.randrange(len(b)):]
        elif op == 3:
            n = rng.randrange(1, 1 + min(256, len(b) - at))
            b[at:at] = b[at:at + n]
        elif op == 4:
            n = rng.randrange(1, 1 + min(256, len(b) - at))
            del b[at:at + n]
        else:
            size = rng.choice([1, 2, 4, 8])
            value = rng.choice(BOUNDARY_INTS) & ((1 << (8 * size)) - 1)
            packed = value.to_bytes(size, rng.choice(["little", "big"]))
            b[at:at + size] = packed
    return bytes(b)


def hostile(rng: random.Random):
    """A fresh hostile value (a shared list inserted twice and then mutated would make the document circular)."""
    return copy.deepcopy(rng.choice(HOSTILE_JSON))


def mutate_json_value(value, rng: random.Random):
    """Replaces one value somewhere in a JSON document by a hostile one."""
    if isinstance(value, dict) and value:
        key = rng.choice(list(value))
        if rng.random() < 0.35 or not isinstance(value[key], (dict, list)):
            choice = rng.random()
            if choice < 0.1:
                del value[key]
            else:
                value[key] = hostile(rng)
        else:
            value[key] = mutate_json_value(value[key], rng)
        return value
    if isinstance(value, list) and value:
        index = rng.randrange(len(value))
        if rng.random() < 0.5 or not isinstance(value[index], (dict, list)):
            value[index] = hostile(rng)
        else:
            value[index] = mutate_json_value(value[index], rng)
        return value
    return hostile(rng)


def mutate_json(data: bytes, rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.25:
        return mutate_bytes(data, rng)
    try:
        document = json.loads(data)
    except ValueError:
        return mutate_bytes(data, rng)
    for _ in range(rng.choice([1, 1, 2, 3])):
        document = mutate_json_value(document, rng)
    text = json.dumps(document)
    if roll > 0.9 and text.startswith("{") and len(text) > 2:
        # A duplicated key: JSON parsers keep the last one silently.
        first = text[1:].split(",", 1)[0]
        text = "{" + first + "," + text[1:]
    return text.encode()


def mutate_safetensors(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 8 or rng.random() < 0.4:
        return mutate_bytes(data, rng)
    (length,) = struct.unpack("<Q", data[:8])
    header, rest = data[8:8 + length], data[8 + length:]
    header = mutate_json(header, rng)
    if rng.random() < 0.1:
        rest = rest[: rng.randrange(len(rest) + 1)]
    return struct.pack("<Q", len(header)) + header + rest


def mutate_png(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.3 and len(data) > 33:
        width, height = rng.choice([(2 ** 31 - 1, 2 ** 31 - 1), (65536, 65536), (100000, 100000), (16000, 16000),
                                    (0, 64), (64, 0), (1, 1 << 30), (64, 65)])
        ihdr = bytearray(data[12:29])
        ihdr[4:12] = struct.pack(">II", width, height)
        body = bytes(ihdr) + struct.pack(">I", zlib.crc32(bytes(ihdr)))
        return data[:12] + body + data[33:]
    return mutate_bytes(data, rng)


# ----------------------------------------------------------------------------- kinds
class Kind:
    def __init__(self, name, seeds, mutate, command, target_name):
        self.name, self.seeds, self.mutate, self.command, self.target_name = name, seeds, mutate, command, target_name


def model_copy(work, replaced_relative, data):
    """A copy of the tiny model folder (symlinks) with one file replaced."""
    folder = os.path.join(work, "model")
    for dirpath, _, files in os.walk(TINY):
        relative = os.path.relpath(dirpath, TINY)
        if relative.startswith("reference"):
            continue
        os.makedirs(os.path.join(folder, relative), exist_ok=True)
        for name in files:
            target = os.path.join(folder, relative, name)
            if os.path.normpath(os.path.join(relative, name)) == replaced_relative:
                with open(target, "wb") as f:
                    f.write(data)
            else:
                os.symlink(os.path.join(dirpath, name), target)
    return folder


def make_kinds(seed_folder):
    def read(path):
        with open(path, "rb") as f:
            return f.read()

    ref = os.path.join(TINY, "reference")
    kinds = []

    def single(name, seeds, mutate, make_args, suffix):
        def command(work, data):
            path = os.path.join(work, "input" + suffix)
            with open(path, "wb") as f:
                f.write(data)
            return make_args(path, work), path
        kinds.append(Kind(name, seeds, mutate, command, None))

    safetensors_seeds = [read(os.path.join(ref, n)) for n in ["unet.inputs.safetensors", "vae-decode.inputs.safetensors",
                                                             "text-encoder.inputs.safetensors"]]
    single("safetensors-inspect", safetensors_seeds, mutate_safetensors, lambda p, w: ["inspect", p], ".safetensors")
    single("safetensors-inputs", [read(os.path.join(ref, "unet.inputs.safetensors"))], mutate_safetensors,
           lambda p, w: ["forward", "unet", "--model", TINY, "--inputs", p, "--outputs", os.path.join(w, "out.safetensors")],
           ".safetensors")

    def in_model(name, relative, mutate, args):
        seed = read(os.path.join(TINY, relative))

        def command(work, data):
            folder = model_copy(work, os.path.normpath(relative), data)
            return args(folder, work), folder
        kinds.append(Kind(name, [seed], mutate, command, relative))

    unet_inputs = os.path.join(ref, "unet.inputs.safetensors")
    forward_unet = lambda folder, w: ["forward", "unet", "--model", folder, "--inputs", unet_inputs,
                                      "--outputs", os.path.join(w, "out.safetensors")]
    in_model("safetensors-weights", "unet/diffusion_pytorch_model.safetensors", mutate_safetensors, forward_unet)
    in_model("config-unet", "unet/config.json", mutate_json, forward_unet)
    in_model("config-vae", "vae/config.json", mutate_json,
             lambda folder, w: ["forward", "vae-decode", "--model", folder, "--inputs", os.path.join(ref, "vae-decode.inputs.safetensors"),
                                "--outputs", os.path.join(w, "out.safetensors")])
    in_model("config-text-encoder", "text_encoder/config.json", mutate_json,
             lambda folder, w: ["forward", "text-encoder", "--model", folder, "--inputs",
                                os.path.join(ref, "text-encoder.inputs.safetensors"), "--outputs", os.path.join(w, "out.safetensors")])
    in_model("config-scheduler", "scheduler/scheduler_config.json", mutate_json,
             lambda folder, w: ["generate", "--model", folder, "--prompt", "a red cube", "--steps", "3", "--count", "1",
                                "--output", os.path.join(w, "generated")])
    for file in ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"]:
        mutate = mutate_bytes if file == "merges.txt" else mutate_json
        in_model("tokenizer", "tokenizer/" + file, mutate,
                 lambda folder, w: ["tokenize", "--model", folder, "a red cube", "🙂 emoji and 漢字 <|endoftext|>"])

    png_seeds = [read(os.path.join(seed_folder, n)) for n in sorted(os.listdir(seed_folder)) if n.endswith(".png")]
    single("png", png_seeds, mutate_png, lambda p, w: ["judge-toy", p], ".png")
    single("png", png_seeds, mutate_png, lambda p, w: ["grid", p, p, "--output", os.path.join(w, "grid.png")], ".png")

    torch_seeds = []
    for folder in ["Tests/FormatsTests/Fixtures", "Tests/StyleGANTests/Fixtures", "Tests/DiffusionTests/Fixtures/single-file"]:
        for name in sorted(os.listdir(os.path.join(ROOT, folder))):
            if name.endswith((".pt", ".ckpt")) and os.path.getsize(os.path.join(ROOT, folder, name)) < 2_000_000:
                torch_seeds.append(read(os.path.join(ROOT, folder, name)))
    single("torch", torch_seeds, mutate_bytes, lambda p, w: ["inspect", p], ".pt")
    return kinds


# ----------------------------------------------------------------------------- running
def run_one(kind, data, work):
    """Runs the command on the mutated input; returns status (negative: killed by that signal),
    stderr, seconds, whether it hung, the path its errors should name, and its peak RSS in bytes."""
    args, named = kind.command(work, data)
    started = time.monotonic()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([BIN] + args, stdout=subprocess.DEVNULL, stderr=errors, cwd=work, start_new_session=True)
        timed_out = False
        while True:
            # wait4, not Popen.wait: it also returns the child's own peak RSS.
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > HANG_SECONDS:
                timed_out = True
                os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.005)
        process.returncode = 0  # reaped here; keep Popen from waiting again
        errors.seek(0)
        text = errors.read().decode("utf-8", "replace")
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return code, text, time.monotonic() - started, timed_out, named, usage.ru_maxrss * 1024


def classify(status, stderr, timed_out, named, rss):
    if timed_out:
        return "hang"
    if status is not None and status < 0:
        return "crash"
    if any(word in stderr for word in ["Fatal error", "terminate called", "Assertion"]):
        return "crash"
    if rss > BIG_RSS_BYTES:
        return "big-allocation"
    if status == 0:
        return "accepted"
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith(("warning:", "note:"))]
    if len(lines) != 1:
        return "unclear (lines)"
    if any(word in lines[0] for word in INTERNALS):
        return "unclear (internals)"
    if named not in lines[0] and os.path.basename(named) not in lines[0]:
        return "unclear (no file)"
    return "clean error"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=12000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="folder for inputs that crashed, hung, allocated > 4 GB or gave unclear messages")
    parser.add_argument("--binary", help="the latent-prior executable (default: .build/release/latent-prior; pass a copy to rebuild meanwhile)")
    args = parser.parse_args()
    global BIN
    BIN = os.path.abspath(args.binary) if args.binary else BIN
    if not os.path.exists(BIN):
        sys.exit(f"build first: {BIN} is missing (swift build -c release)")
    seed_folder = tempfile.mkdtemp(prefix="campaign-seeds-")
    for shape, colour in [("sphere", "green"), ("cube", "red"), ("cone", "blue")]:
        subprocess.run([BIN, "render-toy", "--shape", shape, "--colour", colour, "--output", os.path.join(seed_folder, f"{shape}.png")],
                       check=True, stdout=subprocess.DEVNULL)
    kinds = make_kinds(seed_folder)
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    plan = [(i, kinds[i % len(kinds)]) for i in range(args.runs)]
    results = {}
    worst = {}

    def execute(item):
        index, kind = item
        rng = random.Random(args.seed * 1_000_003 + index)
        data = kind.mutate(rng.choice(kind.seeds), rng)
        work = tempfile.mkdtemp(prefix="campaign-")
        try:
            status, stderr, elapsed, timed_out, named, rss = run_one(kind, data, work)
            outcome = classify(status, stderr, timed_out, named, rss)
            return index, kind.name, outcome, stderr.strip().splitlines()[-3:] if stderr.strip() else [], elapsed, data, rss
        finally:
            shutil.rmtree(work, ignore_errors=True)

    started = time.time()
    peak_rss_seen = 0
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for done, (index, name, outcome, last, elapsed, data, rss) in enumerate(pool.map(execute, plan), 1):
            peak_rss_seen = max(peak_rss_seen, rss)
            results.setdefault(name, {}).setdefault(outcome, 0)
            results[name][outcome] += 1
            worst[name] = max(worst.get(name, 0), elapsed)
            if outcome not in ("accepted", "clean error") and args.keep:
                with open(os.path.join(args.keep, f"{name}-{index}-{outcome.split()[0]}"), "wb") as f:
                    f.write(data)
                with open(os.path.join(args.keep, f"{name}-{index}-{outcome.split()[0]}.txt"), "w") as f:
                    f.write("\n".join(last))
            if outcome not in ("accepted", "clean error"):
                print(f"{name} #{index}: {outcome}: {' | '.join(last)[:300]}", file=sys.stderr, flush=True)
            if done % 500 == 0:
                print(f"{done}/{len(plan)} runs, {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    outcomes = ["clean error", "accepted", "crash", "hang", "big-allocation", "unclear (lines)", "unclear (internals)", "unclear (no file)"]
    print("| kind | runs | " + " | ".join(outcomes) + " | slowest run |")
    print("| --- | --- | " + " | ".join("---" for _ in outcomes) + " | --- |")
    totals = {o: 0 for o in outcomes}
    for name in sorted(results):
        counts = results[name]
        for o in outcomes:
            totals[o] += counts.get(o, 0)
        print(f"| {name} | {sum(counts.values())} | " + " | ".join(str(counts.get(o, 0)) for o in outcomes) + f" | {worst[name]:.1f} s |")
    print(f"| all | {sum(sum(c.values()) for c in results.values())} | " + " | ".join(str(totals[o]) for o in outcomes) + " | |")
    print(f"\npeak RSS of any child: {peak_rss_seen / 2**20:.0f} MiB; wall time {time.time() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
