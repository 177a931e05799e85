import CMLX

/// A function of arrays to arrays: the shape every MLX transform works on.
public typealias ArrayFunction = ([MLXArray]) throws -> [MLXArray]

/// The payload a Swift closure carries into C. It also keeps the first Swift error the closure
/// threw, so a transform rethrows that error (with its type) rather than only its message.
private final class ClosurePayload {
    let body: ArrayFunction
    var error: Error?
    init(_ body: @escaping ArrayFunction) { self.body = body }
}

private let closureCallback: mlxc_callback = { payload, inputs, outputs in
    let box = Unmanaged<ClosurePayload>.fromOpaque(payload!).takeUnretainedValue()
    do {
        let results = try box.body(try ArrayVector.arrays(in: inputs!))
        for array in results {
            array.withHandle { mlxc_vector_append(outputs!, $0) }
        }
        return 0
    } catch {
        if box.error == nil { box.error = error }
        mlxc_set_error(String(describing: error))
        return 1
    }
}

private let closureDestructor: mlxc_destructor = { payload in
    Unmanaged<ClosurePayload>.fromOpaque(payload!).release()
}

/// A CMLX closure owned by Swift: either a Swift function crossing into MLX, or what a transform
/// such as `compile` made of one.
public final class TransformedFunction {
    fileprivate let handle: mlxc_closure
    fileprivate let payload: ClosurePayload

    fileprivate init(handle: mlxc_closure, payload: ClosurePayload) {
        self.handle = handle
        self.payload = payload
    }

    fileprivate convenience init(_ body: @escaping ArrayFunction) throws {
        let payload = ClosurePayload(body)
        var out: mlxc_closure?
        // The C side takes this retain and releases it through closureDestructor.
        try check(mlxc_closure_new(closureCallback, Unmanaged.passRetained(payload).toOpaque(), closureDestructor, &out))
        self.init(handle: out!, payload: payload)
    }

    deinit { mlxc_closure_free(handle) }

    /// Runs a CMLX call on this closure; a Swift error thrown inside is rethrown as itself.
    fileprivate func run(_ call: (mlxc_closure) -> Int32) throws {
        payload.error = nil
        let status = withExtendedLifetime(self) { call(handle) }
        if status != 0, let error = payload.error {
            payload.error = nil
            throw error
        }
        try check(status)
    }

    fileprivate func transformed(_ call: (mlxc_closure, inout mlxc_closure?) -> Int32) throws -> TransformedFunction {
        var out: mlxc_closure?
        try run { call($0, &out) }
        return TransformedFunction(handle: out!, payload: payload)
    }

    public func callAsFunction(_ inputs: [MLXArray]) throws -> [MLXArray] {
        let (ins, outs) = (ArrayVector(inputs), ArrayVector())
        try run { mlxc_closure_apply($0, ins.handle, outs.handle) }
        return try outs.arrays
    }
}

/// Outputs of `f` at `primals`, and the vector-Jacobian products with `cotangents` (one per output).
public func vjp(_ f: @escaping ArrayFunction, primals: [MLXArray], cotangents: [MLXArray]) throws -> (outputs: [MLXArray], vjps: [MLXArray]) {
    let closure = try TransformedFunction(f)
    let (p, c, outs, vjps) = (ArrayVector(primals), ArrayVector(cotangents), ArrayVector(), ArrayVector())
    try closure.run { mlxc_vjp($0, p.handle, c.handle, outs.handle, vjps.handle) }
    return (try outs.arrays, try vjps.arrays)
}

/// Outputs of `f` at `primals`, and the Jacobian-vector products with `tangents` (one per input).
public func jvp(_ f: @escaping ArrayFunction, primals: [MLXArray], tangents: [MLXArray]) throws -> (outputs: [MLXArray], jvps: [MLXArray]) {
    let closure = try TransformedFunction(f)
    let (p, t, outs, jvps) = (ArrayVector(primals), ArrayVector(tangents), ArrayVector(), ArrayVector())
    try closure.run { mlxc_jvp($0, p.handle, t.handle, outs.handle, jvps.handle) }
    return (try outs.arrays, try jvps.arrays)
}

/// A function returning `f`'s outputs and the gradient of its first output (a scalar loss) with
/// respect to the inputs listed in `argnums`.
public func valueAndGrad(_ f: @escaping ArrayFunction, argnums: [Int] = [0]) -> ([MLXArray]) throws -> (values: [MLXArray], grads: [MLXArray]) {
    let indices = argnums.map(Int32.init)
    return { inputs in
        let closure = try TransformedFunction(f)
        let (ins, values, grads) = (ArrayVector(inputs), ArrayVector(), ArrayVector())
        try closure.run { mlxc_value_and_grad($0, indices, Int32(indices.count), ins.handle, values.handle, grads.handle) }
        return (try values.arrays, try grads.arrays)
    }
}

/// The gradients of `f`'s scalar first output with respect to the inputs listed in `argnums`.
public func grad(_ f: @escaping ArrayFunction, argnums: [Int] = [0]) -> ([MLXArray]) throws -> [MLXArray] {
    let function = valueAndGrad(f, argnums: argnums)
    return { try function($0).grads }
}

/// Single-array form: d f(x) / dx for a scalar-valued f.
public func grad(_ f: @escaping (MLXArray) throws -> MLXArray) -> (MLXArray) throws -> MLXArray {
    let function = grad({ [try f($0[0])] }, argnums: [0])
    return { try function([$0])[0] }
}

/// Traces `f` once per input shape (any shape if `shapeless`) and fuses its graph; later calls
/// replay the compiled graph. `f` must be a pure function of its inputs.
public func compile(_ f: @escaping ArrayFunction, shapeless: Bool = false) throws -> TransformedFunction {
    try TransformedFunction(f).transformed { mlxc_compile($0, shapeless, &$1) }
}

/// Gradient checkpointing: the backward pass recomputes `f`'s intermediates instead of storing them.
public func checkpoint(_ f: @escaping ArrayFunction) throws -> TransformedFunction {
    try TransformedFunction(f).transformed { mlxc_checkpoint($0, &$1) }
}

/// Turns compilation on or off globally (off helps when debugging a traced function).
public func setCompileEnabled(_ enabled: Bool) {
    mlxc_set_compile_enabled(enabled)
}
