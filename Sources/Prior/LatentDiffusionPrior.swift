import Diffusion
import MLXCore

/// Text conditioning for the prior: encoded prompt and empty-prompt embeddings, [B or 1, L, D]
/// (one row per view for view-dependent prompts, or one row shared by the batch).
public struct TextConditioning {
    public let conditional: MLXArray
    public let unconditional: MLXArray
    /// Perp-Neg's negative prompts (empty: plain classifier-free guidance).
    public let perpendicularNegatives: [PerpendicularNegative]

    public init(conditional: MLXArray, unconditional: MLXArray, perpendicularNegatives: [PerpendicularNegative] = []) {
        self.conditional = conditional
        self.unconditional = unconditional
        self.perpendicularNegatives = perpendicularNegatives
    }
}

/// One evaluation of the prior at latents v: the three terms, their gradients with respect to v
/// (unweighted by λ), and diagnostics.
public struct PriorEvaluation {
    public let timesteps: [Int]
    public let weights: [Float]
    /// g_LSD = w(t)(ε̂ − ε), no gradient through the UNet.
    public let lsdGradient: MLXArray
    /// ∂L_FM/∂v, nil when λ_FM = 0.
    public let fmGradient: MLXArray?
    /// ∂L_KL/∂v, nil when λ_KL = 0.
    public let klGradient: MLXArray?
    /// ‖g_LSD‖²/2 (for logging only), L_FM, L_KL.
    public let lsdLoss: MLXArray
    public let fmLoss: MLXArray?
    public let klLoss: MLXArray?

    /// λ_LSD g_LSD + λ_FM ∂L_FM/∂v + λ_KL ∂L_KL/∂v: the cotangent an application pulls back through g(θ).
    public func totalGradient(_ configuration: PriorConfiguration) throws -> MLXArray {
        var total = try lsdGradient * configuration.lambdaLSD
        if let fmGradient { total = try total + fmGradient * configuration.lambdaFM }
        if let klGradient { total = try total + klGradient * configuration.lambdaKL }
        return total
    }

    /// ‖g_LSD‖, ‖∂L_FM/∂v‖, ‖∂L_KL/∂v‖ (0 for a term that is off), as scalar arrays: the numbers to
    /// balance λ_FM and λ_KL against, since the terms' loss values are not comparable.
    public func gradientNorms() throws -> [MLXArray] {
        try [lsdGradient, fmGradient, klGradient].map { gradient in
            guard let gradient else { return try MLXArray(Float(0)) }
            return try sqrt(square(gradient).sum())
        }
    }

    /// λ-weighted sum of the three loss values (LSD as its logged value).
    public func totalLoss(_ configuration: PriorConfiguration) throws -> MLXArray {
        var total = try lsdLoss * configuration.lambdaLSD
        if let fmLoss { total = try total + fmLoss * configuration.lambdaFM }
        if let klLoss { total = try total + klLoss * configuration.lambdaKL }
        return total
    }
}

/// The latent diffusion prior of Liao et al. (SPEC §2): latent score distillation through a frozen
/// UNet with classifier-free guidance, feature matching through the frozen VAE decoder, and a KL
/// regulariser on the latent. Latents are scaled (the UNet's space), channels-last [B, h, w, 4].
public final class LatentDiffusionPrior {
    public let unet: UNet2DConditionModel
    public let vae: AutoencoderKL
    public let schedule: NoiseSchedule
    public let configuration: PriorConfiguration
    private let layers: Set<DecoderLayer>

    public init(unet: UNet2DConditionModel, vae: AutoencoderKL, schedule: NoiseSchedule, configuration: PriorConfiguration) throws {
        self.configuration = try configuration.validated(trainTimesteps: schedule.trainTimesteps)
        self.unet = unet
        self.vae = vae
        self.schedule = schedule
        layers = try configuration.decoderLayers()
        unet.setFrozen(true)
        vae.setFrozen(true)
    }

    /// w(t) for the configured weighting.
    public func weight(_ t: Int) -> Float {
        let alpha = schedule.alphasCumprod[t]
        switch configuration.weighting {
        case .oneMinusAlpha: return Float(1 - alpha)
        case .sqrtAlphaOneMinusAlpha: return Float(alpha.squareRoot() * (1 - alpha))
        case .uniform: return 1
        }
    }

