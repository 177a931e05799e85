#!/usr/bin/env python3
"""Builds tiny random-weight Stable Diffusion model folders and their diffusers/transformers reference outputs.

Default: writes into Tests/DiffusionTests/Fixtures/ (or --out DIR)
  tiny-sd1/   SD 1.x-like model in the diffusers folder layout, float32 weights; every config.json has only the
              keys SD 1.5's own files have (the rest must be defaulted exactly as diffusers defaults them)
  tiny-sd2/   SD 2.x-like model (linear projections, per-block head counts, upcast_attention, gelu text encoder,
              v-prediction, tokenizer padding with "!"), float16 weights; configs as the pinned diffusers'
              save_pretrained writes them (every key present)
  tiny-sdX/reference/
              text-encoder, unet, vae-encode, vae-decode  .inputs/.outputs.safetensors (PyTorch layout, float32;
              input_ids and timestep int64), schedulers.json (DDPM, DDIM, EulerDiscrete from the model's
              scheduler config), txt2img (the whole pipeline, DDIM and Euler), manifest.json (every file's tensors,
              dtypes and shapes, versions)
  Each model is loaded back with StableDiffusionPipeline.from_pretrained and every reference is recomputed from
  the loaded folder and compared bit for bit.

--full-size DIR: the SD 1.5 architecture (UNet 860M, VAE 84M, CLIP ViT-L/14 text encoder 123M parameters) with
  random float32 weights in the diffusers layout, the real CLIP vocabulary (from the committed clip-tokenizer
  fixture), and DIR/reference/ with unet (batch 2, 64x64 latents), vae-decode (64x64 latents) and text-encoder
  references. About 4.3 GB; not committed.

All models run in float32 on the CPU. Randomness comes only from seeded torch.Generator objects, so two runs write
byte-identical files. See docs/REFERENCE_FIXTURES.md.

Generated with (scripts/requirements-reference.txt): Python 3.11.7, torch 2.15.0 (PyPI wheel, run on CPU),
diffusers 0.39.0, transformers 4.57.6, huggingface-hub 0.36.2, tokenizers 0.22.2, safetensors 0.8.0, numpy 2.4.6.
diffusers 0.39.0 is the newest release that works with transformers 4.x (0.40+ need huggingface-hub >= 1.23, which
transformers 4.x does not accept); transformers 4.x is needed for the slow CLIPTokenizer, the one the committed
tokenizer reference (scripts/make_tokenizer_reference.py) uses.

Usage:
  python3 -m pip install --target /tmp/refsite -r scripts/requirements-reference.txt
  PYTHONPATH=/tmp/refsite python3 scripts/make_reference.py [--out DIR] [--no-verify]
  PYTHONPATH=/tmp/refsite python3 scripts/make_reference.py --full-size /tmp/sd15-random
"""

import argparse
import collections
import gc
import json
import math
import os
import shutil
import sys
import time

sys.modules["ftfy"] = None  # as in make_tokenizer_reference.py: CLIPTokenizer's BasicTokenizer path, no ftfy

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import diffusers  # noqa: E402
import safetensors  # noqa: E402
import transformers  # noqa: E402
import diffusers.schedulers.scheduling_ddpm as scheduling_ddpm  # noqa: E402
from diffusers import (  # noqa: E402
    AutoencoderKL,
    DDIMScheduler,
    DDPMScheduler,
    EulerDiscreteScheduler,
    StableDiffusionPipeline,
    UNet2DConditionModel,
)
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer, CLIPTokenizerFast  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "DiffusionTests", "Fixtures")
CLIP_VOCABULARY = os.path.join(FIXTURES, "clip-tokenizer")  # the real CLIP vocab.json/merges.txt (49,408 tokens)
GENERATOR = "scripts/make_reference.py"

CA, DOWN, UP, CA_UP = "CrossAttnDownBlock2D", "DownBlock2D", "UpBlock2D", "CrossAttnUpBlock2D"
SCALED_LINEAR = {"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
                 "num_train_timesteps": 1000}

# ---------------------------------------------------------------------------------------------------------------
# Configurations
# ---------------------------------------------------------------------------------------------------------------

