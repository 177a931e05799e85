import Foundation

/// The primitives of the toy world.
public enum ToyShape: String, CaseIterable, Codable, Sendable {
    case sphere, cube, cylinder, cone, torus
}

/// The named colours of the toy world, with their albedos (linear-ish RGB in [0, 1]), chosen to
/// stay distinct after Lambertian shading.
public enum ToyColour: String, CaseIterable, Codable, Sendable {
    case red, orange, yellow, green, blue, purple

    public var albedo: SIMD3<Float> {
        switch self {
        case .red: return SIMD3(0.85, 0.10, 0.10)
        case .orange: return SIMD3(0.95, 0.50, 0.05)
        case .yellow: return SIMD3(0.92, 0.85, 0.10)
        case .green: return SIMD3(0.10, 0.70, 0.15)
        case .blue: return SIMD3(0.10, 0.25, 0.90)
        case .purple: return SIMD3(0.55, 0.15, 0.75)
        }
    }
}

/// A camera on a sphere around the origin, looking at it. Azimuth 0° is the front (+z), angles in degrees.
public struct ToyCamera: Codable, Equatable, Sendable {
    public var azimuth: Float
    public var elevation: Float
    public var radius: Float = 3.2
    public var fieldOfView: Float = 40

    public init(azimuth: Float, elevation: Float) {
        self.azimuth = azimuth
        self.elevation = elevation
    }

    public var position: SIMD3<Float> {
        let a = azimuth * .pi / 180, e = elevation * .pi / 180
        return SIMD3(radius * cos(e) * sin(a), radius * sin(e), radius * cos(e) * cos(a))
    }
}

/// One scene: a primitive of one colour at the origin, seen from one camera.
public struct ToyScene: Codable, Equatable, Sendable {
    public var shape: ToyShape
    public var colour: ToyColour
    public var camera: ToyCamera

    public init(shape: ToyShape, colour: ToyColour, camera: ToyCamera) {
        self.shape = shape
        self.colour = colour
        self.camera = camera
    }

    /// "a red cube" ("an orange …"), with an optional DreamFusion-style view suffix from the camera.
    public func caption(withView: Bool) -> String {
        let article = colour == .orange ? "an" : "a"
        let base = "\(article) \(colour.rawValue) \(shape.rawValue)"
        return withView ? base + ", " + ViewDirection(azimuth: camera.azimuth, elevation: camera.elevation).rawValue + " view" : base
    }
}

/// DreamFusion's view-dependent prompt suffix: overhead above 60° elevation... here above 40°
/// (the toy cameras stop at 60°), otherwise front within ±45° of azimuth 0, back within ±45° of
/// 180, side elsewhere. Shared with text-to-3D's view-dependent prompts.
public enum ViewDirection: String, CaseIterable, Codable, Sendable {
    case front, side, back, overhead

    public init(azimuth: Float, elevation: Float) {
        if elevation > 40 {
            self = .overhead
            return
        }
        let a = (azimuth.truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360)
        if a < 45 || a >= 315 {
            self = .front
        } else if a >= 135 && a < 225 {
            self = .back
        } else {
            self = .side
        }
    }
}
