"""Writes tiny Stable Diffusion checkpoints in the original CompVis single-file layout, with diffusers' outputs.

    PYTHONPATH=/tmp/refsite python3 scripts/make_single_file_reference.py [--binary .build/release/latent-prior]

Two tiny models with SD's block structure (SD 1.x: four UNet levels, two resnets per level; SD 2.x: one level with
linear projections, to stay small; SD's 32 groups,
SD 1.x's 8 heads, SD 2.x's head width 64, CLIP/OpenCLIP text encoders with head width 64), random weights rounded to
float16 values so that the float32 and float16 files hold the same numbers, written as four files into
Tests/DiffusionTests/Fixtures/single-file/:

  sd1-fp16.safetensors  float16, SD 1.x keys: model.diffusion_model.*, first_stage_model.*, cond_stage_model.transformer.*
  sd1-fp16.ckpt         float16 torch.save (zip), Lightning's {"state_dict": ..., "global_step": ...} with model_ema.* keys
  sd2-fp16.safetensors  float16, SD 2.x: OpenCLIP text tower under cond_stage_model.model.* (fused in_proj, one more
                        resblock than the model uses: SD 2.x conditions on the penultimate layer)
  sd2.ckpt              float32 torch.save in the legacy (pre-1.6, non-zip) format

and sd1/, sd2/ hold the reference inputs and diffusers/transformers outputs of each component (the models built from
the diffusers configs; the CompVis key mapping is written here from the facts of diffusers'
scripts/convert_diffusers_to_original_stable_diffusion.py). Checks: diffusers' own single-file loader
(`from_single_file(..., config=<the diffusers folder>)`) reads back the same UNet and VAE tensors from every file, and,
with --binary, `latent-prior convert` turns each file into a folder that diffusers' `from_pretrained` loads and that
reproduces the references.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import torch
import transformers
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_reference  # noqa: E402  (randomize_, round_to_, runners, the pinned versions)

import diffusers  # noqa: E402
from diffusers import AutoencoderKL, StableDiffusionPipeline, UNet2DConditionModel  # noqa: E402
from transformers import CLIPTextConfig, CLIPTextModel  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "DiffusionTests", "Fixtures", "single-file")

SPECS = {
    "sd1": {
        "seed": 11,
        "unet": dict(block_out_channels=(32, 32, 32, 32), layers_per_block=2,
                     down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
                     up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
                     cross_attention_dim=64, attention_head_dim=8, norm_num_groups=32, sample_size=64),
        "vae": dict(block_out_channels=(32, 32), layers_per_block=1, latent_channels=4, norm_num_groups=32,
                    down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2, sample_size=512),
        "text": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=1, hidden_act="quick_gelu"),
    },
    "sd2": {
        "seed": 12,
        "unet": dict(block_out_channels=(64,), layers_per_block=1,
                     down_block_types=("CrossAttnDownBlock2D",), up_block_types=("CrossAttnUpBlock2D",),
                     cross_attention_dim=64, attention_head_dim=(1,), use_linear_projection=True, norm_num_groups=32,
                     sample_size=64),
        "vae": dict(block_out_channels=(32, 32), layers_per_block=1, latent_channels=4, norm_num_groups=32,
                    down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2, sample_size=512),
        "text": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=1, hidden_act="gelu"),
    },
}
VOCABULARY = 1000  # small: the test checks the components; a file with CLIP's 49408 tokens would be 3 MB more each


# ---------------------------------------------------------------------------------------------------------------
# diffusers names -> CompVis names (the inverse of what diffusers' single-file loader does)
# ---------------------------------------------------------------------------------------------------------------

RESNET_TO_LDM = [("norm1.", "in_layers.0."), ("conv1.", "in_layers.2."), ("time_emb_proj.", "emb_layers.1."),
                 ("norm2.", "out_layers.0."), ("conv2.", "out_layers.3."), ("conv_shortcut.", "skip_connection.")]


def resnet_to_ldm(rest):
    for old, new in RESNET_TO_LDM:
        if rest.startswith(old):
            return new + rest[len(old):]
    raise KeyError(rest)


def unet_to_ldm(state, config):
    layers = config["layers_per_block"]
    attention_levels = {i for i, kind in enumerate(config["down_block_types"]) if kind.startswith("CrossAttn")}
    levels = len(config["block_out_channels"])
    fixed = {"time_embedding.linear_1.": "time_embed.0.", "time_embedding.linear_2.": "time_embed.2.",
             "conv_in.": "input_blocks.0.0.", "conv_norm_out.": "out.0.", "conv_out.": "out.2."}
    result = {}
    for name, value in state.items():
        ldm = None
        for old, new in fixed.items():
            if name.startswith(old):
                ldm = new + name[len(old):]
        if m := re.fullmatch(r"down_blocks\.(\d+)\.resnets\.(\d+)\.(.+)", name):
            ldm = f"input_blocks.{1 + int(m[1]) * (layers + 1) + int(m[2])}.0.{resnet_to_ldm(m[3])}"
        elif m := re.fullmatch(r"down_blocks\.(\d+)\.attentions\.(\d+)\.(.+)", name):
            ldm = f"input_blocks.{1 + int(m[1]) * (layers + 1) + int(m[2])}.1.{m[3]}"
        elif m := re.fullmatch(r"down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.+)", name):
            ldm = f"input_blocks.{1 + int(m[1]) * (layers + 1) + layers}.0.op.{m[2]}"
        elif m := re.fullmatch(r"mid_block\.resnets\.(\d+)\.(.+)", name):
            ldm = f"middle_block.{2 * int(m[1])}.{resnet_to_ldm(m[2])}"
        elif m := re.fullmatch(r"mid_block\.attentions\.0\.(.+)", name):
            ldm = f"middle_block.1.{m[1]}"
        elif m := re.fullmatch(r"up_blocks\.(\d+)\.resnets\.(\d+)\.(.+)", name):
            ldm = f"output_blocks.{int(m[1]) * (layers + 1) + int(m[2])}.0.{resnet_to_ldm(m[3])}"
        elif m := re.fullmatch(r"up_blocks\.(\d+)\.attentions\.(\d+)\.(.+)", name):
            ldm = f"output_blocks.{int(m[1]) * (layers + 1) + int(m[2])}.1.{m[3]}"
        elif m := re.fullmatch(r"up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.+)", name):
            level = int(m[1])
            has_attention = (levels - 1 - level) in attention_levels  # up level i mirrors down level levels-1-i
            ldm = f"output_blocks.{level * (layers + 1) + layers}.{2 if has_attention else 1}.conv.{m[2]}"
        assert ldm is not None, name
        result["model.diffusion_model." + ldm] = value
    return result


def vae_to_ldm(state, config):
    levels = len(config["block_out_channels"])
    result = {}
    for name, value in state.items():
        ldm = None
        if m := re.fullmatch(r"(encoder|decoder)\.(conv_in|conv_out)\.(.+)", name):
            ldm = name
        elif m := re.fullmatch(r"(encoder|decoder)\.conv_norm_out\.(.+)", name):
            ldm = f"{m[1]}.norm_out.{m[2]}"
        elif m := re.fullmatch(r"(quant_conv|post_quant_conv)\.(.+)", name):
            ldm = name
        elif m := re.fullmatch(r"encoder\.down_blocks\.(\d+)\.resnets\.(\d+)\.(.+)", name):
            ldm = f"encoder.down.{m[1]}.block.{m[2]}.{m[3].replace('conv_shortcut.', 'nin_shortcut.')}"
        elif m := re.fullmatch(r"encoder\.down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.+)", name):
            ldm = f"encoder.down.{m[1]}.downsample.conv.{m[2]}"
        elif m := re.fullmatch(r"decoder\.up_blocks\.(\d+)\.resnets\.(\d+)\.(.+)", name):
            ldm = f"decoder.up.{levels - 1 - int(m[1])}.block.{m[2]}.{m[3].replace('conv_shortcut.', 'nin_shortcut.')}"
        elif m := re.fullmatch(r"decoder\.up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.+)", name):
            ldm = f"decoder.up.{levels - 1 - int(m[1])}.upsample.conv.{m[2]}"
        elif m := re.fullmatch(r"(encoder|decoder)\.mid_block\.resnets\.(\d+)\.(.+)", name):
            ldm = f"{m[1]}.mid.block_{int(m[2]) + 1}.{m[3].replace('conv_shortcut.', 'nin_shortcut.')}"
        elif m := re.fullmatch(r"(encoder|decoder)\.mid_block\.attentions\.0\.(group_norm|to_q|to_k|to_v|to_out\.0)\.(.+)", name):
            part = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out.0": "proj_out"}[m[2]]
            ldm = f"{m[1]}.mid.attn_1.{part}.{m[3]}"
            if m[3] == "weight" and part != "norm":
                value = value[:, :, None, None]  # CompVis keeps these as 1x1 convolutions
        assert ldm is not None, name
        result["first_stage_model." + ldm] = value
    return result


def clip_to_ldm(state):
    return {"cond_stage_model.transformer." + name: value for name, value in state.items()}


def open_clip_to_ldm(state, layers, generator):
    """transformers CLIP names of a model with `layers` + 1 layers -> OpenCLIP's, under cond_stage_model.model."""
    prefix = "cond_stage_model.model."
    result = {}
    for name, value in state.items():
        if name == "text_model.embeddings.position_ids":
            continue
        fixed = {"text_model.embeddings.token_embedding.weight": "token_embedding.weight",
                 "text_model.embeddings.position_embedding.weight": "positional_embedding",
                 "text_model.final_layer_norm.weight": "ln_final.weight", "text_model.final_layer_norm.bias": "ln_final.bias"}
        if name in fixed:
            result[prefix + fixed[name]] = value
            continue
        m = re.fullmatch(r"text_model\.encoder\.layers\.(\d+)\.(.+)", name)
        assert m, name
        block, rest = m[1], m[2]
        if rest.startswith("self_attn.") and rest.split(".")[1] in ("q_proj", "k_proj", "v_proj"):
            continue  # fused below
        rest = (rest.replace("layer_norm1.", "ln_1.").replace("layer_norm2.", "ln_2.").replace("self_attn.out_proj.", "attn.out_proj.")
                .replace("mlp.fc1.", "mlp.c_fc.").replace("mlp.fc2.", "mlp.c_proj."))
        result[f"{prefix}transformer.resblocks.{block}.{rest}"] = value
    for block in range(layers + 1):
        for kind in ("weight", "bias"):
            parts = [state[f"text_model.encoder.layers.{block}.self_attn.{p}_proj.{kind}"] for p in ("q", "k", "v")]
            result[f"{prefix}transformer.resblocks.{block}.attn.in_proj_{kind}"] = torch.cat(parts, 0)
    width = state["text_model.embeddings.token_embedding.weight"].shape[1]
    result[prefix + "text_projection"] = torch.randn(width, width, generator=generator) / width ** 0.5
    result[prefix + "logit_scale"] = torch.tensor(4.6052)
    return result


