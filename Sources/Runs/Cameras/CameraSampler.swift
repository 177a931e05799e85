/// A closed interval to draw a setting uniformly from (camera radius, elevation, field of view).
public struct UniformRange: Codable, Equatable, Sendable {
    public var lower: Float
    public var upper: Float
    public init(_ lower: Float, _ upper: Float) {
        self.lower = lower
        self.upper = upper
    }

    func draw(_ generator: inout SplitMix64) -> Float {
        lower + (upper - lower) * Float(generator.nextUnit())
    }
}

/// Random training cameras: azimuth uniform in [0°, 360°), elevation, radius and field of view
/// uniform in their ranges. A step's camera depends only on the seed and the step, so a resumed
/// run draws the same cameras as an uninterrupted one.
public struct CameraSampler: Sendable {
    public let seed: UInt64
    public let radius: UniformRange
    public let elevation: UniformRange
    public let fieldOfView: UniformRange

    public init(seed: UInt64, radius: UniformRange, elevation: UniformRange, fieldOfView: UniformRange) {
        self.seed = seed
        self.radius = radius
        self.elevation = elevation
        self.fieldOfView = fieldOfView
    }

    /// The camera of `view` (of several per step) at `step`; view 0's is the step's single camera.
    public func camera(step: Int, view: Int = 0) -> OrbitCamera {
        var generator = StepRandomness(seed: seed).generator(step: step, stream: view == 0 ? 0 : 0xCA_0000 &+ UInt64(view))
        let azimuth = Float(generator.nextUnit()) * 360
        let elevation = self.elevation.draw(&generator)
        let radius = self.radius.draw(&generator)
        return OrbitCamera(azimuth: azimuth, elevation: elevation, radius: radius, fieldOfView: fieldOfView.draw(&generator))
    }

    /// The stratified-sampling jitter of a step, as a generator of numbers in [0, 1).
    public func jitter(step: Int, view: Int = 0) -> () -> Float {
        var generator = SplitMix64(seed: (seed &+ 0x51_7CC1_B727_220A &* UInt64(step + 1)) ^ (0xD6E8_FEB8_6659_FD93 &* UInt64(view)))
        return { Float(generator.nextUnit()) }
    }
}
