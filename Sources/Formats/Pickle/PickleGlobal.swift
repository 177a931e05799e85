import MLXCore

/// The globals a pickle may name. Everything else is refused when the pickle names it, before
/// anything could use it: a pickle is a program, and this reader runs only the few instructions that
/// build data (PyTorch's own weights_only unpickler keeps a similar list).
public enum PickleGlobal: Equatable {
    /// collections.OrderedDict: called with no arguments or a list of pairs → a dict.
    case orderedDict
    /// torch._utils._rebuild_tensor_v2 / _rebuild_tensor: (storage, offset, size, stride, …) → a tensor.
    case rebuildTensor(String)
    /// torch._utils._rebuild_parameter(_with_state): (tensor, requires_grad, hooks[, state]) → the tensor.
    case rebuildParameter(String)
    /// torch.Size(tuple) → the tuple.
    case torchSize
    /// A typed storage class (torch.FloatStorage, …) with the element type it stores.
    case storageType(name: String, dtype: DType)
    /// A torch dtype (torch.float16, …).
    case dtype(name: String)
    /// builtins.set / builtins.frozenset / builtins.list / builtins.dict called on an iterable.
    case container(String)
    /// _codecs.encode(text, "latin1"): how protocol-2 pickles write bytes objects.
    case codecsEncode
    /// A class whose instances are kept as inert records (argparse.Namespace, …).
    case inertClass(String)

    public var qualifiedName: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensor(let name), .rebuildParameter(let name): return "torch._utils.\(name)"
        case .torchSize: return "torch.Size"
        case .storageType(let name, _): return "torch.\(name)"
        case .dtype(let name): return "torch.\(name)"
        case .container(let name): return "builtins.\(name)"
        case .codecsEncode: return "_codecs.encode"
        case .inertClass(let name): return name
        }
    }

    static let storageTypes: [String: DType] = [
        "FloatStorage": .float32, "HalfStorage": .float16, "BFloat16Storage": .bfloat16, "DoubleStorage": .float64,
        "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8, "ByteStorage": .uint8,
        "BoolStorage": .bool,
    ]
    static let dtypes: [String: DType] = [
        "float32": .float32, "float": .float32, "float16": .float16, "half": .float16, "bfloat16": .bfloat16, "float64": .float64,
        "double": .float64, "int64": .int64, "long": .int64, "int32": .int32, "int": .int32, "int16": .int16, "short": .int16,
        "int8": .int8, "uint8": .uint8, "bool": .bool,
    ]
    /// Objects that checkpoints store beside the weights and that loading never needs: kept as records.
    /// rosinality's train.py saves its argparse.Namespace; Lightning checkpoints carry callback state.
    static let inertClasses: Set<String> = [
        "argparse.Namespace",
        "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint",
        "torch.torch_version.TorchVersion",
    ]

    /// The allowed global `module.name`, or nil.
    static func resolve(module: String, name: String) -> PickleGlobal? {
        switch (module, name) {
        case ("collections", "OrderedDict"): return .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"): return .rebuildTensor(name)
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"): return .rebuildParameter(name)
        case ("torch", "Size"): return .torchSize
        case ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "list"), ("builtins", "dict"),
             ("__builtin__", "set"), ("__builtin__", "frozenset"): return .container(name)
        case ("_codecs", "encode"): return .codecsEncode
        default: break
        }
        if module == "torch", let dtype = storageTypes[name] { return .storageType(name: name, dtype: dtype) }
        if module == "torch", dtypes[name] != nil { return .dtype(name: name) }
        if inertClasses.contains("\(module).\(name)") { return .inertClass("\(module).\(name)") }
        return nil
    }
}
