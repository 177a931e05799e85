import CMLX

func unary(_ op: mlxc_unary_op, _ a: MLXArray) throws -> MLXArray {
    try a.withHandle { h in try produce { mlxc_unary(Int32(op.rawValue), h, &$0) } }
}

func binary(_ op: mlxc_binary_op, _ a: MLXArray, _ b: MLXArray) throws -> MLXArray {
    try a.withHandle { ha in
        try b.withHandle { hb in try produce { mlxc_binary(Int32(op.rawValue), ha, hb, &$0) } }
    }
}

// MARK: arithmetic operators (broadcasting, MLX's type promotion)
// Operators throw: a shape mismatch surfaces as an MLXError with MLX's message. One `try` covers
// a whole expression: `let y = try a * x + b`.

extension MLXArray {
    public static func + (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_ADD, a, b) }
    public static func - (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_SUBTRACT, a, b) }
    public static func * (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_MULTIPLY, a, b) }
    public static func / (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_DIVIDE, a, b) }
    public static func % (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_REMAINDER, a, b) }
    public static prefix func - (a: MLXArray) throws -> MLXArray { try unary(MLXC_NEGATIVE, a) }

    // Scalars take the array's floating dtype, so `halfArray * 0.5` stays float16.
    public static func + (a: MLXArray, b: Float) throws -> MLXArray { try a + a.scalar(b) }
    public static func - (a: MLXArray, b: Float) throws -> MLXArray { try a - a.scalar(b) }
    public static func * (a: MLXArray, b: Float) throws -> MLXArray { try a * a.scalar(b) }
    public static func / (a: MLXArray, b: Float) throws -> MLXArray { try a / a.scalar(b) }
    public static func + (a: Float, b: MLXArray) throws -> MLXArray { try b.scalar(a) + b }
    public static func - (a: Float, b: MLXArray) throws -> MLXArray { try b.scalar(a) - b }
    public static func * (a: Float, b: MLXArray) throws -> MLXArray { try b.scalar(a) * b }
    public static func / (a: Float, b: MLXArray) throws -> MLXArray { try b.scalar(a) / b }

    public func power(_ exponent: MLXArray) throws -> MLXArray { try binary(MLXC_POWER, self, exponent) }
    public func power(_ exponent: Float) throws -> MLXArray { try binary(MLXC_POWER, self, scalar(exponent)) }
    public func floorDivided(by b: MLXArray) throws -> MLXArray { try binary(MLXC_FLOOR_DIVIDE, self, b) }
}

// MARK: comparisons (elementwise, bool results; `==` stays free for identity semantics)

infix operator .== : ComparisonPrecedence
infix operator .!= : ComparisonPrecedence
infix operator .< : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .> : ComparisonPrecedence
infix operator .>= : ComparisonPrecedence
infix operator .&& : LogicalConjunctionPrecedence
infix operator .|| : LogicalDisjunctionPrecedence

extension MLXArray {
    public static func .== (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_EQUAL, a, b) }
    public static func .!= (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_NOT_EQUAL, a, b) }
    public static func .< (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_LESS, a, b) }
    public static func .<= (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_LESS_EQUAL, a, b) }
    public static func .> (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_GREATER, a, b) }
    public static func .>= (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_GREATER_EQUAL, a, b) }
    public static func .&& (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_LOGICAL_AND, a, b) }
    public static func .|| (a: MLXArray, b: MLXArray) throws -> MLXArray { try binary(MLXC_LOGICAL_OR, a, b) }
    public static func .== (a: MLXArray, b: Float) throws -> MLXArray { try a .== a.scalar(b) }
    public static func .< (a: MLXArray, b: Float) throws -> MLXArray { try a .< a.scalar(b) }
    public static func .<= (a: MLXArray, b: Float) throws -> MLXArray { try a .<= a.scalar(b) }
    public static func .> (a: MLXArray, b: Float) throws -> MLXArray { try a .> a.scalar(b) }
    public static func .>= (a: MLXArray, b: Float) throws -> MLXArray { try a .>= a.scalar(b) }
}

// MARK: elementwise functions