# tiny-sd1: the key sets of runwayml/stable-diffusion-v1-5's config files, tiny values.
TINY_SD1 = {
    "name": "tiny-sd1",
    "weight_dtype": torch.float32,
    "full_configs": False,
    "unet": {
        "_class_name": "UNet2DConditionModel",
        "act_fn": "silu",
        "attention_head_dim": 8,  # diffusers: this is the NUMBER of heads (8 heads of 2, 3, 3 channels)
        "block_out_channels": [16, 24, 24],
        "center_input_sample": False,
        "cross_attention_dim": 32,
        "down_block_types": [CA, CA, DOWN],
        "downsample_padding": 1,
        "flip_sin_to_cos": True,
        "freq_shift": 0,
        "in_channels": 4,
        "layers_per_block": 1,
        "mid_block_scale_factor": 1,
        "norm_eps": 1e-05,
        "norm_num_groups": 8,
        "out_channels": 4,
        "sample_size": 8,
        "up_block_types": [UP, CA_UP, CA_UP],
    },
    "vae": {  # no scaling_factor key, as in SD 1.5: diffusers defaults it to 0.18215
        "_class_name": "AutoencoderKL",
        "act_fn": "silu",
        "block_out_channels": [8, 16, 16],  # three blocks: 4x downsampling
        "down_block_types": ["DownEncoderBlock2D"] * 3,
        "in_channels": 3,
        "latent_channels": 4,
        "layers_per_block": 1,
        "norm_num_groups": 4,
        "out_channels": 3,
        "sample_size": 32,
        "up_block_types": ["UpDecoderBlock2D"] * 3,
    },
    "text_encoder": {
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 3,
        "num_attention_heads": 4,
        "hidden_act": "quick_gelu",
    },
    "scheduler": dict(
        {"_class_name": "PNDMScheduler", "clip_sample": False, "set_alpha_to_one": False, "skip_prk_steps": True,
         "steps_offset": 1, "trained_betas": None},  # no prediction_type key, as in SD 1.5: epsilon
        **SCALED_LINEAR,
    ),
    "pad_token": "<|endoftext|>",
    "image_size": (32, 48),
    "latent_size": (8, 12),
    "seed": 1000,
}

# tiny-sd2: stabilityai/stable-diffusion-2-1's choices, tiny values, every config key written out.
TINY_SD2 = {
    "name": "tiny-sd2",
    "weight_dtype": torch.float16,
    "full_configs": True,
    "unet": {
        "_class_name": "UNet2DConditionModel",
        "attention_head_dim": [2, 4],  # per block; diffusers: NUMBER of heads (2 heads of 8, 4 heads of 8 channels)
        "block_out_channels": [16, 32],
        "cross_attention_dim": 48,
        "down_block_types": [CA, DOWN],
        "layers_per_block": 2,
        "norm_num_groups": 8,
        "sample_size": 8,
        "up_block_types": [UP, CA_UP],
        "upcast_attention": True,
        "use_linear_projection": True,
    },
    "vae": {
        "_class_name": "AutoencoderKL",
        "block_out_channels": [8, 16],  # two blocks: 2x downsampling
        "down_block_types": ["DownEncoderBlock2D"] * 2,
        "latent_channels": 4,
        "layers_per_block": 2,
        "norm_num_groups": 4,
        "sample_size": 16,
        # Deliberately not SD 2.x's 0.18215 (SDXL's value): a reader that hard-codes the factor fails.
        "scaling_factor": 0.13025,
        "up_block_types": ["UpDecoderBlock2D"] * 2,
    },
    "text_encoder": {
        "hidden_size": 48,
        "intermediate_size": 192,
        "num_hidden_layers": 2,
        "num_attention_heads": 3,
        "hidden_act": "gelu",
    },
    "scheduler": dict(
        {"_class_name": "DDIMScheduler", "clip_sample": False, "prediction_type": "v_prediction",
         "set_alpha_to_one": False, "steps_offset": 1, "trained_betas": None},
        **SCALED_LINEAR,
    ),
    "pad_token": "!",
    "image_size": (16, 24),
    "latent_size": (8, 12),
    "seed": 2000,
}

# Full size: the SD 1.5 files' own key sets and values.
SD15_UNET = {
    "_class_name": "UNet2DConditionModel",
    "act_fn": "silu",
    "attention_head_dim": 8,
    "block_out_channels": [320, 640, 1280, 1280],
    "center_input_sample": False,
    "cross_attention_dim": 768,
    "down_block_types": [CA, CA, CA, DOWN],
    "downsample_padding": 1,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 4,
    "layers_per_block": 2,
    "mid_block_scale_factor": 1,
    "norm_eps": 1e-05,
    "norm_num_groups": 32,
    "out_channels": 4,
    "sample_size": 64,
    "up_block_types": [UP, CA_UP, CA_UP, CA_UP],
}
SD15_VAE = {
    "_class_name": "AutoencoderKL",
    "act_fn": "silu",
    "block_out_channels": [128, 256, 512, 512],
    "down_block_types": ["DownEncoderBlock2D"] * 4,
    "in_channels": 3,
    "latent_channels": 4,
    "layers_per_block": 2,
    "norm_num_groups": 32,
    "out_channels": 3,
    "sample_size": 512,
    "up_block_types": ["UpDecoderBlock2D"] * 4,
}
SD15_TEXT_ENCODER = {  # openai/clip-vit-large-patch14's text tower
    "hidden_size": 768,
    "intermediate_size": 3072,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "hidden_act": "quick_gelu",
    "projection_dim": 768,
}
SD15 = {
    "name": "sd15-random",
    "weight_dtype": torch.float32,
    "full_configs": False,
    "unet": SD15_UNET,
    "vae": SD15_VAE,
    "text_encoder": SD15_TEXT_ENCODER,
    "scheduler": TINY_SD1["scheduler"],
    "pad_token": "<|endoftext|>",
    "seed": 15000,
}

PROMPTS = ["a red cube, front view", "A photo of a cat on the grass!"]

