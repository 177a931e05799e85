import MLXCore

/// REDUCE, NEWOBJ and BUILD on the allowed globals, applied to values instead of run: a tensor
/// description from `_rebuild_tensor_v2`, a dict from `OrderedDict`, a record for an inert class.
enum PickleCalls {
    typealias Failure = PickleMachine.Failure

    static func call(_ callable: PickleValue, arguments: PickleValue, at offset: Int) throws -> PickleValue {
        guard case .global(let global) = callable else {
            throw Failure(offset: offset, reason: "a call of \(callable), which is not an allowed global")
        }
        guard let args = arguments.sequence else { throw Failure(offset: offset, reason: "\(global.qualifiedName) called without an argument tuple") }
        switch global {
        case .orderedDict:
            let dict = PickleDict()
            if let items = args.first?.sequence {
                for item in items {
                    guard let pair = item.sequence, pair.count == 2 else { throw Failure(offset: offset, reason: "OrderedDict needs (key, value) pairs") }
                    dict.entries.append((pair[0], pair[1]))
                }
            }
            return .dict(dict)
        case .rebuildTensor:
            return .tensor(try tensor(args, at: offset))
        case .rebuildParameter:
            guard case .tensor? = args.first else { throw Failure(offset: offset, reason: "_rebuild_parameter needs a tensor") }
            return args[0]
        case .torchSize:
            guard let dims = args.first?.sequence else { throw Failure(offset: offset, reason: "torch.Size needs a tuple") }
            return .tuple(dims)
        case .container(let name):
            let items = args.first?.sequence ?? []
            switch name {
            case "set", "frozenset": return .set(PickleSet(items))
            case "list": return .list(PickleList(items))
            default:
                let dict = PickleDict()
                for item in items {
                    guard let pair = item.sequence, pair.count == 2 else { throw Failure(offset: offset, reason: "dict needs (key, value) pairs") }
                    dict.entries.append((pair[0], pair[1]))
                }
                return .dict(dict)
            }
        case .codecsEncode:
            // _codecs.encode(text, "latin1"): each character's code point is one byte.
            guard let text = args.first?.stringValue else { throw Failure(offset: offset, reason: "_codecs.encode needs a string") }
            var bytes: [UInt8] = []
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw Failure(offset: offset, reason: "_codecs.encode of a character beyond latin-1") }
                bytes.append(UInt8(scalar.value))
            }
            return .bytes(bytes)
        case .inertClass(let name):
            return .object(PickleObject(className: name, arguments: arguments))
        case .storageType, .dtype:
            throw Failure(offset: offset, reason: "\(global.qualifiedName) is not callable here")
        }
    }

    /// BUILD: sets an inert record's state; OrderedDict's BUILD (its attribute dict) is accepted and ignored.
    static func build(_ target: PickleValue, state: PickleValue, at offset: Int) throws {
        switch target {
        case .object(let object): object.state = state
        case .dict: return
        case .tensor: return  // a tensor's BUILD carries Python attributes (requires_grad hooks): not needed
        default: throw Failure(offset: offset, reason: "BUILD on \(target), which takes no state")
        }
    }

    /// _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).
    static func tensor(_ args: [PickleValue], at offset: Int) throws -> TorchTensorReference {
        guard args.count >= 4, case .storage(let storage) = args[0], let start = args[1].intValue,
              let size = args[2].sequence, let stride = args[3].sequence else {
            throw Failure(offset: offset, reason: "_rebuild_tensor needs (storage, offset, size, stride, …)")
        }
        let shape = try size.map { value -> Int in
            guard let dim = value.intValue, dim >= 0, dim <= Int64(Int32.max) else { throw Failure(offset: offset, reason: "a tensor dimension \(value)") }
            return Int(dim)
        }
        let strides = try stride.map { value -> Int in
            guard let step = value.intValue, step >= 0, step <= Int64(Int32.max) else { throw Failure(offset: offset, reason: "a tensor stride \(value)") }
            return Int(step)
        }
        guard shape.count == strides.count, shape.count <= 16, start >= 0, start <= Int64(Int32.max) * 16 else {
            throw Failure(offset: offset, reason: "a tensor of \(shape.count) sizes and \(strides.count) strides at offset \(start)")
        }
        return TorchTensorReference(storage: storage, offset: Int(start), shape: shape, strides: strides)
    }
}
