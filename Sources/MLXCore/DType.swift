import CMLX

/// Element types of an `MLXArray`. Raw values are CMLX's stable dtype codes.
public enum DType: Int32, CaseIterable, Sendable, CustomStringConvertible {
    case bool = 0, uint8, uint16, uint32, uint64, int8, int16, int32, int64
    case float16, float32, float64, bfloat16, complex64

    /// Bytes per element.
    public var size: Int { Int(mlxc_dtype_size(rawValue)) }

    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .float32, .float64, .bfloat16: return true
        default: return false
        }
    }

    public var isInteger: Bool {
        switch self {
        case .uint8, .uint16, .uint32, .uint64, .int8, .int16, .int32, .int64: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .bool: return "bool"
        case .uint8: return "uint8"
        case .uint16: return "uint16"
        case .uint32: return "uint32"
        case .uint64: return "uint64"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .float16: return "float16"
        case .float32: return "float32"
        case .float64: return "float64"
        case .bfloat16: return "bfloat16"
        case .complex64: return "complex64"
        }
    }

    /// The dtype's name in safetensors headers ("F32", "BF16", ...).
    public var safetensorsName: String {
        switch self {
        case .bool: return "BOOL"
        case .uint8: return "U8"
        case .uint16: return "U16"
        case .uint32: return "U32"
        case .uint64: return "U64"
        case .int8: return "I8"
        case .int16: return "I16"
        case .int32: return "I32"
        case .int64: return "I64"
        case .float16: return "F16"
        case .float32: return "F32"
        case .float64: return "F64"
        case .bfloat16: return "BF16"
        case .complex64: return "C64"
        }
    }

    /// Parses a dtype name as users write it on the command line or in configs.
    public init?(name: String) {
        switch name.lowercased() {
        case "fp16", "half": self = .float16
        case "fp32", "float": self = .float32
        case "bf16": self = .bfloat16
        default:
            guard let match = DType.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
            self = match
        }
    }
}

/// Swift element types that can be copied in and out of an `MLXArray` directly.
public protocol HostElement {
    static var dtype: DType { get }
    init()
}

extension Float: HostElement { public static var dtype: DType { .float32 } }
extension Double: HostElement { public static var dtype: DType { .float64 } }
extension Int32: HostElement { public static var dtype: DType { .int32 } }
extension Int64: HostElement { public static var dtype: DType { .int64 } }
extension UInt8: HostElement { public static var dtype: DType { .uint8 } }
extension UInt32: HostElement { public static var dtype: DType { .uint32 } }
extension Bool: HostElement { public static var dtype: DType { .bool } }