# ---------------------------------------------------------------------------------------------------------------
# Tokenizer: a small CLIP-format BPE vocabulary learnt from the toy world's captions
# ---------------------------------------------------------------------------------------------------------------

COLOURS = ["red", "green", "blue", "yellow", "orange", "purple", "white", "black"]
SHAPES = ["sphere", "cube", "cylinder", "cone", "torus"]
VIEWS = ["front", "side", "back", "overhead"]
OTHER_CAPTIONS = [
    "a photo of a dog", "a photo of a cat", "a photo of a red dog", "a painting of a cat",
    "a high quality photo", "a detailed render of a blue sphere", "a cat and a dog",
]


def bytes_to_unicode():
    """GPT-2/CLIP's reversible map from bytes to printable characters (as open_clip and transformers build it)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    bs += list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def learn_merges(corpus, max_merges=400):
    """Plain BPE training over words ending in </w> (CLIP's convention); ties go to the smaller pair."""
    counts = collections.Counter()
    for caption in corpus:
        for word in caption.replace(",", " , ").split():
            counts[word] += 1
    words = {tuple(w[:-1]) + (w[-1] + "</w>",): c for w, c in sorted(counts.items())}
    merges = []
    while len(merges) < max_merges:
        pairs = collections.Counter()
        for symbols, count in words.items():
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] += count
        if not pairs:
            break
        pair, count = min(pairs.items(), key=lambda item: (-item[1], item[0]))
        if count < 2:
            break
        merges.append(pair)
        merged = {}
        for symbols, c in words.items():
            out, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
                    out.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + c
        words = merged
    return merges


def tiny_vocabulary():
    corpus = [f"a {c} {s}, {v} view" for c in COLOURS for s in SHAPES for v in VIEWS] + OTHER_CAPTIONS * 3
    merges = learn_merges(corpus)
    symbols = list(bytes_to_unicode().values())
    vocab = symbols + [s + "</w>" for s in symbols] + ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    assert len(set(vocab)) == len(vocab), "vocabulary entries must be unique"
    return vocab, merges


def compact_json(value, indent=1, level=0):
    """JSON with one line per list of numbers (or of such lists), so tensors stay small and diffable."""
    def flat(v):
        return not isinstance(v, (dict, list)) or (isinstance(v, list) and all(flat(x) for x in v))
    if isinstance(value, dict) and value:
        pad = " " * (indent * (level + 1))
        items = [f"{pad}{json.dumps(k)}: {compact_json(v, indent, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * (indent * level) + "}"
    if isinstance(value, list) and value and not flat(value):
        pad = " " * (indent * (level + 1))
        items = [pad + compact_json(v, indent, level + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * (indent * level) + "]"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":") if isinstance(value, list) else (", ", ": "))


def added_token(content):
    return {"content": content, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}


def write_json(path, value, indent=2, sort_keys=True):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=indent, sort_keys=sort_keys, ensure_ascii=False)
        f.write("\n")


def write_tokenizer(folder, pad_token, vocabulary_folder=None):
    """vocab.json + merges.txt (the tiny vocabulary, or copies of vocabulary_folder's) and SD's two config files.

    SD 2.x: special_tokens_map.json says pad_token "!" and overrides tokenizer_config.json's in from_pretrained.
    """
    os.makedirs(folder, exist_ok=True)
    if vocabulary_folder:
        for name in ("vocab.json", "merges.txt"):
            shutil.copyfile(os.path.join(vocabulary_folder, name), os.path.join(folder, name))
    else:
        vocab, merges = tiny_vocabulary()
        with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
            json.dump({token: i for i, token in enumerate(vocab)}, f, ensure_ascii=False)
        with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    bos, eos = added_token("<|startoftext|>"), added_token("<|endoftext|>")
    config = {
        "add_prefix_space": False, "bos_token": bos, "do_lower_case": True, "eos_token": eos, "errors": "replace",
        "model_max_length": 77, "pad_token": "<|endoftext|>", "tokenizer_class": "CLIPTokenizer", "unk_token": eos,
    }
    write_json(os.path.join(folder, "tokenizer_config.json"), config)
    write_json(os.path.join(folder, "special_tokens_map.json"),
               {"bos_token": bos, "eos_token": eos, "pad_token": pad_token, "unk_token": eos})


def load_tokenizers(folder, pad_token):
    slow = CLIPTokenizer.from_pretrained(folder)
    fast = CLIPTokenizerFast.from_pretrained(folder)
    assert not slow.is_fast and slow.fix_text is None, "need the slow tokenizer without ftfy"
    assert slow.pad_token == pad_token and fast.pad_token == pad_token
    return slow, fast


def tokenize(tokenizer, prompts):
    """As diffusers' StableDiffusionPipeline.encode_prompt calls the tokenizer."""
    return tokenizer(prompts, padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                     return_tensors="pt").input_ids

# ---------------------------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------------------------


