import Foundation
import MLXCore

/// A node of a model: parameters and child modules, found by reflection over stored properties.
///
/// A property's key in weight files is its name in snake_case (`convIn` → `conv_in`), unless the
/// module lists a different one in `keyOverrides` (`["linear1": "linear_1"]`) — the declarative
/// rename table that maps Swift names to diffusers/transformers names. Arrays of modules are
/// numbered like PyTorch's ModuleList (`resnets.0.conv1.weight`). An empty key merges a child's
/// parameters into this module's namespace (for wrappers that PyTorch code does not have).
open class Module {
    public init() {}

    /// Keys that differ from the snake_case form of the property name.
    open var keyOverrides: [String: String] { [:] }

    enum Child {
        case parameter(Parameter)
        case module(Module)
    }

    /// Direct children with their keys, in declaration order (superclass properties first).
    func children() -> [(key: String, child: Child)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror {
            mirrors.insert(current, at: 0)
            mirror = current.superclassMirror
        }
        let overrides = keyOverrides
        var result: [(String, Child)] = []
        for current in mirrors {
            for case let (label?, value) in current.children {
                let key = overrides[label] ?? Module.snakeCase(label)
                result += Module.unwrap(value).map { (suffix, child) in
                    (suffix.isEmpty ? key : key.isEmpty ? suffix : "\(key).\(suffix)", child)
                }
            }
        }
        return result
    }

    /// Parameters, modules, optionals of them and arrays of modules; anything else is not part of the tree.
    private static func unwrap(_ value: Any) -> [(String, Child)] {
        switch value {
        case let parameter as Parameter: return [("", .parameter(parameter))]
        case let module as Module: return [("", .module(module))]
        case let modules as [Module]: return modules.enumerated().map { ("\($0.offset)", .module($0.element)) }
        case let parameters as [Parameter]: return parameters.enumerated().map { ("\($0.offset)", .parameter($0.element)) }
        default:
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional, let some = mirror.children.first?.value {
                return unwrap(some)
            }
            return []
        }
    }

    static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                if !result.isEmpty { result.append("_") }
                result.append(Character(character.lowercased()))
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Every parameter under this module, keyed by its dotted path ("down_blocks.0.resnets.1.conv1.weight").
    public func namedParameters() -> [(key: String, parameter: Parameter)] {
        var result: [(String, Parameter)] = []
        for (key, child) in children() {
            switch child {
            case .parameter(let parameter): result.append((key, parameter))
            case .module(let module):
                result += module.namedParameters().map { (key.isEmpty ? $0.key : "\(key).\($0.key)", $0.parameter) }
            }
        }
        return result
    }

    /// Parameters that receive gradients.
    public func trainableParameters() -> [(key: String, parameter: Parameter)] {
        namedParameters().filter { !$0.parameter.isFrozen }
    }

    public func parameterCount() -> Int {
        namedParameters().reduce(0) { $0 + $1.parameter.value.size }
    }

    /// Freezes (or unfreezes) every parameter under this module, or those whose key has one of `prefixes`.
    public func setFrozen(_ frozen: Bool, prefixes: [String]? = nil) {
        for (key, parameter) in namedParameters() where prefixes == nil || prefixes!.contains(where: { key.hasPrefix($0) }) {
            parameter.isFrozen = frozen
        }
    }

    /// Casts every floating-point parameter to `dtype` (e.g. float16 weights for inference).
    public func cast(to dtype: DType) throws {
        for (_, parameter) in namedParameters() where parameter.value.dtype.isFloatingPoint {
            parameter.value = try parameter.value.asType(dtype)
        }
    }
}

extension Module {
    /// The dtype of the first floating-point parameter (the dtype the module computes in).
    public var parameterDType: DType {
        namedParameters().first { $0.parameter.value.dtype.isFloatingPoint }?.parameter.value.dtype ?? .float32
    }
}
