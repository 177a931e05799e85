#!/usr/bin/env python3
"""Builds the CLIP tokenizer test fixture and its reference token ids.

Writes into Tests/DiffusionTests/Fixtures/clip-tokenizer/:
  vocab.json, merges.txt            the real CLIP BPE vocabulary (openai/clip-vit-large-patch14's),
                                    converted from open_clip's bpe_simple_vocab_16e6.txt.gz
                                    (only with --bpe-gz; the converted files are committed)
  tokenizer_config.json,
  special_tokens_map.json           SD 1.x style: pad with <|endoftext|>
  sd2/tokenizer_config.json,
  sd2/special_tokens_map.json       SD 2.x style: special_tokens_map.json says pad_token "!" (id 0),
                                    and it overrides tokenizer_config.json's pad_token in from_pretrained
  reference_ids.json                for every prompt in PROMPTS, the 77 input_ids of
                                    tokenizer(prompt, padding="max_length",
                                              max_length=tokenizer.model_max_length, truncation=True)
                                    for both styles, as diffusers' pipelines call it.

The reference is the Rust-backed (`tokenizers`) CLIP tokenizer: `CLIPTokenizerFast` of transformers 4.x, which
is the only CLIPTokenizer of transformers 5. Like OpenAI's CLIP tokenizer it keeps runs of CJK ideographs together
(the slow transformers 4 tokenizer without ftfy splits every ideograph into its own word, as BERT's BasicTokenizer
does); it normalises with NFC, collapses white space and lower-cases each character, then applies CLIP's regex and
byte-level BPE. Where OpenAI's tokenizer runs ftfy first (curly quotes, ligatures, HTML entities, control
characters) the two differ; the fast tokenizer is what today's transformers gives every diffusers user, and its
rules are exact, so it is the reference. The committed reference_ids.json was written under transformers 5.x (run the script under 4.x for
added_tokens_reference.json, a config transformers 5 refuses); under 4.x
(CLIPTokenizerFast) the script writes the same ids except for special tokens spelled in another case
("<|ENDOFTEXT|>"): transformers 4 matches them after lower-casing and gives <|endoftext|>, transformers 5 (like the
slow tokenizer) matches them as written and tokenizes the text; 5 of the 97 cases.

Generated with: Python 3.11.7 (unicodedata 14.0.0), transformers 4.57.6 and 5.24.0, tokenizers 0.22.2 and 0.23.3,
open_clip_torch 3.3.0 (bpe_simple_vocab_16e6.txt.gz). No torch needed.

Usage:
  python3 -m pip download --no-deps open_clip_torch -d /tmp/oc && unzip -o /tmp/oc/*.whl -d /tmp/oc
  python3 -m pip install --target /tmp/tok4 "transformers<5"
  PYTHONPATH=/tmp/tok4 python3 scripts/make_tokenizer_reference.py \
      [--bpe-gz /tmp/oc/open_clip/bpe_simple_vocab_16e6.txt.gz]
"""

import argparse
import gzip
import json
import os
import random
import shutil
import sys
import tempfile
import unicodedata

import tokenizers  # noqa: E402
import transformers  # noqa: E402

if transformers.__version__.startswith("4."):
    from transformers import CLIPTokenizerFast as CLIPTokenizer  # noqa: E402
else:
    from transformers import CLIPTokenizer  # noqa: E402  (transformers 5: the tokenizers-backed one)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "Tests", "DiffusionTests", "Fixtures", "clip-tokenizer")

# CLIP's vocabulary: 256 byte symbols, the same with </w>, 48,894 merges, 2 special tokens.
MERGE_COUNT = 49152 - 256 - 2


