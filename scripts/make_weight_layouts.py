"""Writes the tiny SD 1.x model of Tests/DiffusionTests/Fixtures/tiny-sd1 in the other weight layouts users have,
and proves with diffusers/transformers that each gives that model's reference outputs.

Run it twice, once per transformers line (each run writes what only that line can prove):

    PYTHONPATH=/tmp/refsite python3 scripts/make_weight_layouts.py          # transformers 4.x + diffusers
    PYTHONPATH=/tmp/refsite5:/tmp/refsite python3 scripts/make_weight_layouts.py  # transformers 5.x

With transformers 4.x (and diffusers, scripts/requirements-reference.txt) it writes
  Fixtures/weight-layouts/tiny-sd1-bin/: the model folder with `torch.save` pickles instead of safetensors
  (unet/diffusion_pytorch_model.bin, vae/diffusion_pytorch_model.bin, text_encoder/pytorch_model.bin, as
  `save_pretrained(safe_serialization=False)` writes them, plus an fp16 variant of the UNet), checked by loading it
  back with diffusers and reproducing tiny-sd1's stored references bit for bit.
With transformers 5.x (`pip install --target /tmp/refsite5 transformers==5.24.0`; torch from /tmp/refsite) it writes
  Fixtures/weight-layouts/bare-text-encoder/: the text encoder keyed without the `text_model.` prefix
  (`embeddings.token_embedding.weight`, ...), and reference/text-encoder.outputs.safetensors computed by
  transformers 5 from that folder. transformers 4 does not load this layout (it initialises the weights at random),
  transformers 5 does; in our trials both 5.0.0 and 5.24.0 still *write* the prefixed layout.
"""
import os
import shutil
import sys

import torch
import transformers
from safetensors.torch import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "DiffusionTests", "Fixtures")
SOURCE = os.path.join(FIXTURES, "tiny-sd1")
OUT = os.path.join(FIXTURES, "weight-layouts")


def reference(name):
    return load_file(os.path.join(SOURCE, "reference", f"{name}.safetensors"))


def make_readable(folder):
    for directory, _, names in os.walk(folder):
        for name in names:
            os.chmod(os.path.join(directory, name), 0o644)


def assert_same_weights(model, source_model, what):
    """The pickled folder holds exactly the tensors of the safetensors one."""
    loaded, source = model.state_dict(), source_model.state_dict()
    assert set(loaded) == set(source), (what, sorted(set(loaded) ^ set(source)))
    for key, value in source.items():
        assert torch.equal(loaded[key], value), f"{what} {key}"


def assert_close(outputs, expected, what):
    """Outputs within float32 summation-order noise of the stored references (bit equality is not promised across
    thread counts and kernels: the UNet differs by ~1e-6 between runs with different thread pools)."""
    assert set(outputs) == set(expected), (what, sorted(outputs), sorted(expected))
    for key, value in expected.items():
        error = (outputs[key].float() - value.float()).abs().max().item() / value.float().abs().max().item()
        assert error <= 1e-5, f"{what} {key}: max |Δ| / max |ref| = {error}"


