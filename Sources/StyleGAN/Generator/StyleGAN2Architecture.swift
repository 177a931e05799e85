import MLXCore

/// The shape of a rosinality StyleGAN2 generator: output size, style width, mapping depth and the
/// channels at each resolution 4, 8, …, size. Read from a state dict's tensor shapes, so any
/// rosinality-format generator (config-f, config-e, custom channel counts) loads without flags.
public struct StyleGAN2Architecture: Codable, Equatable, Sendable, CustomStringConvertible {
    public var size: Int
    public var styleDimension: Int
    public var mappingLayers: Int
    /// Channels at resolutions 4, 8, …, size (log2(size) − 1 entries).
    public var channels: [Int]

    public init(size: Int, styleDimension: Int, mappingLayers: Int, channels: [Int]) throws {
        guard size >= 4, size <= 4096, size & (size - 1) == 0 else {
            throw StyleGANError.invalidInput("a StyleGAN2 size must be a power of two in 4…4096, got \(size)")
        }
        let levels = Self.log2(size) - 1
        guard channels.count == levels, channels.allSatisfy({ (1...16384).contains($0) }) else {
            throw StyleGANError.invalidInput("a \(size)-pixel StyleGAN2 needs \(levels) channel counts in 1…16384, got \(channels)")
        }
        guard (1...16384).contains(styleDimension), (0...64).contains(mappingLayers) else {
            throw StyleGANError.invalidInput("style width \(styleDimension) or mapping depth \(mappingLayers) out of range")
        }
        self.size = size
        self.styleDimension = styleDimension
        self.mappingLayers = mappingLayers
        self.channels = channels
    }

    /// rosinality's default channels: 512 up to 32 px, then 256·m, 128·m, 64·m, 32·m, 16·m (m = channel_multiplier).
    public static func rosinality(size: Int, styleDimension: Int = 512, mappingLayers: Int = 8, channelMultiplier: Int = 2) throws -> StyleGAN2Architecture {
        let table = [4: 512, 8: 512, 16: 512, 32: 512, 64: 256 * channelMultiplier, 128: 128 * channelMultiplier,
                     256: 64 * channelMultiplier, 512: 32 * channelMultiplier, 1024: 16 * channelMultiplier]
        let resolutions = (2...max(2, log2(size))).map { 1 << $0 }
        return try StyleGAN2Architecture(size: size, styleDimension: styleDimension, mappingLayers: mappingLayers,
                                         channels: resolutions.map { table[$0] ?? 16 * channelMultiplier })
    }

    /// W+ codes: 2·log2(size) − 2 (conv1, to_rgb1, then two convs per resolution with the next ToRGB sharing the following index).
    public var latentCount: Int { 2 * Self.log2(size) - 2 }
    /// Noise inputs: one per convolution, (log2(size) − 2)·2 + 1.
    public var noiseCount: Int { (Self.log2(size) - 2) * 2 + 1 }
    /// The side of noise input i: 2^((i + 5) / 2).
    public func noiseSide(_ index: Int) -> Int { 1 << ((index + 5) / 2) }

    public var description: String {
        "\(size)×\(size), style \(styleDimension), mapping \(mappingLayers) layers, channels \(channels.map(String.init).joined(separator: "/"))"
    }

    static func log2(_ value: Int) -> Int { Int.bitWidth - 1 - value.leadingZeroBitCount }

    /// The architecture of a state dict with rosinality's generator keys; a dict that does not form
    /// one is named by the key that is missing or has an unexpected shape.
    public static func inferred(from weights: [String: MLXArray], source: String) throws -> StyleGAN2Architecture {
        func shape(_ key: String, rank: Int) throws -> [Int] {
            guard let tensor = weights[key] else { throw StyleGANError.notAGenerator(source: source, reason: "no tensor '\(key)'") }
            guard tensor.ndim == rank else {
                throw StyleGANError.notAGenerator(source: source, reason: "'\(key)' has shape \(tensor.shape), expected \(rank) dimensions")
            }
            return tensor.shape
        }
        let input = try shape("input.input", rank: 4)
        guard input[0] == 1, input[2] == 4, input[3] == 4 else {
            throw StyleGANError.notAGenerator(source: source, reason: "'input.input' has shape \(input), expected [1, C, 4, 4]")
        }
        let mapping = try shape("style.1.weight", rank: 2)
        let styleDimension = mapping[1]
        var mappingLayers = 0
        while weights["style.\(mappingLayers + 1).weight"] != nil { mappingLayers += 1 }
        var toRGBCount = 0
        while weights["to_rgbs.\(toRGBCount).conv.weight"] != nil { toRGBCount += 1 }
        guard toRGBCount <= 10 else { throw StyleGANError.notAGenerator(source: source, reason: "\(toRGBCount) ToRGB layers (at most 10: 4096 px)") }
        var channels = [input[1]]
        for index in 0..<toRGBCount {
            let up = try shape("convs.\(2 * index).conv.weight", rank: 5)
            channels.append(up[1])
        }
        let architecture = try StyleGAN2Architecture(size: 4 << toRGBCount, styleDimension: styleDimension, mappingLayers: mappingLayers,
                                                     channels: channels)
        for (key, expected) in architecture.expectedShapes() {
            let found = try shape(key, rank: expected.count)
            guard found == expected else {
                throw StyleGANError.notAGenerator(source: source, reason: "'\(key)' has shape \(found), expected \(expected) for \(architecture)")
            }
        }
        return architecture
    }

    /// Every parameter's shape in rosinality's file layout (noise buffers included, blur kernels not).
    func expectedShapes() -> [(String, [Int])] {
        let s = styleDimension
        var shapes: [(String, [Int])] = [("input.input", [1, channels[0], 4, 4])]
        for layer in stride(from: 1, through: mappingLayers, by: 1) {
            shapes += [("style.\(layer).weight", [s, s]), ("style.\(layer).bias", [s])]
        }
        func styled(_ name: String, _ input: Int, _ output: Int) -> [(String, [Int])] {
            [("\(name).conv.weight", [1, output, input, 3, 3]), ("\(name).conv.modulation.weight", [input, s]),
             ("\(name).conv.modulation.bias", [input]), ("\(name).noise.weight", [1]), ("\(name).activate.bias", [output])]
        }
        func toRGB(_ name: String, _ input: Int) -> [(String, [Int])] {
            [("\(name).conv.weight", [1, 3, input, 1, 1]), ("\(name).conv.modulation.weight", [input, s]),
             ("\(name).conv.modulation.bias", [input]), ("\(name).bias", [1, 3, 1, 1])]
        }
        shapes += styled("conv1", channels[0], channels[0]) + toRGB("to_rgb1", channels[0])
        for index in 1..<channels.count {
            shapes += styled("convs.\(2 * index - 2)", channels[index - 1], channels[index])
            shapes += styled("convs.\(2 * index - 1)", channels[index], channels[index])
            shapes += toRGB("to_rgbs.\(index - 1)", channels[index])
        }
        for index in 0..<noiseCount { shapes.append(("noises.noise_\(index)", [1, 1, noiseSide(index), noiseSide(index)])) }
        return shapes
    }
}
