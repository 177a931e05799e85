/// The size of Text2LIVE's generator (configs/image_config.yaml → models/networks.py define_G →
/// models/backbone/skip.py): Deep Image Prior's "skip" encoder–decoder from 3 to 4 channels.
public struct SkipGeneratorConfiguration: Sendable, Equatable, Codable {
    /// `num_scales`: levels of the encoder–decoder (each halves the picture once).
    public var scales = 7
    /// `skip_n33d`: channels of each level's stride-2 3×3 and 3×3 convolutions.
    public var downChannels = 128
    /// `skip_n33u`: channels of each level's decoder 3×3 and 1×1 convolutions.
    public var upChannels = 128
    /// `skip_n11`: channels of each level's 1×1 skip convolution. At least 1: without the skip
    /// branch skip.py has no Concat, so nothing crops the upsampled map back to an odd side and
    /// the output would be larger than the input.
    public var skipChannels = 4
    /// skip()'s `decorr_rgb` (True in Text2LIVE): a fixed 3×3 colour decorrelation matrix mixes
    /// the RGB logits before the sigmoid.
    public var decorrelatedColours = true
    public let inputChannels = 3
    public let outputChannels = 4

    public init(scales: Int = 7, downChannels: Int = 128, upChannels: Int = 128, skipChannels: Int = 4, decorrelatedColours: Bool = true) {
        self.scales = scales
        self.downChannels = downChannels
        self.upChannels = upChannels
        self.skipChannels = skipChannels
        self.decorrelatedColours = decorrelatedColours
    }

    enum CodingKeys: String, CodingKey {
        case scales, downChannels = "down_channels", upChannels = "up_channels", skipChannels = "skip_channels"
        case decorrelatedColours = "decorrelated_colours"
    }

    func validate() throws {
        // Bounds keep every later product of channel counts far from overflow.
        let limit = 1 << 16
        for (name, value, low) in [("scales", scales, 1), ("down_channels", downChannels, 1), ("up_channels", upChannels, 1), ("skip_channels", skipChannels, 1)]
        where value < low || value > (name == "scales" ? 30 : limit) {
            throw LayeredEditingError.invalidSetting(name: name, value: "\(value)", expected: "an integer in \(low)...\(name == "scales" ? 30 : limit)")
        }
    }

    /// The smallest picture side the generator accepts: the deepest level's input, after
    /// `scales` halvings rounding up (⌈n/2⌉ per stride-2 convolution with reflection padding 1),
    /// must be at least 2 — PyTorch's ReflectionPad2d needs a pad smaller than the side, and
    /// training-mode BatchNorm needs more than one value per channel.
    public var minimumSide: Int { (1 << scales) + 1 }

    /// ⌈side / 2^scales⌉ ≥ 2 for both sides.
    public func accepts(height: Int, width: Int) -> Bool { height >= minimumSide && width >= minimumSide }

    /// PyTorch's parameter count (trainable weights and biases; BatchNorm buffers and the colour
    /// matrix excluded) in closed form: per level i (input c_i = 3 at level 0, d after),
    /// k = u below the deepest level and d at it,
    ///   skip 1×1 conv + BN: c_i·s + s + 2s
    ///   down 3×3/2 + BN, 3×3 + BN: 9c_i·d + d + 2d + 9d² + d + 2d
    ///   BN over the concatenation: 2(s + k)
    ///   up 3×3 + BN: 9(s + k)·u + u + 2u;  1×1 + (BN except at level 0): u² + u (+ 2u)
    /// and the final 1×1 to 4 channels: 4u + 4. At the defaults (7, 128, 128, 4) this is 3,115,548.
    public var parameterCount: Int {
        let (d, u, s) = (downChannels, upChannels, skipChannels)
        var total = 4 * u + 4
        for level in 0..<scales {
            let c = level == 0 ? inputChannels : d
            let k = level < scales - 1 ? u : d
            total += c * s + s + 2 * s
            total += 9 * c * d + d + 2 * d + 9 * d * d + d + 2 * d
            total += 2 * (s + k)
            total += 9 * (s + k) * u + u + 2 * u
            total += u * u + u + (level > 0 ? 2 * u : 0)
        }
        return total
    }
}