@torch.no_grad()
def make_bin_folder():
    import diffusers
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextModel

    folder = os.path.join(OUT, "tiny-sd1-bin")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name in ["model_index.json"]:
        shutil.copy(os.path.join(SOURCE, name), folder)
    for name in ["scheduler", "tokenizer"]:
        shutil.copytree(os.path.join(SOURCE, name), os.path.join(folder, name))
    UNet2DConditionModel.from_pretrained(SOURCE, subfolder="unet").save_pretrained(
        os.path.join(folder, "unet"), safe_serialization=False)
    UNet2DConditionModel.from_pretrained(SOURCE, subfolder="unet").half().save_pretrained(
        os.path.join(folder, "unet"), safe_serialization=False, variant="fp16")
    AutoencoderKL.from_pretrained(SOURCE, subfolder="vae").save_pretrained(
        os.path.join(folder, "vae"), safe_serialization=False)
    CLIPTextModel.from_pretrained(SOURCE, subfolder="text_encoder").save_pretrained(
        os.path.join(folder, "text_encoder"), safe_serialization=False)
    make_readable(folder)
    for component in ["unet", "vae", "text_encoder"]:
        names = sorted(os.listdir(os.path.join(folder, component)))
        assert not any(name.endswith(".safetensors") for name in names), names

    # Proof: diffusers/transformers load the pickles back to the same tensors and reproduce tiny-sd1's references.
    unet = UNet2DConditionModel.from_pretrained(folder, subfolder="unet", use_safetensors=False).eval()
    vae = AutoencoderKL.from_pretrained(folder, subfolder="vae", use_safetensors=False).eval()
    text_encoder = CLIPTextModel.from_pretrained(folder, subfolder="text_encoder", use_safetensors=False).eval()
    assert_same_weights(unet, UNet2DConditionModel.from_pretrained(SOURCE, subfolder="unet"), "unet")
    assert_same_weights(vae, AutoencoderKL.from_pretrained(SOURCE, subfolder="vae"), "vae")
    assert_same_weights(text_encoder, CLIPTextModel.from_pretrained(SOURCE, subfolder="text_encoder"), "text_encoder")
    inputs = reference("unet.inputs")
    outputs = {"sample": unet(inputs["sample"], inputs["timestep"], encoder_hidden_states=inputs["encoder_hidden_states"]).sample}
    assert_close(outputs, reference("unet.outputs"), "unet")
    distribution = vae.encode(reference("vae-encode.inputs")["image"]).latent_dist
    assert_close({"mean": distribution.mean, "logvar": distribution.logvar}, reference("vae-encode.outputs"), "vae-encode")
    assert_close({"image": vae.decode(reference("vae-decode.inputs")["latents"]).sample}, reference("vae-decode.outputs"), "vae-decode")
    ids = reference("text-encoder.inputs")["input_ids"]
    assert_close({"last_hidden_state": text_encoder(ids)[0]}, reference("text-encoder.outputs"), "text-encoder")
    half_file = torch.load(os.path.join(folder, "unet", "diffusion_pytorch_model.fp16.bin"), weights_only=True)
    assert all(value.dtype == torch.float16 for value in half_file.values())
    half = UNet2DConditionModel.from_pretrained(folder, subfolder="unet", variant="fp16", use_safetensors=False).eval()
    outputs = {"sample": half(inputs["sample"], inputs["timestep"], encoder_hidden_states=inputs["encoder_hidden_states"]).sample}
    error = (outputs["sample"] - reference("unet.outputs")["sample"]).abs().max() / reference("unet.outputs")["sample"].abs().max()
    print(f"  fp16 UNet variant (diffusers upcasts to float32): max |Δ| / max |ref| = {error.item():.3g}")
    print(f"  {folder}: diffusers {diffusers.__version__} / transformers {transformers.__version__} load the same tensors and reproduce tiny-sd1's references")


@torch.no_grad()
def make_bare_text_encoder():
    from transformers import CLIPTextModel

    folder = os.path.join(OUT, "bare-text-encoder")
    shutil.rmtree(folder, ignore_errors=True)
    encoder_folder = os.path.join(folder, "text_encoder")
    os.makedirs(encoder_folder)
    os.makedirs(os.path.join(folder, "reference"))
    shutil.copy(os.path.join(SOURCE, "text_encoder", "config.json"), encoder_folder)
    weights = load_file(os.path.join(SOURCE, "text_encoder", "model.safetensors"))
    bare = {key.removeprefix("text_model."): value for key, value in weights.items()}
    assert all(not key.startswith("text_model.") for key in bare)
    save_file(bare, os.path.join(encoder_folder, "model.safetensors"), metadata={"format": "pt"})

    text_encoder = CLIPTextModel.from_pretrained(encoder_folder).eval()
    # transformers 5 maps every bare key onto the model (nothing left at random); its state_dict then keeps the
    # file's layout, so both sides are compared under bare names.
    loaded = {key.removeprefix("text_model."): value for key, value in text_encoder.state_dict().items()}
    assert set(loaded) == set(bare), sorted(set(loaded) ^ set(bare))
    for key, value in bare.items():
        assert torch.equal(loaded[key], value), key
    ids = reference("text-encoder.inputs")["input_ids"]
    outputs = {"last_hidden_state": text_encoder(ids)[0].contiguous()}
    save_file(outputs, os.path.join(folder, "reference", "text-encoder.outputs.safetensors"))
    make_readable(folder)
    difference = (outputs["last_hidden_state"] - reference("text-encoder.outputs")["last_hidden_state"]).abs().max().item()
    print(f"  {folder}: transformers {transformers.__version__}; max |Δ| to transformers 4's tiny-sd1 reference {difference:.3g}")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(1)  # as make_reference.py: one thread, so that two runs write identical files
    if transformers.__version__.startswith("4."):
        make_bin_folder()
    elif transformers.__version__.startswith("5."):
        make_bare_text_encoder()
    else:
        sys.exit(f"transformers {transformers.__version__}: expected 4.x or 5.x")


if __name__ == "__main__":
    main()