public func abs(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_ABS, a) }
public func exp(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_EXP, a) }
public func expm1(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_EXPM1, a) }
public func log(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_LOG, a) }
public func log1p(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_LOG1P, a) }
public func log2(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_LOG2, a) }
public func log10(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_LOG10, a) }
public func sqrt(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_SQRT, a) }
public func rsqrt(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_RSQRT, a) }
public func square(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_SQUARE, a) }
public func reciprocal(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_RECIPROCAL, a) }
public func sin(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_SIN, a) }
public func cos(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_COS, a) }
public func tan(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_TAN, a) }
public func asin(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_ARCSIN, a) }
public func acos(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_ARCCOS, a) }
public func atan(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_ARCTAN, a) }
public func atan2(_ y: MLXArray, _ x: MLXArray) throws -> MLXArray { try binary(MLXC_ARCTAN2, y, x) }
public func sinh(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_SINH, a) }
public func cosh(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_COSH, a) }
public func tanh(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_TANH, a) }
public func sigmoid(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_SIGMOID, a) }
public func erf(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_ERF, a) }
public func erfinv(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_ERFINV, a) }
public func floor(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_FLOOR, a) }
public func ceil(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_CEIL, a) }
public func round(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_ROUND, a) }
public func sign(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_SIGN, a) }
public func logicalNot(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_LOGICAL_NOT, a) }
public func isNaN(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_ISNAN, a) }
public func isInf(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_ISINF, a) }
public func isFinite(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_ISFINITE, a) }
public func maximum(_ a: MLXArray, _ b: MLXArray) throws -> MLXArray { try binary(MLXC_MAXIMUM, a, b) }
public func minimum(_ a: MLXArray, _ b: MLXArray) throws -> MLXArray { try binary(MLXC_MINIMUM, a, b) }
public func maximum(_ a: MLXArray, _ b: Float) throws -> MLXArray { try maximum(a, a.scalar(b)) }
public func minimum(_ a: MLXArray, _ b: Float) throws -> MLXArray { try minimum(a, a.scalar(b)) }
public func logAddExp(_ a: MLXArray, _ b: MLXArray) throws -> MLXArray { try binary(MLXC_LOGADDEXP, a, b) }

/// The same values with no gradient flowing back through them (sg(·) in the paper).
public func stopGradient(_ a: MLXArray) throws -> MLXArray { try unary(MLXC_STOP_GRADIENT, a) }

// Activations used across the model code.
public func relu(_ a: MLXArray) throws -> MLXArray { try maximum(a, 0) }
public func leakyRelu(_ a: MLXArray, negativeSlope: Float = 0.01) throws -> MLXArray {
    try maximum(a, a * negativeSlope)
}
public func silu(_ a: MLXArray) throws -> MLXArray { try a * sigmoid(a) }
/// GELU with the exact erf form (PyTorch's default `approximate="none"`).
/// float32 on the CPU runs CMLX's fused kernel (activations.cpp).
public func gelu(_ a: MLXArray) throws -> MLXArray { try a.withHandle { h in try produce { mlxc_gelu(h, &$0) } } }
/// CLIP's quick_gelu: x · σ(1.702 x); float32 on the CPU runs CMLX's fused kernel.
public func quickGelu(_ a: MLXArray) throws -> MLXArray { try a.withHandle { h in try produce { mlxc_quick_gelu(h, &$0) } } }

/// Elementwise choice: `x` where `condition` is true, else `y`.
public func which(_ condition: MLXArray, _ x: MLXArray, _ y: MLXArray) throws -> MLXArray {
    try withHandles([condition, x, y]) { h in try produce { mlxc_where(h[0], h[1], h[2], &$0) } }
}

public func clip(_ a: MLXArray, min low: Float? = nil, max high: Float? = nil) throws -> MLXArray {
    let lo = try low.map { try a.scalar($0) }
    let hi = try high.map { try a.scalar($0) }
    return try a.withHandle { h in
        try withOptionalHandle(lo) { l in
            try withOptionalHandle(hi) { u in try produce { mlxc_clip(h, l, u, &$0) } }
        }
    }
}

extension MLXArray {
    public func asType(_ dtype: DType) throws -> MLXArray {
        try withHandle { h in try produce { mlxc_astype(h, dtype.rawValue, &$0) } }
    }
}

// Integer bit operations (hash-grid indices): both operands integer arrays of one dtype.
public func bitwiseAnd(_ a: MLXArray, _ b: MLXArray) throws -> MLXArray { try binary(MLXC_BITWISE_AND, a, b) }
public func bitwiseOr(_ a: MLXArray, _ b: MLXArray) throws -> MLXArray { try binary(MLXC_BITWISE_OR, a, b) }
public func bitwiseXor(_ a: MLXArray, _ b: MLXArray) throws -> MLXArray { try binary(MLXC_BITWISE_XOR, a, b) }
