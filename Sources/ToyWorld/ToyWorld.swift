/// The toy world (SPEC §4): a procedural dataset of shaded primitives and the tiny
/// Stable-Diffusion-architecture model trained on it, shipped as the default model.
public enum ToyWorld {}
