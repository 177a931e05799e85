# LatentPrior: `make demo` runs the main job, `make test` runs the tests. Both set up first.
# BACKEND=cuda make setup installs the CUDA build of MLX (mlx-cuda-13) instead of the CPU one.
SHELL := /bin/bash
BACKEND ?= cpu
BIN := .build/release/latent-prior

.PHONY: setup build test demo bench fixtures fuzz clean

setup:
	@BACKEND=$(BACKEND) bash scripts/setup.sh

build: setup
	swift build -c release

test: setup
	swift build --build-tests
	swift test --skip-build --disable-swift-testing

demo: build
	$(BIN) info
	$(BIN) generate --prompt "a red cube" --count 4 --steps 25 --output runs/demo/generate
	$(BIN) optimize --prompt "a blue sphere" --iterations 200 --output runs/demo/optimize
	$(BIN) text-to-3d --prompt "a red cube" --refine-iterations 300 --output runs/demo/text-to-3d
	$(BIN) render-toy --shape sphere --colour green --output runs/demo/green-sphere.png
	$(BIN) edit --image runs/demo/green-sphere.png --prompt "a blue sphere" --output runs/demo/edit
	$(BIN) adapt-stylegan --prompt "a green cube" --output runs/demo/adapt-stylegan
	@echo "pictures: runs/demo/generate/grid.png, runs/demo/optimize/final.png (progress in runs/demo/optimize/snapshots/)"
	@echo "3D: runs/demo/text-to-3d/views.png, turntable.gif, mesh.glb / mesh.obj / mesh.ply"
	@echo "edit: runs/demo/edit/comparison.png (before | after), composite.png, alpha.png, edit.png (progress in runs/demo/edit/snapshots/)"
	@echo "StyleGAN: runs/demo/adapt-stylegan/comparison.png (before | after pairs), generator.safetensors"

bench: build
	$(BIN) bench blas

# Coverage-guided fuzzing of every parser of strangers' files (libFuzzer; ~1 min per target at 100k runs).
fuzz: setup
	for t in safetensors config tokenizer png jpeg pickle; do bash scripts/fuzz.sh $$t 100000 || exit 1; done

# Regenerates the committed numpy reference fixtures (needs numpy only).
fixtures:
	python3 scripts/make_op_fixtures.py

clean:
	rm -rf .build .build-*
