import ToyWorld

/// Random training cameras: azimuth uniform in [0°, 360°), elevation, radius and field of view
/// uniform in their ranges. A step's camera depends only on the seed and the step, so a resumed
/// run draws the same cameras as an uninterrupted one.
struct CameraSampler {
    let configuration: TextTo3DConfiguration

    func camera(step: Int) -> OrbitCamera {
        var generator = SplitMix64(seed: configuration.seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(step))
        func draw(_ range: TextTo3DConfiguration.Range) -> Float {
            range.lower + (range.upper - range.lower) * Float(generator.nextUnit())
        }
        let azimuth = Float(generator.nextUnit()) * 360
        return OrbitCamera(azimuth: azimuth, elevation: draw(configuration.elevation),
                           radius: draw(configuration.radius), fieldOfView: draw(configuration.fieldOfView))
    }

    /// The stratified-sampling jitter of a step, as a generator of numbers in [0, 1).
    func jitter(step: Int) -> () -> Float {
        var generator = SplitMix64(seed: configuration.seed &+ 0x51_7CC1_B727_220A &* UInt64(step + 1))
        return { Float(generator.nextUnit()) }
    }
}