    /// Draws t ~ U[t_min, t_max] per batch element (t_max annealed by `progress` ∈ [0, 1]) and
    /// ε ~ N(0, I), then evaluates the prior.
    public func evaluate(latents: MLXArray, conditioning: TextConditioning, key: MLXArray, progress: Float = 0) throws -> PriorEvaluation {
        let keys = try Random.split(key)
        let T = Float(schedule.trainTimesteps)
        let upper = configuration.tMax + ((configuration.tMaxFinal ?? configuration.tMax) - configuration.tMax) * min(max(progress, 0), 1)
        let low = Int((configuration.tMin * T).rounded()), high = max(low, Int((upper * T).rounded()))
        let timesteps = try Random.randint([latents.dim(0)], low: low, high: high + 1, key: keys[0]).toArray(Int32.self).map(Int.init)
        let noise = try Random.normal(latents.shape, dtype: .float32, key: keys[1])
        return try evaluate(latents: latents, conditioning: conditioning, noise: noise, timesteps: timesteps)
    }

    /// The deterministic core: the prior at v for the given noise ε and timesteps (one per element).
    public func evaluate(latents: MLXArray, conditioning: TextConditioning, noise: MLXArray, timesteps: [Int]) throws -> PriorEvaluation {
        try validate(latents: latents, noise: noise, timesteps: timesteps, conditioning: conditioning)
        let batch = latents.dim(0)
        let v = try stopGradient(latents.asType(.float32))
        let epsilon = try noise.asType(.float32)

        // z_t = √ᾱ_t v + √(1 − ᾱ_t) ε, then one UNet call on the batch [uncond; cond; Perp-Neg's negatives].
        let noisy = try schedule.addNoise(v, noise: epsilon, timesteps: timesteps)
        // A negative whose weights are all zero changes nothing: it is not run through the UNet.
        let negatives = conditioning.perpendicularNegatives.filter { $0.isActive }
        let prompts = [conditioning.unconditional, conditioning.conditional] + negatives.map(\.embeddings)
        let context = try concatenated(prompts.map { try broadcastRows($0, batch) })
        let t = try MLXArray(Array([[Int]](repeating: timesteps, count: prompts.count).joined()).map { Float($0) })
        let modelInput = try concatenated([MLXArray](repeating: noisy, count: prompts.count)).asType(unet.parameterDType)
        let output = try unet(modelInput, timesteps: t, context: context.asType(unet.parameterDType)).asType(.float32)
        let predictions = try output.split(parts: prompts.count, axis: 0)
        let guided = try predictions[0] + PerpendicularNegative.guidanceDirection(
            positive: predictions[1] - predictions[0],
            negatives: zip(negatives, predictions.dropFirst(2)).map { (try $1 - predictions[0], $0.weights) }) * configuration.guidanceScale
        let predictedNoise = try epsilonPrediction(guided, noisy: noisy, timesteps: timesteps)

        let weights = timesteps.map(weight)
        let weightArray = try MLXArray(weights, shape: [batch, 1, 1, 1])
        let lsdGradient = try stopGradient(weightArray * (predictedNoise - epsilon))
        let lsdLoss = try square(lsdGradient).sum() * 0.5

        var fmGradient: MLXArray?, fmLoss: MLXArray?
        if configuration.lambdaFM > 0, !layers.isEmpty {
            (fmLoss, fmGradient, _) = try featureMatching(v, target: v - lsdGradient)
        }
        var klGradient: MLXArray?, klLoss: MLXArray?
        if configuration.lambdaKL > 0 {
            let (values, gradients) = try valueAndGrad({ [try kullbackLeiblerRegularizer($0[0])] })([v])
            (klLoss, klGradient) = (values[0], gradients[0])
        }
        return PriorEvaluation(timesteps: timesteps, weights: weights, lsdGradient: lsdGradient, fmGradient: fmGradient,
                               klGradient: klGradient, lsdLoss: lsdLoss, fmLoss: fmLoss, klLoss: klLoss)
    }

