import ImageIO
import MLXCore

/// An affine map from a latent vector to RGB, fitted by least squares to the field's own decoded
/// views (each latent pixel against the mean colour of the image block it decodes to, object
/// pixels only). Latent-NeRF uses a fixed linear map for Stable Diffusion's latents; fitting it
/// per run works for any VAE, the toy model's included. Used to colour mesh vertices.
public struct LatentColourMap {
    /// [C + 1][3]: one row per latent channel, then the bias row; RGB in 0…255.
    public let coefficients: [[Double]]

    public init(coefficients: [[Double]]) {
        self.coefficients = coefficients
    }

    /// Fits the map to `views`; `minimumOpacity` selects the object's pixels.
    public init(fitting views: [DecodedView], minimumOpacity: Float = 0.5) throws {
        var rows: [[Double]] = [], targets: [[Double]] = []
        var allRows: [[Double]] = [], allTargets: [[Double]] = []
        for view in views {
            let height = view.latents.dim(1), width = view.latents.dim(2), channels = view.latents.dim(3)
            let latents = try view.latents.asType(.float32).toArray(Float.self)
            let opacity = try view.opacity.toArray(Float.self)
            let factor = view.image.width / width
            for y in 0..<height {
                for x in 0..<width {
                    let pixel = y * width + x
                    let row = (0..<channels).map { Double(latents[pixel * channels + $0]) } + [1]
                    let colour = Self.blockMean(view.image, x: x * factor, y: y * factor, size: factor)
                    allRows.append(row)
                    allTargets.append(colour)
                    if opacity[pixel] >= minimumOpacity {
                        rows.append(row)
                        targets.append(colour)
                    }
                }
            }
        }
        // Too few object pixels to fit (an empty scene): fit to everything instead.
        if rows.count < 4 * (allRows.first?.count ?? 1) {
            rows = allRows
            targets = allTargets
        }
        coefficients = try Self.leastSquares(rows, targets)
    }

    /// The mean colour (0…1) of the views' background: pixels whose latent pixel is nearly
    /// transparent; white when no view has any.
    public static func backgroundColour(of views: [DecodedView], maximumOpacity: Float = 0.05) throws -> SIMD3<Float> {
        var sum = SIMD3<Double>(repeating: 0), count = 0.0
        for view in views {
            let height = view.opacity.dim(0), width = view.opacity.dim(1)
            let opacity = try view.opacity.toArray(Float.self)
            let factor = view.image.width / width
            for y in 0..<height {
                for x in 0..<width where opacity[y * width + x] <= maximumOpacity {
                    let colour = blockMean(view.image, x: x * factor, y: y * factor, size: factor)
                    sum += SIMD3(colour[0], colour[1], colour[2])
                    count += 1
                }
            }
        }
        guard count > 0 else { return SIMD3(repeating: 1) }
        let mean = sum / count / 255
        return SIMD3(Float(mean.x), Float(mean.y), Float(mean.z))
    }

    public func colour(_ latent: [Float]) -> SIMD3<UInt8> {
        var rgb = [Double](repeating: 0, count: 3)
        for channel in 0..<3 {
            var value = coefficients[latent.count][channel]
            for (index, component) in latent.enumerated() { value += Double(component) * coefficients[index][channel] }
            rgb[channel] = min(max(value.rounded(), 0), 255)
        }
        return SIMD3(UInt8(rgb[0]), UInt8(rgb[1]), UInt8(rgb[2]))
    }

    static func blockMean(_ image: RGBImage, x: Int, y: Int, size: Int) -> [Double] {
        var sum = [Double](repeating: 0, count: 3)
        for dy in 0..<size {
            for dx in 0..<size {
                let p = image[x + dx, y + dy]
                sum[0] += Double(p.0)
                sum[1] += Double(p.1)
                sum[2] += Double(p.2)
            }
        }
        return sum.map { $0 / Double(size * size) }
    }

    /// Solves min ‖X B − Y‖² by the normal equations (XᵀX + εI) B = XᵀY with Gaussian elimination.
    static func leastSquares(_ x: [[Double]], _ y: [[Double]]) throws -> [[Double]] {
        guard let n = x.first?.count, !x.isEmpty else { throw FieldError.invalidSetting("no pixels to fit a colour map to") }
        let m = y[0].count
        var a = [[Double]](repeating: [Double](repeating: 0, count: n + m), count: n)
        for (row, target) in zip(x, y) {
            for i in 0..<n {
                for j in 0..<n { a[i][j] += row[i] * row[j] }
                for j in 0..<m { a[i][n + j] += row[i] * target[j] }
            }
        }
        for i in 0..<n { a[i][i] += 1e-6 * Double(x.count) }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
            a.swapAt(column, pivot)
            let p = a[column][column]
            guard abs(p) > 1e-12 else { throw FieldError.invalidSetting("the colour map's system is singular") }
            for j in column..<(n + m) { a[column][j] /= p }
            for i in 0..<n where i != column {
                let f = a[i][column]
                if f != 0 { for j in column..<(n + m) { a[i][j] -= f * a[column][j] } }
            }
        }
        return (0..<n).map { i in Array(a[i][n...]) }
    }
}