# ---------------------------------------------------------------------------------------------------------------


def build(name, spec, folder):
    """The diffusers folder (float32 values that float16 holds exactly) and the CompVis state dict."""
    generator = torch.Generator().manual_seed(spec["seed"])
    unet = UNet2DConditionModel(**spec["unet"]).eval()
    vae = AutoencoderKL(**spec["vae"]).eval()
    text = spec["text"]
    sd2 = name == "sd2"
    full_text = CLIPTextModel(CLIPTextConfig(
        vocab_size=VOCABULARY, max_position_embeddings=77, layer_norm_eps=1e-5, bos_token_id=0, eos_token_id=2, pad_token_id=1,
        **dict(text, num_hidden_layers=text["num_hidden_layers"] + (1 if sd2 else 0)))).eval()
    for model in (unet, vae, full_text):
        make_reference.randomize_(model, generator)
        make_reference.round_to_(model, torch.float16)
    # The model diffusers builds for SD 2.x has the file's layers but the last (the penultimate layer's output).
    text_encoder = CLIPTextModel(CLIPTextConfig(
        vocab_size=VOCABULARY, max_position_embeddings=77, layer_norm_eps=1e-5, bos_token_id=0, eos_token_id=2, pad_token_id=1,
        **text)).eval()
    missing = text_encoder.load_state_dict(full_text.state_dict(), strict=False)
    assert not missing.missing_keys and all(".layers." in key for key in missing.unexpected_keys), missing

    os.makedirs(folder)
    unet.save_pretrained(os.path.join(folder, "unet"))
    vae.save_pretrained(os.path.join(folder, "vae"))
    text_encoder.save_pretrained(os.path.join(folder, "text_encoder"))
    tokenizer_source = os.path.join(ROOT, "Tests", "DiffusionTests", "Fixtures", "tiny-sd2" if sd2 else "tiny-sd1", "tokenizer")
    shutil.copytree(tokenizer_source, os.path.join(folder, "tokenizer"))
    os.makedirs(os.path.join(folder, "scheduler"))
    make_reference.write_json(os.path.join(folder, "scheduler", "scheduler_config.json"), {
        "_class_name": "DDIMScheduler", "num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.012,
        "beta_schedule": "scaled_linear", "prediction_type": "epsilon", "steps_offset": 1, "set_alpha_to_one": False,
        "clip_sample": False})
    make_reference.write_json(os.path.join(folder, "model_index.json"), {
        "_class_name": "StableDiffusionPipeline", "_diffusers_version": diffusers.__version__,
        "feature_extractor": [None, None], "requires_safety_checker": False, "safety_checker": [None, None],
        "scheduler": ["diffusers", "DDIMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"]})

    state = {}
    state.update(unet_to_ldm(unet.state_dict(), spec["unet"]))
    state.update(vae_to_ldm(vae.state_dict(), spec["vae"]))
    if sd2:
        state.update(open_clip_to_ldm(full_text.state_dict(), text["num_hidden_layers"], generator))
    else:
        state.update(clip_to_ldm(full_text.state_dict()))
    state = {key: value.contiguous() for key, value in state.items()}
    return {"unet": unet, "vae": vae, "text_encoder": text_encoder}, state