def bytes_to_unicode():
    """GPT-2/CLIP's reversible map from bytes to printable characters (same as open_clip and transformers)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def convert_open_clip_vocabulary(bpe_gz):
    """vocab.json + merges.txt built exactly as OpenAI's SimpleTokenizer builds its vocabulary."""
    lines = gzip.open(bpe_gz).read().decode("utf-8").split("\n")
    merges = [tuple(line.split()) for line in lines[1 : MERGE_COUNT + 1]]
    assert len(merges) == MERGE_COUNT and all(len(m) == 2 for m in merges)
    symbols = list(bytes_to_unicode().values())
    vocab = symbols + [s + "</w>" for s in symbols] + ["".join(m) for m in merges] + ["<|startoftext|>", "<|endoftext|>"]
    assert len(vocab) == 49408 and len(set(vocab)) == 49408, "vocabulary entries must be unique"
    with open(os.path.join(FIXTURE, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({token: i for i, token in enumerate(vocab)}, f, ensure_ascii=False)
    with open(os.path.join(FIXTURE, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))


def added_token(content):
    return {"content": content, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}


def write_configs():
    """The tokenizer_config.json / special_tokens_map.json pairs of SD 1.x and SD 2.x (as on the Hub)."""
    bos, eos = added_token("<|startoftext|>"), added_token("<|endoftext|>")
    config = {
        "add_prefix_space": False, "bos_token": bos, "do_lower_case": True, "eos_token": eos, "errors": "replace",
        "model_max_length": 77, "pad_token": "<|endoftext|>", "tokenizer_class": "CLIPTokenizer", "unk_token": eos,
    }
    sd1_map = {"bos_token": bos, "eos_token": eos, "pad_token": "<|endoftext|>", "unk_token": eos}
    sd2_map = dict(sd1_map, pad_token="!")
    os.makedirs(os.path.join(FIXTURE, "sd2"), exist_ok=True)
    for folder, special_map in ((FIXTURE, sd1_map), (os.path.join(FIXTURE, "sd2"), sd2_map)):
        for name, value in (("tokenizer_config.json", config), ("special_tokens_map.json", special_map)):
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                json.dump(value, f, indent=2)
                f.write("\n")


LONG_PROMPT = (
    "a highly detailed matte painting of a medieval castle on a cliff above a stormy sea at sunset, "
    "dramatic lighting, volumetric clouds, crashing waves, seagulls, by greg rutkowski and thomas kinkade, "
    "trending on artstation, 8k resolution, octane render, unreal engine 5, cinematic composition, "
    "intricate stonework, glowing windows, banners fluttering in the wind, a lone knight on horseback "
    "approaching the gate, mist in the valley, golden hour, ultra wide angle, award winning photograph"
)

PROMPTS = [
    # well-known ids (also checked below against values published by other projects)
    "a photo of a cat",
    "A cyberpunk street at night, neon lights!",
    "the brown fox jumps over the lazy dog",
    "a beautiful landscape, digital art, trending on artstation",
    # empty and whitespace-only
    "",
    " ",
    "          ",
    "\t\n \r\n  \t",
    # whitespace runs, tabs, newlines, other Unicode spaces and separators
    "tabs\tand\nnewlines\r\nand   multiple    spaces",
    "  leading and trailing  ",
    "no\u00a0break\u2003em\u3000ideographic\u2028line\u2029paragraph",
    # case
    "A PHOTO OF AN ASTRONAUT RIDING A HORSE ON MARS",
    "CamelCase MiXeD cAsE",
    # contractions (and their upper-case forms; ' ' glued to letters)
    "don't it's I'll they've we're you'd I'm",
    "DON'T IT'S I'LL THEY'VE",
    "rock'n'roll o'clock 'tis",
    "it\u2019s curly quote",
    # numbers
    "1234",
    "3.14",
    "2nd place, 1st prize, 10,000 people",
    "$100.00 and 50% off, 4k 8K 1080p",
    "\u0661\u0662\u0663 arabic-indic \u2166 roman \u00bd half x\u00b2",
    # punctuation runs
    "!!!???...",
    "hello!!! world??? wow!",
    "!important",
    "a---b___c...d///e\\\\f",
    "(parentheses) [brackets] {braces} <angles>",
    "\"double\" 'single' `backtick`",
    "@user #hashtag ~tilde^ caret* &ampersand |pipe",
    # HTML entities (not unescaped without ftfy)
    "&amp; &lt;b&gt; &quot;html&quot; &#39;entities&#39;",
    # accents, precomposed and combining (NFC), stripping is NOT done
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u00c5ngstr\u00f6m Stra\u00dfe",
    "cafe\u0301 nai\u0308ve A\u030angstro\u0308m",
    "q\u0301 x\u0323\u0307 combining marks without precomposed forms",
    "\u1e9b\u0323 \u212b \u2126 \u212a canonical singletons",
    # scripts: CJK ideographs stay together like other letters (the slow tokenizer without ftfy split them)
    "\u5317\u4eac\u6b22\u8fce\u4f60",
    "\u6771\u4eac\u30bf\u30ef\u30fc \u3072\u3089\u304c\u306a",
    "\ud55c\uad6d\uc5b4 \ubb38\uc7a5",
    "\u65e5\u672c\u8a9eEnglish\u6df7\u5728",
    "\uf900\uf901 compatibility ideographs",
    "\u0395\u039b\u039b\u0397\u039d\u0399\u039a\u0391 \u039f\u0394\u039f\u03a3 \u03a3\u03a3",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u05e2\u05d1\u05e8\u05d9\u05ea \u0440\u0443\u0441\u0441\u043a\u0438\u0439 \u0420\u0423\u0421\u0421\u041a\u0418\u0419",
    "\u03a3 \u0391\u03a3. \u0391\u03a3'\u0392 \u0391\u0301\u03a3 \u0391\u03a3\u0301 final sigma",
    "\u0130stanbul \u0131\u015f\u0131k",
    "\u01c5 \u01c4 \u1e9e titlecase",
    "\ufb01ne \ufb02ower ligatures",
    "it'\u017f long s",
    # emoji: ZWJ sequences (U+200D is a format character and is removed), variation selectors, modifiers
    "\U0001f642 emoji and \u6f22\u5b57",
    "emoji \U0001f431\U0001f680 and \U0001f468\u200d\U0001f469\u200d\U0001f467 family",
    "\U0001f3f3\ufe0f\u200d\U0001f308 flag \U0001f44d\U0001f3fd thumbs \u2764\ufe0f heart",
    # invisible and control characters
    "zero\u200bwidth\u200cnon\u200djoiner \u00adsoft\u00adhyphen \ufeffbom",
    "null\x00char replacement\ufffdchar bell\x07 escape\x1b[0m delete\x7f",
    "vertical\x0btab form\x0cfeed next\x85line",
    "private\ue000use",
    "pink \U0001fa77 heart (Unicode 15.0, unassigned for Python 3.11)",
    # special tokens inside text
    "a <|endoftext|> b",
    "<|startoftext|>x<|endoftext|>",
    "text<|endoftext|>more<|startoftext|>",
    "<|ENDOFTEXT|> <|StartOfText|>",
    "<|endoftext",
    # BPE stress: repeated pairs, long unknown words, cache reuse
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "abababababababab",
    "supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis",
    "cat cat cat dog dog cat",
    # lengths: exactly 75 tokens (fits), 76 (truncated by one), and far longer than 77
    " ".join(["cat"] * 75),
    " ".join(["cat"] * 76),
    LONG_PROMPT,
    LONG_PROMPT.upper() + " " + LONG_PROMPT,
]



def random_mixtures(count, seed=7):
    """Seeded random strings mixing every hard class above, special tokens and contractions included."""
    pools = [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", " " * 6,
        "\t\n\r\x0b\x0c\x85\u2028\u2029\u00a0\u3000\u200b", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "'" * 3,
        "\u00e9\u00e8\u00ea\u00eb\u00e0\u00f6\u00e7\u00f1\u00c5\u00f8\u0153\u00df\u017f\u0130\u0131\u03a3\u03c3\u03c2\u0391\u0394\u0416\u044f",
        "\u0301\u0308\u0323\u030a\u0307", "\u5317\u4eac\u6b22\u8fce\u6771\u65e5\u672c\uf900", "\u3072\u3089\u30ab\u30bf\ud55c\uad6d",
        "\U0001f431\U0001f680\U0001f44d\U0001f3fd\u2764\u200d\ufe0f\U0001f308", "\x00\x07\x1b\x7f\ufffd\ue000\ufeff\u00ad",
        "\u01c5\u01c4\u1e9e\ufb01\u00bd\u00b2\u216b\u0661",
    ]
    words = ["<|endoftext|>", "<|startoftext|>", "<|ENDOFTEXT|>", "don't", "'s", "'LL", "&amp;", "!!!"]
    rng = random.Random(seed)
    prompts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.1:
                parts.append(rng.choice(words))
            else:
                pool = rng.choice(pools)
                parts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 6))))
        prompts.append("".join(parts))
    return prompts


