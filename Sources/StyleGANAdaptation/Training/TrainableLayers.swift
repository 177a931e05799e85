import NN
import StyleGAN

/// Which parameters of the generator train. NADA trains whole StyleConv layers (conv1 and the convs)
/// with mapping and ToRGB frozen; StyleGANFusion also freezes every bias. A layer is named by the
/// W+ index NADA gives it: 0 → conv1, 1 → to_rgb1 (never trained here), 2 + j → convs.j.
enum TrainableLayers {
    static func prefix(ofIndex index: Int, in generator: StyleGAN2Generator) -> String? {
        if index == 0 { return "conv1." }
        let conv = index - 2
        guard conv >= 0, conv < 2 * (generator.architecture.channels.count - 1) else { return nil }
        return "convs.\(conv)."
    }

    /// Every W+ index that names a trainable layer.
    static func allIndices(of generator: StyleGAN2Generator) -> [Int] {
        [0] + Array(2..<(2 + 2 * (generator.architecture.channels.count - 1)))
    }

    /// Freezes everything but the non-bias parameters (convolution and modulation weights, noise
    /// strength) of the layers with these W+ indices.
    static func train(_ indices: [Int], of generator: StyleGAN2Generator) {
        generator.setFrozen(true)
        let prefixes = indices.compactMap { prefix(ofIndex: $0, in: generator) }
        for (key, parameter) in generator.namedParameters() where prefixes.contains(where: { key.hasPrefix($0) }) && !key.hasSuffix("bias") {
            parameter.isFrozen = false
        }
    }
}