def randomize_(model, generator):
    """Overwrites every parameter: diffusers zero-initialises conv_out/proj_out and a zero weight hides bugs.

    Norm weights 1 + 0.1 N(0,1) and biases 0.05 N(0,1) keep activations well scaled; every other matrix or kernel
    gets N(0, 1/fan_in) (fan_in = in_channels x kernel area), which keeps full-size layers well scaled too.
    """
    norm_parameters = set()
    for module in model.modules():
        if isinstance(module, (nn.GroupNorm, nn.LayerNorm)):
            norm_parameters.update(id(p) for p in module.parameters(recurse=False))
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            noise = torch.randn(parameter.shape, generator=generator, dtype=torch.float32)
            if id(parameter) in norm_parameters and name.endswith("weight"):
                value = 1 + 0.1 * noise
            elif parameter.ndim == 1:
                value = 0.05 * noise
            else:
                value = noise / math.sqrt(parameter[0].numel())
            parameter.copy_(value)
            del noise, value
    for name, parameter in model.named_parameters():
        assert parameter.abs().max() > 0, f"{name} is still zero"


def round_to_(model, dtype):
    """Stores in `dtype` later: the float32 reference model must hold exactly the values that will be stored."""
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(parameter.to(dtype).to(torch.float32))


def text_encoder_config(spec, vocab_size):
    te = spec["text_encoder"]
    return CLIPTextConfig(
        vocab_size=vocab_size, hidden_size=te["hidden_size"], intermediate_size=te["intermediate_size"],
        num_hidden_layers=te["num_hidden_layers"], num_attention_heads=te["num_attention_heads"],
        max_position_embeddings=77, hidden_act=te["hidden_act"], layer_norm_eps=1e-05,
        projection_dim=te.get("projection_dim", te["hidden_size"]),
        # SD 1.x/2.x text_encoder/config.json carry these legacy ids; they do not change last_hidden_state.
        bos_token_id=0, eos_token_id=2, pad_token_id=1,
    )


def diffusers_config(spec, part):
    return dict(spec[part], _diffusers_version=diffusers.__version__)


def save_diffusers_model(model, folder, spec, part):
    """save_pretrained; tiny-sd1/full size then get SD 1.5-style config.json files with only the spec's keys."""
    model.save_pretrained(folder, safe_serialization=True)
    if not spec["full_configs"]:
        write_json(os.path.join(folder, "config.json"), diffusers_config(spec, part))


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def convert_dtype(model, dtype):
    return model.to(dtype) if dtype != torch.float32 else model


def build_model_folder(spec, folder, vocabulary_folder=None, log=print):
    """Writes a whole diffusers model folder and returns the float32 in-memory models (the reference models)."""
    os.makedirs(folder, exist_ok=True)
    generator = torch.Generator().manual_seed(spec["seed"])
    dtype = spec["weight_dtype"]

    write_tokenizer(os.path.join(folder, "tokenizer"), spec["pad_token"], vocabulary_folder)
    tokenizer, _ = load_tokenizers(os.path.join(folder, "tokenizer"), spec["pad_token"])

    models = {}
    started = time.time()
    text_encoder = CLIPTextModel(text_encoder_config(spec, len(tokenizer))).eval()
    randomize_(text_encoder, generator)
    round_to_(text_encoder, dtype)
    convert_dtype(text_encoder, dtype).save_pretrained(os.path.join(folder, "text_encoder"), safe_serialization=True)
    models["text_encoder"] = text_encoder.float()
    log(f"  text_encoder: {parameter_count(text_encoder):,} parameters ({time.time() - started:.0f} s)")

    for part, cls in (("unet", UNet2DConditionModel), ("vae", AutoencoderKL)):
        started = time.time()
        model = cls.from_config(diffusers_config(spec, part)).eval()
        randomize_(model, generator)
        round_to_(model, dtype)
        save_diffusers_model(convert_dtype(model, dtype), os.path.join(folder, part), spec, part)
        models[part] = model.float()
        log(f"  {part}: {parameter_count(model):,} parameters ({time.time() - started:.0f} s)")
        gc.collect()

    scheduler_config = diffusers_config(spec, "scheduler")
    if spec["full_configs"]:
        assert scheduler_config["_class_name"] == "DDIMScheduler"
        DDIMScheduler.from_config(scheduler_config).save_pretrained(os.path.join(folder, "scheduler"))
    else:
        os.makedirs(os.path.join(folder, "scheduler"), exist_ok=True)
        write_json(os.path.join(folder, "scheduler", "scheduler_config.json"), scheduler_config)

    write_json(os.path.join(folder, "model_index.json"), {
        "_class_name": "StableDiffusionPipeline",
        "_diffusers_version": diffusers.__version__,
        "feature_extractor": [None, None],
        "requires_safety_checker": False,
        "safety_checker": [None, None],
        "scheduler": ["diffusers", scheduler_config["_class_name"]],
        "text_encoder": ["transformers", "CLIPTextModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"],
        "unet": ["diffusers", "UNet2DConditionModel"],
        "vae": ["diffusers", "AutoencoderKL"],
    })
    models["tokenizer"] = tokenizer
    return models