@torch.no_grad()
def references(name, models, spec):
    generator = torch.Generator().manual_seed(spec["seed"] + 100)
    latent = 8
    inputs = {
        "text-encoder": {"input_ids": torch.randint(0, VOCABULARY, (2, 77), generator=generator)},
        "unet": {"sample": torch.randn(2, 4, latent, latent, generator=generator), "timestep": torch.tensor([999, 20]),
                 "encoder_hidden_states": torch.randn(2, 77, spec["unet"]["cross_attention_dim"], generator=generator)},
        "vae-encode": {"image": torch.rand(1, 3, 16, 16, generator=generator) * 2 - 1},
        "vae-decode": {"latents": torch.randn(1, 4, latent, latent, generator=generator)},
    }
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    outputs = {}
    for component, (model_name, run) in make_reference.RUNNERS.items():
        outputs[component] = {k: v.contiguous() for k, v in run(models[model_name], inputs[component]).items()}
        save_file(inputs[component], os.path.join(folder, f"{component}.inputs.safetensors"))
        save_file(outputs[component], os.path.join(folder, f"{component}.outputs.safetensors"))
    return inputs, outputs


def write_checkpoints(name, state):
    written = []
    if name == "sd1":
        half = {key: value.half() for key, value in state.items()}
        save_file(half, os.path.join(OUT, "sd1-fp16.safetensors"))
        half = dict(half)
        half["model_ema.decay"] = torch.tensor(0.9999)
        half["model_ema.num_updates"] = torch.tensor(1000, dtype=torch.int32)
        half["model_ema.diffusion_modelconv_inweight"] = half["model.diffusion_model.input_blocks.0.0.weight"].clone()
        torch.save({"state_dict": half, "global_step": 1000, "epoch": 3}, os.path.join(OUT, "sd1-fp16.ckpt"))
        written = ["sd1-fp16.safetensors", "sd1-fp16.ckpt"]
    else:
        save_file({key: value.half() for key, value in state.items()}, os.path.join(OUT, "sd2-fp16.safetensors"))
        torch.save(state, os.path.join(OUT, "sd2.ckpt"), _use_new_zipfile_serialization=False)
        written = ["sd2-fp16.safetensors", "sd2.ckpt"]
    return written


