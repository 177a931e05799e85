import MLXCore

/// 2-D convolution on channels-last input [N, H, W, C_in]; weight [C_out, kH, kW, C_in / groups]
/// in memory, [C_out, C_in / groups, kH, kW] in files.
public final class Conv2d: Module {
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: Int
    public let padding: Int
    public let groups: Int

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                groups: Int = 1, bias: Bool = true) throws {
        let fanIn = inputChannels / groups * kernelSize * kernelSize
        weight = Parameter(try uniformInitialization([outputChannels, kernelSize, kernelSize, inputChannels / groups], fanIn: fanIn,
                                                     key: InitializationKeys.next()), fileLayout: .convolution)
        self.bias = bias ? Parameter(try uniformInitialization([outputChannels], fanIn: fanIn, key: InitializationKeys.next())) : nil
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    public func callAsFunction(_ x: MLXArray) throws -> MLXArray {
        let kernel = weight.value.dim(1)
        if stride == 1, groups == 1, kernel == weight.value.dim(2), kernel % 2 == 1, padding == (kernel - 1) / 2 {
            return try sameConv2d(x, weight.value, bias: bias?.value)
        }
        let y = try conv2d(x, weight.value, stride: stride, padding: padding, groups: groups)
        guard let bias else { return y }
        return try y + bias.value
    }
}
