import Foundation
import MLXCore

/// Why a module's weights could not be loaded; each case names the keys, shapes or file.
public enum WeightLoadingError: Error, CustomStringConvertible, Equatable {
    case missing(keys: [String], source: String)
    case unexpected(keys: [String], source: String)
    case shapeMismatch(key: String, expected: [Int], found: [Int], source: String)

    public var description: String {
        switch self {
        case let .missing(keys, source):
            return "\(source): missing weight\(keys.count == 1 ? "" : "s") \(WeightLoadingError.list(keys))"
        case let .unexpected(keys, source):
            return "\(source): unexpected weight\(keys.count == 1 ? "" : "s") \(WeightLoadingError.list(keys))"
        case let .shapeMismatch(key, expected, found, source):
            return "\(source): weight '\(key)' has shape \(found), the model expects \(expected)"
        }
    }

    private static func list(_ keys: [String]) -> String {
        let shown = keys.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
        return keys.count > 5 ? "\(shown) and \(keys.count - 5) more" : shown
    }
}

extension Module {
    /// Replaces parameter values with `weights` given in PyTorch layout (as in diffusers files),
    /// converting layouts and casting to each parameter's current dtype. With `strict`, every
    /// parameter must be present and no extra key allowed.
    public func load(weights: [String: MLXArray], source: String, strict: Bool = true) throws {
        let parameters = namedParameters()
        var updates: [(Parameter, MLXArray)] = []
        var missing: [String] = []
        for (key, parameter) in parameters {
            guard let stored = weights[key] else {
                missing.append(key)
                continue
            }
            let converted = try parameter.fileLayout.fromFile(stored)
            let expected = parameter.value.shape
            guard converted.shape == expected else {
                throw WeightLoadingError.shapeMismatch(
                    key: key, expected: try parameter.fileLayout.toFile(parameter.value).shape, found: stored.shape, source: source)
            }
            // Row-major once here: a layout-converted weight is a strided view, which the convolution
            // kernels would copy into row-major memory again on every call (9% of a UNet call).
            updates.append((parameter, try converted.asType(parameter.value.dtype).contiguous()))
        }
        if strict {
            if !missing.isEmpty { throw WeightLoadingError.missing(keys: missing, source: source) }
            let known = Set(parameters.map(\.key))
            let extra = weights.keys.filter { !known.contains($0) }.sorted()
            if !extra.isEmpty { throw WeightLoadingError.unexpected(keys: extra, source: source) }
        }
        for (parameter, value) in updates { parameter.value = value }
    }

    /// The parameters in PyTorch layout, keyed as in diffusers files.
    public func weightsInFileLayout() throws -> [String: MLXArray] {
        var result: [String: MLXArray] = [:]
        for (key, parameter) in namedParameters() {
            result[key] = try parameter.fileLayout.toFile(parameter.value)
        }
        return result
    }

    /// Loads a safetensors file of this module's weights (PyTorch layout).
    public func loadSafetensors(_ path: String, strict: Bool = true) throws {
        try load(weights: try SafetensorsFile.load(path).tensors, source: path, strict: strict)
    }

    /// Saves this module's weights as safetensors (PyTorch layout), atomically.
    public func saveSafetensors(_ path: String, metadata: [String: String] = [:]) throws {
        try SafetensorsFile(tensors: try weightsInFileLayout(), metadata: metadata).save(path)
    }
}
