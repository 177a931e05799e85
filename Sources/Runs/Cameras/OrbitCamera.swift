import Foundation

/// A pinhole camera on a sphere around the origin, looking at it, y up: the project's camera
/// convention (azimuth 0° looks from +z, the "front"; angles in degrees), shared by the toy world's
/// renderer and text-to-3D, so renders of a field frame objects the way the default model saw them
/// in training.
public struct OrbitCamera: Codable, Equatable, Sendable {
    public var azimuth: Float
    public var elevation: Float
    public var radius: Float
    public var fieldOfView: Float

    public init(azimuth: Float, elevation: Float, radius: Float, fieldOfView: Float) {
        self.azimuth = azimuth
        self.elevation = elevation
        self.radius = radius
        self.fieldOfView = fieldOfView
    }

    public var position: SIMD3<Float> {
        let a = azimuth * .pi / 180, e = elevation * .pi / 180
        return SIMD3(radius * cos(e) * sin(a), radius * sin(e), radius * cos(e) * cos(a))
    }

    /// DreamFusion's view label for this camera (front/side/back/overhead).
    public var viewDirection: ViewDirection { ViewDirection(azimuth: azimuth, elevation: elevation) }

    /// The camera's orthonormal frame: viewing direction, image right, image up.
    var frame: (forward: SIMD3<Float>, right: SIMD3<Float>, up: SIMD3<Float>) {
        let forward = normalize(-position)
        // At the poles the world up is parallel to the view direction: fall back to −z as "up".
        let worldUp: SIMD3<Float> = abs(forward.y) > 0.999 ? SIMD3(0, 0, -1) : SIMD3(0, 1, 0)
        let right = normalize(cross(forward, worldUp))
        return (forward, right, cross(right, forward))
    }

    /// Where a world point lands in a width × height image (continuous pixel coordinates, pixel
    /// centres at +0.5, the inverse of `rayDirections`) and its distance from the camera; nil behind it.
    public func project(_ point: SIMD3<Float>, width: Int, height: Int) -> (x: Float, y: Float, distance: Float)? {
        let (forward, right, up) = frame
        let offset = point - position
        let depth = (offset * forward).sum()
        guard depth > 1e-6 else { return nil }
        let halfHeight = tan(fieldOfView * .pi / 360)
        let halfWidth = halfHeight * Float(width) / Float(height)
        let u = (offset * right).sum() / depth / halfWidth, v = (offset * up).sum() / depth / halfHeight
        return ((u + 1) / 2 * Float(width), (1 - v) / 2 * Float(height), (offset * offset).sum().squareRoot())
    }

    /// Unit ray directions through the centres of a width × height image's pixels, row-major,
    /// image y pointing down (row 0 at the top).
    public func rayDirections(width: Int, height: Int) -> [SIMD3<Float>] {
        let (forward, right, up) = frame
        let halfHeight = tan(fieldOfView * .pi / 360)
        let halfWidth = halfHeight * Float(width) / Float(height)
        var directions: [SIMD3<Float>] = []
        directions.reserveCapacity(width * height)
        for y in 0..<height {
            for x in 0..<width {
                let u = ((Float(x) + 0.5) / Float(width) * 2 - 1) * halfWidth
                let v = (1 - (Float(y) + 0.5) / Float(height) * 2) * halfHeight
                directions.append(normalize(forward + right * u + up * v))
            }
        }
        return directions
    }
}

func normalize(_ v: SIMD3<Float>) -> SIMD3<Float> { v / (v * v).sum().squareRoot() }

func cross(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
