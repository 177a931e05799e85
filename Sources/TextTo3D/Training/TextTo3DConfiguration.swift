import Prior
import Runs

/// A `latent-prior text-to-3d` run, written to the run folder as config.json; a resumed run must
/// match it in everything but the iteration count.
public struct TextTo3DConfiguration: RunConfiguration {
    public enum Backbone: String, Codable, CaseIterable, Sendable {
        /// Instant-NGP hash grid + MLP (Latent-NeRF).
        case hashgrid
        /// Dense voxel grid (SJC).
        case voxel
    }

    /// A closed interval of camera parameters to draw uniformly from.
    public typealias Range = UniformRange

    public var prompt: String
    public var negativePrompt = ""
    public var model: String
    public var backbone = Backbone.hashgrid
    public var iterations = 1200
    public var seed: UInt64 = 0
    /// Adam learning rate of the MLP; grids use it × `gridLearningRateMultiplier` (Latent-NeRF: ×10).
    public var learningRate: Float = 5e-3
    public var gridLearningRateMultiplier: Float = 10
    public var samplesPerRay = 48
    /// The scene box is [−bound, bound]³.
    public var bound: Float = 1
    // Camera distribution: the toy world's (radius 3.2, fov 40°, elevation −10…60°, any azimuth).
    public var radius = Range(3.2, 3.2)
    public var elevation = Range(-10, 60)
    public var fieldOfView = Range(40, 40)
    /// Append ", front view" / ", side view" / ", back view" / ", overhead view" from the camera.
    public var viewDependentPrompts = true
    /// Learn the background latent (from a white picture's); off keeps it fixed.
    public var learnBackground = true
    /// The background's learning rate as a multiple of `learningRate`. At 1 it drifted away from
    /// white on "a blue sphere" (lavender, and a navy object); 0.1 keeps both right (docs/TEXT_TO_3D.md).
    public var backgroundLearningRateMultiplier: Float = 0.1
    /// Weight of the opacity's binary entropy (pushes each ray to empty or opaque).
    public var lambdaOpacityEntropy: Float = 1
    /// Weight of the mean opacity (keeps floaters and haze away).
    public var lambdaSparsity: Float = 1
    public var saveEvery = 200
    // Outputs.
    public var views = 8
    public var turntableFrames = 36
    public var meshResolution = 96
    /// Density iso-level of the mesh. Stable-DreamFusion uses 10; the toy runs' surfaces are
    /// thick but less dense (σ ≈ 3–10 gives an opaque 1.5-unit object): 10 keeps only their cores.
    public var meshDensityThreshold: Float = 3
    /// Triangles of the exported mesh after simplification (nil: 20,000, few enough for Blender or a
    /// web viewer; the iso-surface of a toy object has ~400k). Optional so that configurations
    /// written before it existed still load.
    public var meshTriangles: Int?
    public static let defaultMeshTriangles = 20_000
    /// Cameras per iteration, their gradients averaged (threestudio's batch of views); shared out over
    /// the processes of a launched run. nil: 1 (configurations written before it existed still load).
    public var viewsPerStep: Int?
    /// Iterations of RGB refinement after the latent ones (nil or 0: none); the loop's steps
    /// `iterations + 1 … iterations + refineIterations` are the RGB stage.
    public var refineIterations: Int?
    /// The RGB stage's settings (nil: the defaults).
    public var refinement: RGBRefinementSettings?
    /// Perp-Neg guidance for the view prompts (nil: off).
    public var perpNeg: PerpNegSettings?
    public var hashGrid = HashGridField.Settings()
    public var voxelGrid = VoxelGridField.Settings()
    public var prior: PriorConfiguration

    public init(prompt: String, model: String) {
        self.prompt = prompt
        self.model = model
        prior = PriorConfiguration()
    }