# ---------------------------------------------------------------------------------------------------------------
# Component references
# ---------------------------------------------------------------------------------------------------------------


def run_text_encoder(text_encoder, inputs):
    # No attention_mask: SD 1.x/2.x text_encoder configs do not set use_attention_mask, so diffusers' pipelines
    # call the text encoder with input_ids only (the causal mask is CLIP's own).
    return {"last_hidden_state": text_encoder(inputs["input_ids"])[0]}


def run_unet(unet, inputs):
    sample = unet(inputs["sample"], inputs["timestep"], encoder_hidden_states=inputs["encoder_hidden_states"]).sample
    return {"sample": sample}


def run_vae_encode(vae, inputs):
    distribution = vae.encode(inputs["image"]).latent_dist  # DiagonalGaussianDistribution of quant_conv's output
    return {"mean": distribution.mean, "logvar": distribution.logvar}  # logvar clamped to [-30, 20] there


def run_vae_decode(vae, inputs):
    return {"image": vae.decode(inputs["latents"]).sample}  # latents as given: no 1/scaling_factor, no clamp


RUNNERS = {
    "text-encoder": ("text_encoder", run_text_encoder),
    "unet": ("unet", run_unet),
    "vae-encode": ("vae", run_vae_encode),
    "vae-decode": ("vae", run_vae_decode),
}


def component_inputs(spec, models, batch=2, latent_size=None, image_size=None, vae_batch=None):
    """Seeded inputs for every component (PyTorch layout)."""
    generator = torch.Generator().manual_seed(spec["seed"] + 1)
    h, w = latent_size or spec["latent_size"]
    ih, iw = image_size or spec["image_size"]
    vae_batch = vae_batch or batch
    cross_attention_dim = models["unet"].config.cross_attention_dim
    inputs = {
        "text-encoder": {"input_ids": tokenize(models["tokenizer"], PROMPTS[:batch])},
        "unet": {
            "sample": torch.randn(batch, 4, h, w, generator=generator),
            "timestep": torch.tensor([937, 58][:batch], dtype=torch.int64),
            "encoder_hidden_states": torch.randn(batch, 77, cross_attention_dim, generator=generator),
        },
        "vae-encode": {"image": torch.rand(vae_batch, 3, ih, iw, generator=generator) * 2 - 1},
        "vae-decode": {"latents": torch.randn(vae_batch, 4, h, w, generator=generator)},
    }
    return inputs


def compute_references(models, inputs, components, log=print):
    outputs = {}
    with torch.no_grad():
        for component in components:
            part, runner = RUNNERS[component]
            started = time.time()
            outputs[component] = {k: v.float().contiguous() for k, v in runner(models[part], inputs[component]).items()}
            log(f"  {component}: " + ", ".join(
                f"{k} {list(v.shape)} mean {v.mean():+.4f} std {v.std():.4f} max|.| {v.abs().max():.4f}"
                for k, v in outputs[component].items()) + f" ({time.time() - started:.1f} s)")
    return outputs


def save_references(reference_folder, inputs, outputs):
    """<component>.inputs/.outputs.safetensors; returns {file: {tensor: {dtype, shape}}} for the manifest."""
    os.makedirs(reference_folder, exist_ok=True)
    files = {}
    for component, outs in outputs.items():
        for kind, tensors in (("inputs", inputs[component]), ("outputs", outs)):
            name = f"{component}.{kind}.safetensors"
            save_tensors({k: v.contiguous() for k, v in tensors.items()}, os.path.join(reference_folder, name))
            files[name] = describe(tensors)
    return files


def save_tensors(tensors, path):
    save_file(tensors, path)
    os.chmod(path, 0o644)  # safetensors creates its files 0600


def make_readable(folder):
    """safetensors (and so save_pretrained) creates files 0600; the fixtures are plain 0644 files."""
    for directory, _, names in os.walk(folder):
        for name in names:
            os.chmod(os.path.join(directory, name), 0o644)


def describe(tensors):
    return {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape)} for k, v in tensors.items()}


def write_manifest(reference_folder, manifest):
    with open(os.path.join(reference_folder, "manifest.json"), "w", encoding="utf-8") as f:
        f.write(compact_json(manifest) + "\n")


# ---------------------------------------------------------------------------------------------------------------
# Schedulers
# ---------------------------------------------------------------------------------------------------------------


def as_list(tensor):
    """Nested lists of Python floats: each float32 value exactly (JSON's shortest repr of the float64 it widens to)."""
    return tensor.detach().to(torch.float64).tolist()


def resolved_config(scheduler):
    return {k: v for k, v in dict(scheduler.config).items() if not k.startswith("_")}


def timestep_values(timesteps):
    return [int(t) for t in timesteps] if timesteps.dtype == torch.int64 else [float(t) for t in timesteps]


def ddpm_step(scheduler, model_output, timestep, sample, noise):
    """DDPMScheduler.step with its variance noise given: diffusers draws it with randn_tensor, replaced here."""
    original = scheduling_ddpm.randn_tensor
    scheduling_ddpm.randn_tensor = lambda shape, **kwargs: noise.clone()
    try:
        return scheduler.step(model_output, timestep, sample)
    finally:
        scheduling_ddpm.randn_tensor = original


