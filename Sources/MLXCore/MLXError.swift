import CMLX

/// A failure reported by MLX (or by CMLX's own checks), with MLX's message.
public struct MLXError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Turns a CMLX status into a thrown `MLXError` carrying this thread's message.
@inline(__always)
func check(_ status: Int32) throws {
    if status != 0 {
        let message = String(cString: mlxc_last_error())
        throw MLXError(message.isEmpty ? "MLX call failed" : message)
    }
}
