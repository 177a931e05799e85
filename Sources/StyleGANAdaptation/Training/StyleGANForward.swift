import MLXCore
import StyleGAN

/// `forward stylegan`: a generator on PyTorch-layout tensors, for parity checks against PyTorch.
public enum StyleGANForward {
    /// `z` [B, S] (mapped) or `w` [B, n_latent, S] (W+), optional `truncation` [1] → `image` [B, 3, H, W].
    public static func run(_ generator: StyleGAN2Generator, inputs: [String: MLXArray], source: String) throws -> [String: MLXArray] {
        let a = generator.architecture
        var psi: Float = 1
        if let truncation = inputs["truncation"] {
            guard truncation.size == 1 else { throw StyleGANError.invalidInput("\(source): 'truncation' must hold one value, got shape \(truncation.shape)") }
            psi = try truncation.asType(.float32).reshaped([1]).item(Float.self)
            guard psi.isFinite, psi >= 0 else { throw StyleGANError.invalidInput("\(source): 'truncation' must be a finite ψ ≥ 0, got \(psi)") }
        }
        let image: MLXArray
        if let z = inputs["z"] {
            guard z.ndim == 2, z.dim(1) == a.styleDimension else {
                throw StyleGANError.invalidInput("\(source): 'z' must be [B, \(a.styleDimension)], got \(z.shape)")
            }
            image = try generator(z.asType(.float32), truncation: psi)
        } else if let w = inputs["w"] {
            guard w.ndim == 3, w.dim(1) == a.latentCount, w.dim(2) == a.styleDimension else {
                throw StyleGANError.invalidInput("\(source): 'w' must be [B, \(a.latentCount), \(a.styleDimension)] (W+), got \(w.shape)")
            }
            var codes = try w.asType(.float32)
            if psi < 1 {
                guard let average = generator.latentAverage else {
                    throw StyleGANError.invalidInput("\(source): truncation needs the checkpoint's latent_avg, which it does not have")
                }
                codes = try average + (codes - average) * psi
            }
            image = try generator.synthesize(codes)
        } else {
            throw StyleGANError.invalidInput("\(source): needs 'z' [B, \(a.styleDimension)] or 'w' [B, \(a.latentCount), \(a.styleDimension)]")
        }
        return ["image": try image.transposed([0, 3, 1, 2]).contiguous()]
    }
}