def scheduler_references(scheduler_config, seed):
    """timesteps/sigmas after set_timesteps(N), and one denoising trajectory of 10 steps per scheduler."""
    generator = torch.Generator().manual_seed(seed)
    shape = (1, 4, 2, 3)
    inference_steps = [3, 10, 25, 50]
    trajectory_steps = 10
    reference = {
        "generator": GENERATOR,
        "versions": versions(),
        "scheduler_config": scheduler_config,
        "notes": [
            "Each scheduler is <Class>.from_config(scheduler_config); 'config' is the resolved config (with defaults).",
            "Tensors are nested lists in PyTorch layout [B,C,H,W]; float32 values widened exactly to float64.",
            "trajectory: set_timesteps(10), then for each timestep in order: (Euler: model_input = "
            "scale_model_input(sample, t)); out = step(model_output, t, sample); the next step's sample is "
            "out.prev_sample. model_output is a fixed random tensor per step, not a model.",
            "DDIM: step(..., eta=0). Euler: s_churn=0 (the default), so no noise is drawn. DDPM: variance_noise is "
            "the N(0,1) tensor diffusers would draw with randn_tensor (injected), prev_sample = prev_sample_mean + "
            "sqrt(variance) * variance_noise (variance_type fixed_small; no noise at t == 0); prev_sample_mean is "
            "step() with variance_noise = 0.",
            "Euler's timesteps are float32 (fractional with timestep_spacing linspace); DDPM/DDIM's are int64.",
            "add_noise/get_velocity: DDPMScheduler's (DDIM's are the same formulas), timesteps int64.",
        ],
        "alphas_cumprod": as_list(DDPMScheduler.from_config(scheduler_config).alphas_cumprod),
        "schedulers": {},
    }

    ddpm = DDPMScheduler.from_config(scheduler_config)
    original = torch.randn(3, *shape[1:], generator=generator)
    noise = torch.randn(3, *shape[1:], generator=generator)
    noise_timesteps = torch.tensor([0, 261, 999], dtype=torch.int64)
    reference["add_noise"] = {
        "original_samples": as_list(original), "noise": as_list(noise), "timesteps": noise_timesteps.tolist(),
        "noisy_samples": as_list(ddpm.add_noise(original, noise, noise_timesteps)),
        "velocity": as_list(ddpm.get_velocity(original, noise, noise_timesteps)),
    }

    for cls in (DDPMScheduler, DDIMScheduler, EulerDiscreteScheduler):
        scheduler = cls.from_config(scheduler_config)
        entry = {"config": resolved_config(scheduler), "init_noise_sigma": float(scheduler.init_noise_sigma),
                 "timesteps": {}}
        if cls is EulerDiscreteScheduler:
            entry["sigmas"], entry["init_noise_sigma_after_set_timesteps"] = {}, {}
        if cls is DDIMScheduler:
            entry["final_alpha_cumprod"] = float(scheduler.final_alpha_cumprod)
        for n in inference_steps:
            scheduler.set_timesteps(n)
            entry["timesteps"][str(n)] = timestep_values(scheduler.timesteps)
            if cls is EulerDiscreteScheduler:
                entry["sigmas"][str(n)] = [float(s) for s in scheduler.sigmas]
                entry["init_noise_sigma_after_set_timesteps"][str(n)] = float(scheduler.init_noise_sigma)
        scheduler.set_timesteps(trajectory_steps)
        entry["timesteps_dtype"] = str(scheduler.timesteps.dtype).replace("torch.", "")
        sample = torch.randn(shape, generator=generator)
        if cls is EulerDiscreteScheduler:
            sample = sample * scheduler.init_noise_sigma
        steps = []
        for index, t in enumerate(scheduler.timesteps):
            model_output = torch.randn(shape, generator=generator)
            record = {"step_index": index, "timestep": int(t) if t.dtype == torch.int64 else float(t),
                      "sample": as_list(sample), "model_output": as_list(model_output)}
            if cls is DDPMScheduler:
                variance_noise = torch.randn(shape, generator=generator)
                mean = ddpm_step(scheduler, model_output, t, sample, torch.zeros(shape))
                out = ddpm_step(scheduler, model_output, t, sample, variance_noise)
                record.update(variance_noise=as_list(variance_noise), variance=float(scheduler._get_variance(t)),
                              prev_sample_mean=as_list(mean.prev_sample))
            elif cls is DDIMScheduler:
                out = scheduler.step(model_output, t, sample, eta=0.0)
            else:
                sigma = float(scheduler.sigmas[index])
                model_input = scheduler.scale_model_input(sample, t)
                out = scheduler.step(model_output, t, sample)
                record.update(sigma=sigma, sigma_next=float(scheduler.sigmas[index + 1]),
                              scaled_model_input=as_list(model_input))
            record.update(prev_sample=as_list(out.prev_sample), pred_original_sample=as_list(out.pred_original_sample))
            steps.append(record)
            sample = out.prev_sample
        entry["trajectory"] = {"num_inference_steps": trajectory_steps, "shape": list(shape), "steps": steps}
        reference["schedulers"][cls.__name__] = entry
    return reference

