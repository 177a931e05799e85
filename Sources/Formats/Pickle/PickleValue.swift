/// A value a pickle describes, kept inert: containers, scalars, references to the few globals that
/// are allowed, and records of objects that are never built. Lists, dicts and sets are reference
/// boxes because the pickle machine mutates them after memoising them (APPENDS, SETITEMS, BUILD).
public indirect enum PickleValue: CustomStringConvertible {
    case none
    case bool(Bool)
    case int(Int64)
    /// An integer beyond 64 bits, as its little-endian two's-complement bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    case set(PickleSet)
    /// An allowed global that has not been called (a class or function reference).
    case global(PickleGlobal)
    /// An instance of an inert record class (e.g. argparse.Namespace): its arguments and state, never built.
    case object(PickleObject)
    /// A tensor described by `torch._utils._rebuild_tensor_v2` and friends.
    case tensor(TorchTensorReference)
    /// A storage named by a persistent id.
    case storage(TorchStorageReference)
    /// A torch dtype (torch.float32, …).
    case dtype(String)

    public var description: String {
        switch self {
        case .none: return "None"
        case .bool(let value): return value ? "True" : "False"
        case .int(let value): return "\(value)"
        case .bigInt(let bytes): return "<\(bytes.count * 8)-bit integer>"
        case .float(let value): return "\(value)"
        case .string(let value): return value.count > 40 ? "'\(value.prefix(40))…'" : "'\(value)'"
        case .bytes(let value): return "<\(value.count) bytes>"
        case .tuple(let items): return "(" + items.prefix(4).map(\.description).joined(separator: ", ") + (items.count > 4 ? ", …)" : ")")
        case .list(let list): return "[\(list.items.count) items]"
        case .dict(let dict): return "{\(dict.entries.count) entries}"
        case .set(let set): return "{\(set.items.count) members}"
        case .global(let global): return global.qualifiedName
        case .object(let object): return "<\(object.className)>"
        case .tensor(let tensor): return "tensor \(tensor.dtype) \(tensor.shape)"
        case .storage(let storage): return "storage '\(storage.key)'"
        case .dtype(let name): return "torch.\(name)"
        }
    }

    /// The string, for dictionary keys and names.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, if it fits 64 bits.
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .bool(let value): return value ? 1 : 0
        default: return nil
        }
    }

    /// The items of a tuple or list.
    public var sequence: [PickleValue]? {
        switch self {
        case .tuple(let items): return items
        case .list(let list): return list.items
        default: return nil
        }
    }

    /// The value at `key` of a dict (string keys), or an attribute of an inert object's state.
    public subscript(key: String) -> PickleValue? {
        switch self {
        case .dict(let dict): return dict.value(forKey: key)
        case .object(let object): return object.state?[key]
        default: return nil
        }
    }
}

public final class PickleList {
    public var items: [PickleValue]
    init(_ items: [PickleValue] = []) { self.items = items }
}

public final class PickleDict {
    public var entries: [(key: PickleValue, value: PickleValue)]
    init(_ entries: [(key: PickleValue, value: PickleValue)] = []) { self.entries = entries }

    /// The last value stored under string `key` (a later SETITEM replaces an earlier one, as in Python).
    public func value(forKey key: String) -> PickleValue? {
        entries.last { $0.key.stringValue == key }?.value
    }
}

public final class PickleSet {
    public var items: [PickleValue]
    init(_ items: [PickleValue] = []) { self.items = items }
}

public final class PickleObject {
    public let className: String
    public let arguments: PickleValue
    public var state: PickleValue?
    init(className: String, arguments: PickleValue) {
        self.className = className
        self.arguments = arguments
    }
}