def check_with_diffusers(folder, file, models):
    """diffusers' single-file loader, given the diffusers configs, reads the same UNet and VAE tensors."""
    pipeline = StableDiffusionPipeline.from_single_file(
        file, config=folder, local_files_only=True, torch_dtype=torch.float32, safety_checker=None,
        text_encoder=models["text_encoder"])  # its SD 2.x text conversion assumes 24 resblocks (ignores resblocks.23)
    for part in ("unet", "vae"):
        loaded, expected = getattr(pipeline, part).state_dict(), models[part].state_dict()
        assert set(loaded) == set(expected), (file, part, sorted(set(loaded) ^ set(expected)))
        for key, value in expected.items():
            assert torch.equal(loaded[key].float(), value), (file, part, key)


@torch.no_grad()
def check_convert(binary, file, inputs, outputs):
    with tempfile.TemporaryDirectory() as scratch:
        converted = os.path.join(scratch, "converted")
        subprocess.run([binary, "convert", "--checkpoint", file, "--output", converted], check=True, stdout=subprocess.DEVNULL)
        pipeline = StableDiffusionPipeline.from_pretrained(converted, safety_checker=None)
        models = {"unet": pipeline.unet.eval(), "vae": pipeline.vae.eval(), "text_encoder": pipeline.text_encoder.eval()}
        for component, (model_name, run) in make_reference.RUNNERS.items():
            result = run(models[model_name], inputs[component])
            for key, value in outputs[component].items():
                error = ((result[key] - value).abs().max() / value.abs().max()).item()
                # SPEC's measure: float32 results of this 4-level random UNet already move by ~5e-5 between thread counts.
                assert error <= 1e-4, (file, component, key, error)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", help="latent-prior executable: also check `convert` against diffusers")
    args = parser.parse_args()
    if not transformers.__version__.startswith("4."):
        sys.exit(f"transformers {transformers.__version__}: this script needs transformers 4.x (with diffusers)")
    torch.manual_seed(0)
    torch.set_num_threads(1)  # as make_reference.py: one thread, so that two runs write identical files
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    with tempfile.TemporaryDirectory() as scratch:
        for name, spec in SPECS.items():
            folder = os.path.join(scratch, name)
            models, state = build(name, spec, folder)
            inputs, outputs = references(name, models, spec)
            for file in write_checkpoints(name, state):
                path = os.path.join(OUT, file)
                check_with_diffusers(folder, path, models)
                if args.binary:
                    check_convert(args.binary, path, inputs, outputs)
                print(f"  {file}: {os.path.getsize(path) / 1e6:.2f} MB; diffusers' single-file loader reads the same tensors"
                      + ("; `latent-prior convert` output reproduces the references in diffusers" if args.binary else ""))
    make_reference.make_readable(OUT)
    print(f"diffusers {diffusers.__version__}, transformers {transformers.__version__}, torch {torch.__version__}")


if __name__ == "__main__":
    main()