PROMPTS += random_mixtures(30)

# Ids published by other projects for the openai/clip-vit-large-patch14 vocabulary (without bos/eos).
KNOWN_IDS = {
    "a photo of a cat": [320, 1125, 539, 320, 2368],
    "A cyberpunk street at night, neon lights!": [320, 36896, 2012, 536, 930, 267, 13919, 3073, 256],
    "the brown fox jumps over the lazy dog": [518, 2866, 3240, 18911, 962, 518, 10753, 1929],
    "a beautiful landscape, digital art, trending on artstation": [320, 1215, 5727, 267, 2794, 794, 267, 6087, 525, 1486, 2631],
}


def load_tokenizer(config_folder):
    """CLIPTokenizer.from_pretrained on a folder with the fixture vocabulary and the given configs."""
    folder = tempfile.mkdtemp()
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(os.path.join(FIXTURE, name), folder)
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(os.path.join(config_folder, name), folder)
    tokenizer = CLIPTokenizer.from_pretrained(folder)
    assert tokenizer.is_fast, "need the tokenizers-backed CLIP tokenizer"
    return tokenizer


def input_ids(tokenizer, prompt):
    encoded = tokenizer(prompt, padding="max_length", max_length=tokenizer.model_max_length, truncation=True)
    ids = encoded["input_ids"]
    assert len(ids) == 77
    return ids