# ---------------------------------------------------------------------------------------------------------------
# Text-to-image: the whole StableDiffusionPipeline (classifier-free guidance, scheduler loop, VAE decode)
# ---------------------------------------------------------------------------------------------------------------

TXT2IMG = {"prompt": PROMPTS[0], "negative_prompt": None, "guidance_scale": 7.5, "num_inference_steps": 4}


def txt2img_references(folder, spec, reference_folder, log=print):
    """StableDiffusionPipeline loaded from the folder, run with given initial latents, DDIM (eta 0) and Euler.

    The scheduler is <Class>.from_config(scheduler_config.json as stored), not of pipe.scheduler.config (whose
    resolved PNDM defaults, e.g. timestep_spacing "leading", would carry over into Euler).
    """
    pipeline = StableDiffusionPipeline.from_pretrained(folder, torch_dtype=torch.float32)
    pipeline.set_progress_bar_config(disable=True)
    scheduler_config = json.load(open(os.path.join(folder, "scheduler", "scheduler_config.json")))
    height, width = spec["image_size"]
    generator = torch.Generator().manual_seed(spec["seed"] + 3)
    latents = torch.randn(1, 4, *spec["latent_size"], generator=generator)
    save_tensors({"latents": latents}, os.path.join(reference_folder, "txt2img.inputs.safetensors"))
    files = {"txt2img.inputs.safetensors": describe({"latents": latents})}
    for name, cls in (("ddim", DDIMScheduler), ("euler", EulerDiscreteScheduler)):
        pipeline.scheduler = cls.from_config(scheduler_config)
        outputs = {}
        for output_type, key in (("latent", "latents"), ("pt", "image")):
            with torch.no_grad():
                result = pipeline(height=height, width=width, latents=latents.clone(), output_type=output_type,
                                  **TXT2IMG).images
            outputs[key] = result.float().contiguous()
        file = f"txt2img-{name}.outputs.safetensors"
        save_tensors(outputs, os.path.join(reference_folder, file))
        files[file] = describe(outputs)
        log(f"  txt2img-{name}: latents std {outputs['latents'].std():.4f}, image mean {outputs['image'].mean():.4f}")
    return files, dict(
        TXT2IMG, height=height, width=width, eta=0.0,
        notes=["pipe(prompt, negative_prompt=None (uncond prompt ''), height, width, num_inference_steps, "
               "guidance_scale, latents=txt2img.inputs latents (the pipeline multiplies them by "
               "init_noise_sigma), output_type='latent' -> latents, output_type='pt' -> image].",
               "One UNet call per step on the batch [uncond, cond]; eps = uncond + s (cond - uncond).",
               "image = clamp(vae.decode(latents / scaling_factor) / 2 + 0.5, 0, 1), [B,3,H,W].",
               "ddim: DDIMScheduler.from_config(scheduler_config.json); euler: EulerDiscreteScheduler.from_config "
               "(same file)."])


# ---------------------------------------------------------------------------------------------------------------
# Verification: load the folder back with diffusers and recompute every reference bit for bit
# ---------------------------------------------------------------------------------------------------------------


def verify_folder(folder, spec, components, log=print):
    pipeline = StableDiffusionPipeline.from_pretrained(folder, torch_dtype=torch.float32)
    models = {"text_encoder": pipeline.text_encoder.eval(), "unet": pipeline.unet.eval(), "vae": pipeline.vae.eval()}
    for part, model in models.items():
        dtypes = {str(p.dtype) for p in model.parameters()}
        assert dtypes == {"torch.float32"}, f"{part} loaded as {dtypes}"
    reference_folder = os.path.join(folder, "reference")
    with torch.no_grad():
        for component in components:
            part, runner = RUNNERS[component]
            inputs = load_file(os.path.join(reference_folder, f"{component}.inputs.safetensors"))
            expected = load_file(os.path.join(reference_folder, f"{component}.outputs.safetensors"))
            got = runner(models[part], inputs)
            for key, value in expected.items():
                assert torch.equal(got[key].float(), value), f"{folder}: {component} {key} differs after reload"
    slow, fast = load_tokenizers(os.path.join(folder, "tokenizer"), spec["pad_token"])
    ids = load_file(os.path.join(reference_folder, "text-encoder.inputs.safetensors"))["input_ids"]
    batch = ids.shape[0]
    assert torch.equal(tokenize(slow, PROMPTS[:batch]), ids) and torch.equal(tokenize(fast, PROMPTS[:batch]), ids)
    assert isinstance(pipeline.tokenizer, CLIPTokenizer) and pipeline.tokenizer.pad_token == spec["pad_token"]
    scheduler_class = json.load(open(os.path.join(folder, "scheduler", "scheduler_config.json")))["_class_name"]
    assert type(pipeline.scheduler).__name__ == scheduler_class
    log(f"  verified: StableDiffusionPipeline.from_pretrained({os.path.basename(folder)}) reproduces every "
        f"reference bit for bit; slow and fast CLIPTokenizer give the stored input_ids")

