import Foundation
import MLXCore

/// MADGRAD (Defazio & Jelassi 2021, "Adaptivity without Compromise"), the optimiser Text2LIVE
/// trains its editing network with; numerically as facebookresearch/madgrad's reference (dense
/// gradients): at step k (from 0), λ_k = (lr + ε)·√(k + 1);
/// ν ← ν + λ_k g², s ← s + λ_k g, z = x₀ − s / (∛ν + ε), and with momentum β the iterate moves
/// x ← β x + (1 − β) z (x₀ is the parameter at the first step). `weightDecay` adds decay·x to g.
public final class MADGRAD {
    public var learningRate: Float
    public let momentum: Float
    public let eps: Float
    public let weightDecay: Float
    public private(set) var step = 0
    private var gradientSquareSums: [String: MLXArray] = [:]
    private var gradientSums: [String: MLXArray] = [:]
    private var initialValues: [String: MLXArray] = [:]

    public init(learningRate: Float, momentum: Float = 0.9, eps: Float = 1e-6, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.eps = eps
        self.weightDecay = weightDecay
    }

    /// One step on every trainable parameter of `module` that has a gradient.
    public func update(_ module: Module, gradients: [String: MLXArray]) throws {
        // The reference adds ε to a non-zero rate "for stability"; in Double as Python computes it.
        let rate = learningRate == 0 ? 0 : Double(learningRate) + Double(eps)
        let lambda = Float(rate * Double(step + 1).squareRoot())
        var touched: [MLXArray] = []
        for (key, parameter) in module.trainableParameters() {
            guard var gradient = gradients[key] else { continue }
            let value = parameter.value
            if weightDecay != 0 { gradient = try gradient + value * weightDecay }
            let x0 = initialValues[key] ?? value
            let squareSum = try (gradientSquareSums[key] ?? zeros(like: value)) + square(gradient) * lambda
            let sum = try (gradientSums[key] ?? zeros(like: value)) + gradient * lambda
            let rms = try squareSum.power(Float(1.0 / 3.0)) + eps
            let z = try x0 - sum / rms
            parameter.value = momentum == 0 ? z : try value * momentum + z * (1 - momentum)
            (initialValues[key], gradientSquareSums[key], gradientSums[key]) = (x0, squareSum, sum)
            touched += [parameter.value, squareSum, sum]
        }
        step += 1
        try eval(touched)
    }

    /// Step count, accumulators and initial values, for checkpoints ("k", "grad_sum_sq.KEY", "s.KEY", "x0.KEY").
    public func state() throws -> [String: MLXArray] {
        var result: [String: MLXArray] = ["k": try MLXArray([Int32(step)])]
        for (key, value) in gradientSquareSums { result["grad_sum_sq.\(key)"] = value }
        for (key, value) in gradientSums { result["s.\(key)"] = value }
        for (key, value) in initialValues { result["x0.\(key)"] = value }
        return result
    }

    public func restore(_ state: [String: MLXArray]) throws {
        guard let k = state["k"] else { throw MLXError("MADGRAD state has no 'k'") }
        step = Int(try k.item(Int32.self))
        (gradientSquareSums, gradientSums, initialValues) = ([:], [:], [:])
        for (key, value) in state {
            if key.hasPrefix("grad_sum_sq.") { gradientSquareSums[String(key.dropFirst(12))] = value }
            if key.hasPrefix("s.") { gradientSums[String(key.dropFirst(2))] = value }
            if key.hasPrefix("x0.") { initialValues[String(key.dropFirst(3))] = value }
        }
    }
}