ADDED_TOKEN_CONFIG = {
    "tokenizer_config.json": {"model_max_length": 16, "pad_token": "<|endoftext|>"},
    "special_tokens_map.json": {"additional_special_tokens": [{"content": "dog", "lstrip": True}, {"content": "cat", "rstrip": True}]},
}
ADDED_TOKEN_PROMPTS = ["a hotdog", "hot dog  food", "a   dog   cat   b", "dogcat"]


def write_added_token_reference():
    """model_max_length 16 and additional special tokens with lstrip/rstrip (TokenizerLoadingTests). transformers 5
    refuses objects in additional_special_tokens (TypeError in _add_tokens), so this file comes from transformers 4's
    CLIPTokenizerFast; its slow CLIPTokenizer gives the same ids (checked here)."""
    folder = tempfile.mkdtemp()
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(os.path.join(FIXTURE, name), folder)
    for name, value in ADDED_TOKEN_CONFIG.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            json.dump(value, f)
    fast = CLIPTokenizer.from_pretrained(folder)
    slow = transformers.CLIPTokenizer.from_pretrained(folder)
    cases = []
    for prompt in ADDED_TOKEN_PROMPTS:
        ids = fast(prompt, padding="max_length", max_length=fast.model_max_length, truncation=True)["input_ids"]
        assert ids == slow(prompt, padding="max_length", max_length=slow.model_max_length, truncation=True)["input_ids"]
        cases.append({"prompt": prompt, "input_ids": ids, "tokens": fast.tokenize(prompt)})
    with open(os.path.join(FIXTURE, "added_tokens_reference.json"), "w", encoding="utf-8") as f:
        json.dump({"generator": "scripts/make_tokenizer_reference.py", "transformers": transformers.__version__,
                   "config": ADDED_TOKEN_CONFIG, "cases": cases}, f, indent=1)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bpe-gz", help="open_clip's bpe_simple_vocab_16e6.txt.gz: (re)build vocab.json/merges.txt")
    args = parser.parse_args()

    os.makedirs(FIXTURE, exist_ok=True)
    if args.bpe_gz:
        convert_open_clip_vocabulary(args.bpe_gz)
    write_configs()

    if transformers.__version__.startswith("4."):
        write_added_token_reference()
        print("wrote added_tokens_reference.json (transformers 4); run under transformers 5 for reference_ids.json")
        return
    styles = {"sd1": load_tokenizer(FIXTURE), "sd2": load_tokenizer(os.path.join(FIXTURE, "sd2"))}
    assert styles["sd1"].pad_token_id == 49407 and styles["sd2"].pad_token_id == 0
    for prompt, known in KNOWN_IDS.items():
        assert input_ids(styles["sd1"], prompt)[: len(known) + 2] == [49406] + known + [49407], prompt

    cases = []
    for prompt in PROMPTS:
        case = {"prompt": prompt}
        for style, tokenizer in styles.items():
            case[style] = input_ids(tokenizer, prompt)
        case["tokens"] = styles["sd1"].tokenize(prompt)
        cases.append(case)

    reference = {
        "generator": "scripts/make_tokenizer_reference.py",
        "reference": "the tokenizers-backed CLIP tokenizer (transformers 4 CLIPTokenizerFast = transformers 5 CLIPTokenizer), "
                     "padding='max_length', max_length=77, truncation=True",
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "python": sys.version.split()[0],
        "unicodedata": unicodedata.unidata_version,
        "styles": {"sd1": "pad_token <|endoftext|> (49407)", "sd2": "pad_token ! (0), from sd2/special_tokens_map.json"},
        "cases": cases,
    }
    # One line per case and per field keeps the file readable and its diffs small.
    header = json.dumps({k: v for k, v in reference.items() if k != "cases"}, indent=1)[:-2]
    lines = [
        "  {\n" + ",\n".join(f"   {json.dumps(k)}: {json.dumps(v, ensure_ascii=True)}" for k, v in case.items()) + "\n  }"
        for case in cases
    ]
    with open(os.path.join(FIXTURE, "reference_ids.json"), "w", encoding="utf-8") as f:
        f.write(header + ',\n "cases": [\n' + ",\n".join(lines) + "\n ]\n}\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(FIXTURE, ROOT)}/reference_ids.json")


if __name__ == "__main__":
    main()