# ---------------------------------------------------------------------------------------------------------------


def versions():
    return {"python": sys.version.split()[0], "torch": torch.__version__.split("+")[0],
            "diffusers": diffusers.__version__, "transformers": transformers.__version__,
            "safetensors": safetensors.__version__, "numpy": np.__version__}


def model_manifest(spec, models, files, txt2img=None):
    unet, vae, text_encoder = models["unet"], models["vae"], models["text_encoder"]
    manifest = {
        "generator": GENERATOR,
        "versions": versions(),
        "model": spec["name"],
        "weights_dtype": str(spec["weight_dtype"]).replace("torch.", ""),
        "compute_dtype": "float32",
        "vae_scaling_factor": vae.config.scaling_factor,
        "parameters": {"unet": parameter_count(unet), "vae": parameter_count(vae),
                       "text_encoder": parameter_count(text_encoder)},
        "prompts": PROMPTS,
        "notes": [
            "text-encoder: input_ids = tokenizer(prompts, padding='max_length', max_length=77, truncation=True); "
            "last_hidden_state = text_encoder(input_ids)[0] (no attention_mask, as SD pipelines call it).",
            "unet: unet(sample, timestep, encoder_hidden_states).sample; timestep int64; encoder_hidden_states random.",
            "vae-encode: vae.encode(image).latent_dist: mean and logvar after quant_conv; logvar clamped to [-30, 20].",
            "vae-decode: vae.decode(latents).sample, latents unscaled (not divided by scaling_factor), not clamped.",
        ],
        "files": files,
    }
    if txt2img:
        manifest["txt2img"] = txt2img
    return manifest


def make_tiny(out_folder, verify, log=print):
    torch.set_num_threads(1)  # one thread: the same reduction order on every machine
    total = 0
    for spec in (TINY_SD1, TINY_SD2):
        folder = os.path.join(out_folder, spec["name"])
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        log(f"{spec['name']}:")
        models = build_model_folder(spec, folder, log=log)
        inputs = component_inputs(spec, models)
        components = list(RUNNERS)
        outputs = compute_references(models, inputs, components, log=log)
        reference_folder = os.path.join(folder, "reference")
        files = save_references(reference_folder, inputs, outputs)
        scheduler_config = json.load(open(os.path.join(folder, "scheduler", "scheduler_config.json")))
        with open(os.path.join(reference_folder, "schedulers.json"), "w", encoding="utf-8") as f:
            f.write(compact_json(scheduler_references(scheduler_config, spec["seed"] + 2)) + "\n")
        if verify:
            verify_folder(folder, spec, components, log=log)
        txt2img_files, txt2img = txt2img_references(folder, spec, reference_folder, log=log)
        write_manifest(reference_folder, model_manifest(spec, models, dict(files, **txt2img_files), txt2img))
        make_readable(folder)
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
        total += size
        log(f"  {folder}: {size / 1e6:.2f} MB")
    log(f"total {total / 1e6:.2f} MB")


def make_full_size(folder, verify, vae_batch, log=print):
    """SD 1.5's architecture with random weights, plus references for the benchmark shapes."""
    started = time.time()
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    log(f"full-size SD 1.5 architecture with random weights -> {folder}")
    models = build_model_folder(SD15, folder, vocabulary_folder=CLIP_VOCABULARY, log=log)
    inputs = component_inputs(SD15, models, batch=2, latent_size=(64, 64), image_size=(512, 512), vae_batch=vae_batch)
    components = ["text-encoder", "unet", "vae-decode"]
    outputs = compute_references(models, inputs, components, log=log)
    reference_folder = os.path.join(folder, "reference")
    write_manifest(reference_folder, model_manifest(SD15, models, save_references(reference_folder, inputs, outputs)))
    del models
    gc.collect()
    make_readable(folder)
    if verify:
        verify_folder(folder, SD15, components, log=log)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
    log(f"  {folder}: {size / 1e9:.2f} GB in {time.time() - started:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=FIXTURES, help="folder for tiny-sd1/, tiny-sd2/ (default: the fixtures)")
    parser.add_argument("--full-size", metavar="DIR", help="write the full-size SD 1.5 random-weight model to DIR")
    parser.add_argument("--vae-batch", type=int, default=1, help="--full-size: batch of the vae-decode reference")
    parser.add_argument("--no-verify", action="store_true", help="skip loading the folders back with diffusers")
    args = parser.parse_args()
    if not transformers.__version__.startswith("4."):
        sys.exit(f"transformers {transformers.__version__}: this script needs transformers 4.x (slow CLIPTokenizer)")
    diffusers.utils.logging.set_verbosity_error()
    transformers.utils.logging.set_verbosity_error()
    if args.full_size:
        make_full_size(os.path.abspath(args.full_size), not args.no_verify, args.vae_batch)
    else:
        make_tiny(os.path.abspath(args.out), not args.no_verify)


if __name__ == "__main__":
    main()
