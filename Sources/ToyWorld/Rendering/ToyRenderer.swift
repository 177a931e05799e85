import Foundation
import ImageIO

/// An analytic ray caster for the toy world: each pixel's ray is intersected with the primitive's
/// signed distance field by sphere tracing, the normal is the field's gradient, and the colour is
/// albedo × (ambient + diffuse · max(0, n·l)) on a white background. 2×2 supersampling.
public struct ToyRenderer: Sendable {
    public var size = 64
    public var supersampling = 2
    public static let lightDirection = simd_normalize3(SIMD3<Float>(0.4, 0.8, 0.6))
    public static let ambient: Float = 0.35
    public static let diffuse: Float = 0.65

    public init(size: Int = 64) { self.size = size }

    /// The object's signed distance at p (object centred at the origin, about 1.6 units across).
    public static func distance(_ p: SIMD3<Float>, shape: ToyShape) -> Float {
        switch shape {
        case .sphere:
            return simd_length3(p) - 0.8
        case .cube:
            let q = SIMD3(abs(p.x), abs(p.y), abs(p.z)) - SIMD3(repeating: 0.62)
            let outside = simd_length3(SIMD3(max(q.x, 0), max(q.y, 0), max(q.z, 0)))
            return outside + min(max(q.x, max(q.y, q.z)), 0)
        case .cylinder:
            let d = SIMD2(hypot(p.x, p.z) - 0.6, abs(p.y) - 0.75)
            return min(max(d.x, d.y), 0) + hypot(max(d.x, 0), max(d.y, 0))
        case .cone:
            // A cone of height 1.5 (apex up) and base radius 0.75, centred vertically.
            let q = SIMD2<Float>(hypot(p.x, p.z), p.y + 0.75)
            let height: Float = 1.5, radius: Float = 0.75
            let side = SIMD2<Float>(height, radius) / hypot(height, radius)  // outward normal of the slanted side
            let slanted = (q.x - radius * (1 - q.y / height)) * side.x
            return max(max(slanted, -q.y), q.y - height)
        case .torus:
            let q = SIMD2<Float>(hypot(p.x, p.z) - 0.6, p.y)
            return hypot(q.x, q.y) - 0.25
        }
    }

    /// Colour image and silhouette mask (1 where the object is) of `scene`.
    public func render(_ scene: ToyScene) -> (image: RGBImage, mask: [Float]) {
        let camera = scene.camera
        let eye = camera.position
        let forward = simd_normalize3(-eye)
        let right = simd_normalize3(simd_cross(forward, SIMD3(0, 1, 0)))
        let up = simd_cross(right, forward)
        let halfWidth = tan(camera.fieldOfView * .pi / 360)
        let albedo = scene.colour.albedo
        var pixels = [UInt8](repeating: 255, count: size * size * 3)
        var mask = [Float](repeating: 0, count: size * size)
        let samples = Float(supersampling * supersampling)
        for y in 0..<size {
            for x in 0..<size {
                var colour = SIMD3<Float>(repeating: 0)
                var coverage: Float = 0
                for sy in 0..<supersampling {
                    for sx in 0..<supersampling {
                        let u = ((Float(x) + (Float(sx) + 0.5) / Float(supersampling)) / Float(size) * 2 - 1) * halfWidth
                        let v = (1 - (Float(y) + (Float(sy) + 0.5) / Float(supersampling)) / Float(size) * 2) * halfWidth
                        let direction = simd_normalize3(forward + right * u + up * v)
                        if let hit = trace(origin: eye, direction: direction, shape: scene.shape) {
                            let normal = ToyRenderer.normal(at: hit, shape: scene.shape)
                            let light = ToyRenderer.ambient + ToyRenderer.diffuse * max(0, simd_dot3(normal, ToyRenderer.lightDirection))
                            colour += albedo * light
                            coverage += 1
                        } else {
                            colour += SIMD3(repeating: 1)
                        }
                    }
                }
                colour /= samples
                let offset = (y * size + x) * 3
                pixels[offset] = UInt8(max(0, min(255, (colour.x * 255).rounded())))
                pixels[offset + 1] = UInt8(max(0, min(255, (colour.y * 255).rounded())))
                pixels[offset + 2] = UInt8(max(0, min(255, (colour.z * 255).rounded())))
                mask[y * size + x] = coverage / samples
            }
        }
        return (RGBImage(width: size, height: size, pixels: pixels), mask)
    }

    private func trace(origin: SIMD3<Float>, direction: SIMD3<Float>, shape: ToyShape) -> SIMD3<Float>? {
        // The object lies inside a sphere of radius 1.1: start tracing where the ray enters it.
        let b = simd_dot3(origin, direction)
        let c = simd_dot3(origin, origin) - 1.21
        let discriminant = b * b - c
        guard discriminant > 0 else { return nil }
        var t = max(0, -b - discriminant.squareRoot())
        let exit = -b + discriminant.squareRoot()
        for _ in 0..<96 {
            let p = origin + direction * t
            let d = ToyRenderer.distance(p, shape: shape)
            if d < 1e-3 { return p }
            t += d * 0.9
            if t > exit { return nil }
        }
        return nil
    }

    static func normal(at p: SIMD3<Float>, shape: ToyShape) -> SIMD3<Float> {
        let e: Float = 1e-3
        let dx = distance(p + SIMD3(e, 0, 0), shape: shape) - distance(p - SIMD3(e, 0, 0), shape: shape)
        let dy = distance(p + SIMD3(0, e, 0), shape: shape) - distance(p - SIMD3(0, e, 0), shape: shape)
        let dz = distance(p + SIMD3(0, 0, e), shape: shape) - distance(p - SIMD3(0, 0, e), shape: shape)
        return simd_normalize3(SIMD3(dx, dy, dz))
    }
}

// Small vector helpers (Foundation's simd module is Apple-only).
@inline(__always) func simd_dot3(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float { (a * b).sum() }
@inline(__always) func simd_length3(_ a: SIMD3<Float>) -> Float { simd_dot3(a, a).squareRoot() }
@inline(__always) func simd_normalize3(_ a: SIMD3<Float>) -> SIMD3<Float> { a / simd_length3(a) }
@inline(__always) func simd_cross(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
