import ImageIO
import Runs

/// Checks whether a picture shows the prompted toy-world object, without any learned model:
/// - colour: each object pixel (far enough from the white background) votes for the toy colour
///   with the nearest chromaticity (r, g, b)/(r + g + b); the prompted colour must win the vote;
/// - shape: the object's silhouette is compared (IoU) with silhouettes the renderer makes of every
///   shape from a grid of cameras; the best-matching template's shape is the recognised one.
public struct ToyWorldJudge {
    public struct Verdict: Equatable {
        public let colour: ToyColour?
        public let shape: ToyShape?
        /// Fraction of object pixels voting for the winning colour.
        public let colourShare: Float
        public let bestIoU: Float
    }

    private let templates: [(shape: ToyShape, mask: [Bool])]
    private let chromaticities: [(colour: ToyColour, value: SIMD3<Float>)]
    /// Each colour as the renderer shows it: the mean RGB (0…255) of its object pixels.
    private let renderedColours: [ToyColour: SIMD3<Float>]
    public let size: Int

    public init(size: Int = 64, azimuthStep: Float = 30, elevations: [Float] = [-10, 5, 20, 35, 50, 60]) {
        self.size = size
        let renderer = ToyRenderer(size: size)
        var templates: [(ToyShape, [Bool])] = []
        for shape in ToyShape.allCases {
            for elevation in elevations {
                for azimuth in stride(from: Float(0), to: 360, by: azimuthStep) {
                    let mask = renderer.render(ToyScene(shape: shape, colour: .red, camera: ToyCamera(azimuth: azimuth, elevation: elevation))).mask
                    templates.append((shape, mask.map { $0 >= 0.5 }))
                }
            }
        }
        self.templates = templates
        // Reference chromaticities: the colours as rendered (mean over the catalogue's object pixels).
        var rendered: [ToyColour: SIMD3<Float>] = [:]
        for colour in ToyColour.allCases {
            let image = renderer.render(ToyScene(shape: .sphere, colour: colour, camera: ToyCamera(azimuth: 30, elevation: 20))).image
            rendered[colour] = ToyWorldJudge.meanObjectColour(image)
        }
        renderedColours = rendered
        chromaticities = ToyColour.allCases.map { ($0, ToyWorldJudge.chromaticity(rendered[$0]!)) }
    }

    /// The mean RGB (0…255) of a picture's object pixels (zero when it has none).
    static func meanObjectColour(_ image: RGBImage) -> SIMD3<Float> {
        let pixels = objectPixels(image)
        return pixels.reduce(SIMD3<Float>(repeating: 0), +) / Float(max(pixels.count, 1))
    }

    /// ΔE*ab between the picture's mean object colour and `colour` as the toy renderer shows it;
    /// nil when the picture has no object pixels. How close a text-to-3D view's colour is to the
    /// colour the toy model was trained on (docs/TEXT_TO_3D.md compares the two stages with it).
    public func colourDifference(_ image: RGBImage, to colour: ToyColour) -> Float? {
        guard !ToyWorldJudge.objectPixels(image).isEmpty else { return nil }
        return CIELab.difference(ToyWorldJudge.meanObjectColour(image), renderedColours[colour]!)
    }

    static func isObject(_ pixel: SIMD3<Float>) -> Bool {
        let distance = (SIMD3<Float>(repeating: 255) - pixel)
        return (distance * distance).sum().squareRoot() > 60
    }

    static func objectPixels(_ image: RGBImage) -> [SIMD3<Float>] {
        (0..<(image.width * image.height)).compactMap { index in
            let pixel = SIMD3<Float>(Float(image.pixels[3 * index]), Float(image.pixels[3 * index + 1]), Float(image.pixels[3 * index + 2]))
            return isObject(pixel) ? pixel : nil
        }
    }

    static func chromaticity(_ pixel: SIMD3<Float>) -> SIMD3<Float> { pixel / max(pixel.sum(), 1) }

    public func judge(_ image: RGBImage) -> Verdict {
        var votes = [ToyColour: Int]()
        var silhouette = [Bool](repeating: false, count: size * size)
        for index in 0..<(image.width * image.height) {
            let pixel = SIMD3<Float>(Float(image.pixels[3 * index]), Float(image.pixels[3 * index + 1]), Float(image.pixels[3 * index + 2]))
            guard ToyWorldJudge.isObject(pixel) else { continue }
            silhouette[index] = true
            let c = ToyWorldJudge.chromaticity(pixel)
            let nearest = chromaticities.min { a, b in
                let da = (a.value - c) * (a.value - c), db = (b.value - c) * (b.value - c)
                return da.sum() < db.sum()
            }!
            votes[nearest.colour, default: 0] += 1
        }
        let total = votes.values.reduce(0, +)
        let winner = votes.max { $0.value < $1.value }
        var best: (ToyShape?, Float) = (nil, 0)
        if total > 0 {
            for template in templates {
                var intersection = 0, union = 0
                for index in 0..<silhouette.count {
                    if silhouette[index] && template.mask[index] { intersection += 1 }
                    if silhouette[index] || template.mask[index] { union += 1 }
                }
                let iou = union > 0 ? Float(intersection) / Float(union) : 0
                if iou > best.1 { best = (template.shape, iou) }
            }
        }
        return Verdict(colour: winner?.key, shape: best.0, colourShare: total > 0 ? Float(winner!.value) / Float(total) : 0,
                       bestIoU: best.1)
    }
}
