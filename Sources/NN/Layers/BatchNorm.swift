import MLXCore

/// torch.nn.BatchNorm2d over channels-last input [N, ..., C] (statistics over every axis but the last).
///
/// Training mode (the default, as a new PyTorch module): normalises with the batch mean and the
/// *biased* variance, and updates `running_mean` / `running_var` with momentum 0.1 using the
/// *unbiased* variance (n / (n − 1)), and counts `num_batches_tracked`, as PyTorch does.
/// Evaluation mode normalises with the running statistics. The three buffers are frozen
/// parameters, so they are saved and loaded under PyTorch's keys but never trained; unfreezing a
/// whole module with `setFrozen(false)` would expose them to the optimiser, so freeze them again.
///
/// Inside a gradient trace the running statistics are computed from stop-gradient batch
/// statistics; they stay lazy arrays until evaluated, so a training loop should evaluate them
/// with its step (`batchNormBuffers()`), or the update chain grows step after step.
public final class BatchNorm: Module {
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: Parameter
    public let runningVar: Parameter
    public let numBatchesTracked: Parameter
    public let eps: Float
    public let momentum: Float
    public var training = true

    public init(_ channels: Int, eps: Float = 1e-5, momentum: Float = 0.1) throws {
        guard channels > 0 else { throw MLXError("BatchNorm needs at least one channel, got \(channels)") }
        weight = Parameter(try ones([channels]))
        bias = Parameter(try zeros([channels]))
        runningMean = Parameter(try zeros([channels]), frozen: true)
        runningVar = Parameter(try ones([channels]), frozen: true)
        numBatchesTracked = Parameter(try MLXArray(0, dtype: .int64), frozen: true)
        self.eps = eps
        self.momentum = momentum
    }

    public func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        let channels = weight.value.dim(0)
        guard x.ndim >= 2, x.dim(-1) == channels else {
            throw MLXError("BatchNorm over \(channels) channels got input of shape \(x.shape) (channels-last expected)")
        }
        let input = x.dtype == .float32 || x.dtype == .float64 ? x : try x.asType(.float32)
        let statisticsAxes = Array(0..<(x.ndim - 1))
        let mean: MLXArray, variance: MLXArray
        if training {
            let count = x.size / channels
            // PyTorch refuses this too ("Expected more than 1 value per channel when training").
            guard count > 1 else {
                throw MLXError("BatchNorm in training mode needs more than one value per channel, got input of shape \(x.shape)")
            }
            mean = try input.mean(axes: statisticsAxes)
            variance = try input.variance(axes: statisticsAxes)
            let unbiased = try stopGradient(variance) * (Float(count) / Float(count - 1))
            runningMean.value = try runningMean.value * (1 - momentum) + stopGradient(mean).asType(runningMean.value.dtype) * momentum
            runningVar.value = try runningVar.value * (1 - momentum) + unbiased.asType(runningVar.value.dtype) * momentum
            numBatchesTracked.value = try numBatchesTracked.value + MLXArray(1, dtype: numBatchesTracked.value.dtype)
        } else {
            mean = runningMean.value
            variance = runningVar.value
        }
        let normalized = try (input - mean.asType(input.dtype)) * rsqrt(variance.asType(input.dtype) + eps)
        return try (normalized * weight.value.asType(input.dtype) + bias.value.asType(input.dtype)).asType(x.dtype)
    }
}

extension Module {
    /// Every BatchNorm under this module (depth first, in key order).
    public func batchNorms() -> [BatchNorm] {
        var result: [BatchNorm] = []
        if let norm = self as? BatchNorm { result.append(norm) }
        for (_, child) in children() {
            if case .module(let module) = child { result += module.batchNorms() }
        }
        return result
    }

    /// PyTorch's `module.train(training)` for the only layer here whose behaviour depends on it.
    public func setTraining(_ training: Bool) {
        for norm in batchNorms() { norm.training = training }
    }

    /// The BatchNorm buffers (running statistics and counters), to evaluate after a training step.
    public func batchNormBuffers() -> [MLXArray] {
        batchNorms().flatMap { [$0.runningMean.value, $0.runningVar.value, $0.numBatchesTracked.value] }
    }
}
