import MLXCore

/// torchvision's ColorJitter(brightness=0.1, contrast=0.1, saturation=0.1, hue=0.1) as Text2LIVE's
/// datasets/image_dataset.py applies it (inside RandomApply with p = `jitter_p` = 0.1): factors
/// drawn uniformly from [1 − 0.1, 1 + 0.1] (hue from [−0.1, 0.1]), the four adjustments in a random
/// order. The formulas are torchvision's tensor ones (transforms/_functional_tensor.py) on
/// pictures [N, H, W, 3] in [0, 1]; Text2LIVE jitters a PIL image (8-bit rounding aside, the same).
public struct ColourJitter: Sendable, Equatable {
    public var brightness: Float
    public var contrast: Float
    public var saturation: Float
    public var hue: Float
    /// Order of application: 0 brightness, 1 contrast, 2 saturation, 3 hue.
    public var order: [Int]

    public init(brightness: Float = 1, contrast: Float = 1, saturation: Float = 1, hue: Float = 0, order: [Int] = [0, 1, 2, 3]) {
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
        self.order = order
    }

    public func apply(_ picture: MLXArray) throws -> MLXArray {
        var x = picture
        for step in order {
            switch step {
            case 0: x = try ColourJitter.adjustBrightness(x, brightness)
            case 1: x = try ColourJitter.adjustContrast(x, contrast)
            case 2: x = try ColourJitter.adjustSaturation(x, saturation)
            default: x = try ColourJitter.adjustHue(x, hue)
            }
        }
        return x
    }

    /// rgb_to_grayscale: 0.2989 R + 0.587 G + 0.114 B, [N, H, W, 1].
    static func grayscale(_ x: MLXArray) throws -> MLXArray {
        let weights = try MLXArray([0.2989, 0.587, 0.114] as [Float], shape: [1, 1, 1, 3]).asType(x.dtype)
        return try (x * weights).sum(axis: 3, keepDims: true)
    }

    /// _blend: clamp(factor·a + (1 − factor)·b, 0, 1).
    static func blend(_ a: MLXArray, _ b: MLXArray, _ factor: Float) throws -> MLXArray {
        try clip(a * factor + b * (1 - factor), min: 0, max: 1)
    }

    static func adjustBrightness(_ x: MLXArray, _ factor: Float) throws -> MLXArray {
        try blend(x, zeros(like: x), factor)
    }

    /// Blend with the mean of the grayscale picture (one value per picture).
    static func adjustContrast(_ x: MLXArray, _ factor: Float) throws -> MLXArray {
        try blend(x, try grayscale(x).mean(axes: [1, 2, 3], keepDims: true), factor)
    }

    static func adjustSaturation(_ x: MLXArray, _ factor: Float) throws -> MLXArray {
        try blend(x, try grayscale(x), factor)
    }

    /// RGB → HSV, h ← (h + factor) mod 1, HSV → RGB (_rgb2hsv / _hsv2rgb).
    static func adjustHue(_ x: MLXArray, _ factor: Float) throws -> MLXArray {
        let r = try x.sliced(axis: 3, 0..<1), g = try x.sliced(axis: 3, 1..<2), b = try x.sliced(axis: 3, 2..<3)
        let maxc = try maximum(maximum(r, g), b), minc = try minimum(minimum(r, g), b)
        let equal = try maxc .== minc
        let one = try ones(like: maxc)
        let chroma = try maxc - minc
        let saturation = try chroma / which(equal, one, maxc)
        let divisor = try which(equal, one, chroma)
        let rc = try (maxc - r) / divisor, gc = try (maxc - g) / divisor, bc = try (maxc - b) / divisor
        let isR = try maxc .== r, isG = try (maxc .== g) .&& logicalNot(isR)
        let hueSixths = try which(isR, bc - gc, which(isG, rc + 2 - bc, gc + 4 - rc))
        // (h/6 + 1) mod 1, then shifted; + 2 keeps the remainder's argument positive.
        let h = try (hueSixths / 6 + 2 + factor) % one
        let v = maxc
        let h6 = try h * 6
        let sector = try floor(h6)
        let f = try h6 - sector
        let i = try sector % (one * 6)
        let p = try clip(v * (1 - saturation), min: 0, max: 1)
        let q = try clip(v * (1 - saturation * f), min: 0, max: 1)
        let t = try clip(v * (1 - saturation * (1 - f)), min: 0, max: 1)
        // Sectors 0…5: (v,t,p) (q,v,p) (p,v,t) (p,q,v) (t,p,v) (v,p,q).
        func pick(_ values: [MLXArray]) throws -> MLXArray {
            var result = values[5]
            for sectorIndex in stride(from: 4, through: 0, by: -1) {
                result = try which(i .== Float(sectorIndex), values[sectorIndex], result)
            }
            return result
        }
        let red = try pick([v, q, p, p, t, v])
        let green = try pick([t, v, v, q, p, p])
        let blue = try pick([p, p, t, v, v, q])
        return try concatenated([red, green, blue], axis: 3)
    }
}
