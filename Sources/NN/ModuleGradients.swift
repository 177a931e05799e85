import MLXCore

extension Module {
    /// The value of a scalar `loss` and its gradients with respect to this module's trainable
    /// parameters, keyed like `namedParameters()`. `loss` reads the parameters through the module:
    /// during the call they hold MLX's traced values, and are restored afterwards.
    public func valueAndGradients(_ loss: @escaping () throws -> MLXArray) throws -> (loss: MLXArray, gradients: [String: MLXArray]) {
        let trainable = trainableParameters()
        let originals = trainable.map(\.parameter.value)
        let function: ArrayFunction = { inputs in
            defer { for (index, entry) in trainable.enumerated() { entry.parameter.value = originals[index] } }
            for (index, entry) in trainable.enumerated() { entry.parameter.value = inputs[index] }
            return [try loss()]
        }
        let (values, grads) = try valueAndGrad(function, argnums: Array(trainable.indices))(originals)
        var gradients: [String: MLXArray] = [:]
        for (index, entry) in trainable.enumerated() { gradients[entry.key] = grads[index] }
        return (values[0], gradients)
    }
}

extension Module {
    /// Like `valueAndGradients`, for a function that returns the loss first and then auxiliary
    /// arrays computed on the way (diagnostics, pictures): one forward pass gives the loss, the
    /// gradients and the auxiliaries, instead of a second pass to recompute them. Auxiliaries get no
    /// gradient.
    public func valueAndGradients(withAuxiliary loss: @escaping () throws -> [MLXArray]) throws
        -> (values: [MLXArray], gradients: [String: MLXArray]) {
        let trainable = trainableParameters()
        let originals = trainable.map(\.parameter.value)
        let function: ArrayFunction = { inputs in
            defer { for (index, entry) in trainable.enumerated() { entry.parameter.value = originals[index] } }
            for (index, entry) in trainable.enumerated() { entry.parameter.value = inputs[index] }
            let outputs = try loss()
            return try [outputs[0]] + outputs.dropFirst().map { try stopGradient($0) }
        }
        let (values, grads) = try valueAndGrad(function, argnums: Array(trainable.indices))(originals)
        var gradients: [String: MLXArray] = [:]
        for (index, entry) in trainable.enumerated() { gradients[entry.key] = grads[index] }
        return (values, gradients)
    }
}