    /// Checks the settings a user can get wrong; messages name the option.
    public func validated() throws -> TextTo3DConfiguration {
        func fail(_ message: String) -> Error { FieldError.invalidSetting(message) }
        try validatedRunSettings()
        guard learningRate > 0, learningRate.isFinite else { throw fail("--lr must be a positive number, got \(learningRate)") }
        guard samplesPerRay > 0 else { throw fail("--samples-per-ray must be positive, got \(samplesPerRay)") }
        guard views > 0, turntableFrames > 0 else { throw fail("--views and --turntable-frames must be positive") }
        guard meshResolution >= 8 else { throw fail("--mesh-resolution must be at least 8, got \(meshResolution)") }
        if let viewsPerStep, !(1...64).contains(viewsPerStep) { throw fail("--views-per-step must be in 1...64, got \(viewsPerStep)") }
        if let refineIterations, refineIterations < 0 { throw fail("--refine-iterations must not be negative, got \(refineIterations)") }
        _ = try refinementSettings.validated(pictureSize: nil)
        if let perpNeg {
            _ = try perpNeg.validated()
            guard viewDependentPrompts else { throw fail("--perp-neg needs view-dependent prompts (leave out --no-view-prompts)") }
        }
        if let meshTriangles, meshTriangles < 4 { throw fail("--mesh-triangles must be at least 4, got \(meshTriangles)") }
        guard bound > 0 else { throw fail("the scene bound must be positive, got \(bound)") }
        for (name, range) in [("radius", radius), ("elevation", elevation), ("field of view", fieldOfView)] where range.lower > range.upper {
            throw fail("the \(name) range is empty: \(range.lower) > \(range.upper)")
        }
        guard radius.lower > bound * 1.8 else {
            throw fail("camera radius \(radius.lower) is inside or too close to the scene box (bound \(bound))")
        }
        guard fieldOfView.lower > 0, fieldOfView.upper < 180 else { throw fail("the field of view must lie in (0°, 180°)") }
        guard lambdaOpacityEntropy >= 0, lambdaSparsity >= 0 else { throw fail("regulariser weights must not be negative") }
        guard backgroundLearningRateMultiplier >= 0 else { throw fail("--background-lr must not be negative, got \(backgroundLearningRateMultiplier)") }
        return self
    }

    /// The RGB stage's settings, defaults filled in.
    public var refinementSettings: RGBRefinementSettings { refinement ?? RGBRefinementSettings() }

    /// Latent iterations, then the RGB stage's.
    public var totalSteps: Int { iterations + (refineIterations ?? 0) }

    /// The latent stage ends with a checkpoint when an RGB stage follows (`--refine-only` starts there).
    public var stageEnds: [Int] { (refineIterations ?? 0) > 0 ? [iterations] : [] }

    /// Whether loop step `step` (1-based) belongs to the RGB stage.
    public func isRefinementStep(_ step: Int) -> Bool { step > iterations }

    /// Adam's learning-rate multipliers by parameter prefix: the field's grids (hash tables or voxels)
    /// × `gridLearningRateMultiplier`, the background × `backgroundLearningRateMultiplier`. `scene` is
    /// the prefix of the scene's parameters in the optimised module, `background` the background's key.
    func learningRateMultipliers(scene: String, background: String) -> [String: Float] {
        [scene + "field.encoding.": gridLearningRateMultiplier, scene + "field.grid.": gridLearningRateMultiplier,
         background: backgroundLearningRateMultiplier]
    }

    /// Views rendered and judged per iteration.
    public var viewsPerIteration: Int { viewsPerStep ?? 1 }

    /// The training cameras' distribution.
    public var cameras: CameraSampler {
        CameraSampler(seed: seed, radius: radius, elevation: elevation, fieldOfView: fieldOfView)
    }

    /// This configuration with the iteration count and the output settings blanked: what remains
    /// must match a checkpoint for a resume.
    public var resumableSettingsCleared: TextTo3DConfiguration {
        var c = self
        c.iterations = 0
        c.saveEvery = 0
        c.views = 0
        c.turntableFrames = 0
        c.meshResolution = 0
        c.meshDensityThreshold = 0
        c.meshTriangles = nil
        // The RGB stage's length and settings may change until it has begun (the trainer checks that).
        c.refineIterations = nil
        c.refinement = nil
        return c
    }
}
