import Foundation
import Runs

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

/// The toy world's cameras follow the project's orbit-camera convention (azimuth 0° is the front,
/// +z; angles in degrees), at the training distance and field of view unless told otherwise.
public typealias ToyCamera = OrbitCamera

extension OrbitCamera {
    /// A toy-world camera: radius 3.2, field of view 40°.
    public init(azimuth: Float, elevation: Float) {
        self.init(azimuth: azimuth, elevation: elevation, radius: 3.2, fieldOfView: 40)
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
