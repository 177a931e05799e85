import Foundation
import MLXCore

/// Adam (Kingma & Ba) with PyTorch's bias correction; `decoupledWeightDecay` makes it AdamW.
/// Per-parameter learning-rate multipliers by key prefix give per-group rates (e.g. ×10 for a
/// hash-grid encoding, as Latent-NeRF does).
public final class Adam {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let eps: Float
    public let weightDecay: Float
    public let decoupledWeightDecay: Bool
    public var learningRateMultipliers: [String: Float] = [:]
    public private(set) var step = 0
    private var firstMoments: [String: MLXArray] = [:]
    private var secondMoments: [String: MLXArray] = [:]

    public init(learningRate: Float, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.learningRate = learningRate
        (beta1, beta2) = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// AdamW with PyTorch's default decay (0.01).
    public static func adamW(learningRate: Float, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    /// One step on every trainable parameter of `module` that has a gradient.
    public func update(_ module: Module, gradients: [String: MLXArray]) throws {
        step += 1
        let correction1 = 1 - Float(pow(Double(beta1), Double(step)))
        let correction2 = 1 - Float(pow(Double(beta2), Double(step)))
        var touched: [MLXArray] = []
        for (key, parameter) in module.trainableParameters() {
            guard var gradient = gradients[key] else { continue }
            let rate = learningRate * multiplier(for: key)
            var value = parameter.value
            if weightDecay != 0 {
                if decoupledWeightDecay {
                    value = try value * (1 - rate * weightDecay)
                } else {
                    gradient = try gradient + value * weightDecay
                }
            }
            let m = try (firstMoments[key] ?? zeros(like: gradient)) * beta1 + gradient * (1 - beta1)
            let v = try (secondMoments[key] ?? zeros(like: gradient)) * beta2 + square(gradient) * (1 - beta2)
            firstMoments[key] = m
            secondMoments[key] = v
            let stepSize = rate / correction1
            parameter.value = try value - (m * stepSize) / (sqrt(v / correction2) + eps)
            touched += [parameter.value, m, v]
        }
        try eval(touched)
    }

    private func multiplier(for key: String) -> Float {
        learningRateMultipliers.first { key.hasPrefix($0.key) }?.value ?? 1
    }

    /// Moments and step count, for checkpoints ("m.KEY", "v.KEY", "step").
    public func state() throws -> [String: MLXArray] {
        var result: [String: MLXArray] = ["step": try MLXArray([Int32(step)])]
        for (key, m) in firstMoments { result["m.\(key)"] = m }
        for (key, v) in secondMoments { result["v.\(key)"] = v }
        return result
    }

    public func restore(_ state: [String: MLXArray]) throws {
        guard let stepArray = state["step"] else { throw MLXError("optimizer state has no 'step'") }
        step = Int(try stepArray.item(Int32.self))
        firstMoments = [:]
        secondMoments = [:]
        for (key, value) in state where key.hasPrefix("m.") { firstMoments[String(key.dropFirst(2))] = value }
        for (key, value) in state where key.hasPrefix("v.") { secondMoments[String(key.dropFirst(2))] = value }
    }
}