    /// L_FM = Σ_ℓ mean |G^ℓ(v) − sg(G^ℓ(v̂))| and its gradient with respect to v, through the
    /// decoder truncated after the deepest chosen layer. `throughFullDecoder` runs both v and v̂
    /// through the whole decoder instead, as an implementation without truncation does (features
    /// read on the way), and returns the decoded images of v and then v̂ ([2B, H, W, 3]): same loss
    /// and gradient, the cost the benchmarks compare truncation against.
    /// v̂ goes through the decoder on its own, outside the gradient: in one batch with v, the
    /// backward pass would run over both halves (a quarter more work for the whole FM step).
    public func featureMatching(_ v: MLXArray, target: MLXArray, throughFullDecoder: Bool = false) throws -> (loss: MLXArray, gradient: MLXArray, image: MLXArray?) {
        let ordered = layers.sorted()
        func decode(_ latents: MLXArray) throws -> (features: [MLXArray], image: MLXArray?) {
            let input = try (latents / vae.scalingFactor).asType(vae.parameterDType)
            if throughFullDecoder {
                let decoded = try vae.decodeWithFeatures(input, layers: layers)
                return (ordered.map { decoded.features[$0]! }, decoded.image)
            }
            let features = try vae.decoderFeatures(input, layers: layers)
            return (ordered.map { features[$0]! }, nil)
        }
        let decodedTarget = try decode(stopGradient(target))
        let targets = try decodedTarget.features.map { try stopGradient($0) }
        let (values, gradients) = try valueAndGrad({ inputs in
            let current = try decode(inputs[0])
            let loss = try featureMatchingDistance(current.features, targets: targets)
            // v̂'s image is part of the output: MLX's lazy evaluation would otherwise skip its decoder tail.
            guard let image = current.image, let targetImage = decodedTarget.image else { return [loss] }
            return [loss, try stopGradient(concatenated([image, targetImage]))]
        })([v])
        return (values[0], try gradients[0].asType(.float32), values.count > 1 ? values[1] : nil)
    }

    /// ε̂ from the model's output, whatever its prediction type (SD 2.x predicts v).
    private func epsilonPrediction(_ output: MLXArray, noisy: MLXArray, timesteps: [Int]) throws -> MLXArray {
        switch schedule.predictionType {
        case .epsilon:
            return output
        case .vPrediction:
            let shape = [timesteps.count, 1, 1, 1]
            let a = try MLXArray(timesteps.map { Float(schedule.alphasCumprod[$0].squareRoot()) }, shape: shape)
            let b = try MLXArray(timesteps.map { Float((1 - schedule.alphasCumprod[$0]).squareRoot()) }, shape: shape)
            return try a * output + b * noisy
        case .sample:
            let shape = [timesteps.count, 1, 1, 1]
            let a = try MLXArray(timesteps.map { Float(schedule.alphasCumprod[$0].squareRoot()) }, shape: shape)
            let b = try MLXArray(timesteps.map { Float((1 - schedule.alphasCumprod[$0]).squareRoot()) }, shape: shape)
            return try (noisy - a * output) / b
        }
    }

    private func broadcastRows(_ embeddings: MLXArray, _ batch: Int) throws -> MLXArray {
        embeddings.dim(0) == batch ? embeddings : try embeddings.broadcast(to: [batch, embeddings.dim(1), embeddings.dim(2)])
    }

    private func validate(latents: MLXArray, noise: MLXArray, timesteps: [Int], conditioning: TextConditioning) throws {
        let channels = unet.configuration.inChannels
        guard latents.ndim == 4, latents.dim(3) == channels else {
            throw PriorError.invalidInput("latents must be [B, h, w, \(channels)] (channels-last), got \(latents.shape)")
        }
        guard noise.shape == latents.shape else {
            throw PriorError.invalidInput("noise shape \(noise.shape) differs from latents shape \(latents.shape)")
        }
        guard timesteps.count == latents.dim(0) else {
            throw PriorError.invalidInput("need one timestep per latent (\(latents.dim(0))), got \(timesteps.count)")
        }
        for t in timesteps where !(1..<schedule.trainTimesteps).contains(t) {
            throw PriorError.invalidInput("timestep \(t) is outside [1, \(schedule.trainTimesteps - 1)]")
        }
        for negative in conditioning.perpendicularNegatives where negative.weights.count != 1 && negative.weights.count != latents.dim(0) {
            throw PriorError.invalidInput("a Perp-Neg negative needs 1 or \(latents.dim(0)) weights, got \(negative.weights.count)")
        }
        let named = [("conditional", conditioning.conditional), ("unconditional", conditioning.unconditional)]
            + conditioning.perpendicularNegatives.map { ("Perp-Neg negative", $0.embeddings) }
        for (name, embeddings) in named {
            guard embeddings.ndim == 3, embeddings.dim(2) == unet.configuration.crossAttentionDimensions,
                  embeddings.dim(0) == 1 || embeddings.dim(0) == latents.dim(0) else {
                throw PriorError.invalidInput("\(name) text embeddings must be [1 or \(latents.dim(0)), L, \(unet.configuration.crossAttentionDimensions)], got \(embeddings.shape)")
            }
        }
    }
}
