import MLXCore
import NN
import Prior

/// What the RGB stage optimises: the latent stage's scene (field and background, kept learning)
/// and the colour head on top of it.
public final class RefinedScene: Module {
    public let scene: Scene
    public let colourHead: ColourHead

    init(scene: Scene, colourHead: ColourHead) {
        self.scene = scene
        self.colourHead = colourHead
    }
}

/// The RGB stage's state: the refined scene, its own Adam (the stage starts with fresh moments, as
/// Latent-NeRF's refinement is a new training), and how pictures reach the prior.
final class RGBRefinement {
    let module: RefinedScene
    let adam: Adam
    let settings: RGBRefinementSettings
    let picturePrior: PicturePrior
    /// Rays per side of a rendered picture, and the picture size it is upsampled to for the encoder.
    let renderSize: Int
    let pictureSize: Int

    init(scene: Scene, head: ColourHead, configuration: TextTo3DConfiguration, prior: LatentDiffusionPrior, pictureSize: Int) throws {
        settings = try configuration.refinementSettings.validated(pictureSize: pictureSize)
        module = RefinedScene(scene: scene, colourHead: head)
        // The pictures' background is the head's colour; the latent one no longer takes part.
        module.setFrozen(true, prefixes: configuration.learnBackground ? ["scene.background"] : ["scene.background", "colour_head.background"])
        adam = Adam(learningRate: settings.learningRate)
        adam.learningRateMultipliers = configuration.learningRateMultipliers(scene: "scene.", background: "colour_head.background")
        picturePrior = PicturePrior(prior: prior, path: settings.gradientPath)
        renderSize = settings.renderSize(pictureSize: pictureSize)
        self.pictureSize = pictureSize
    }

    /// The view at `samples` as a picture [1, P, P, 3] in [0, 1] at the model's picture size (P),
    /// and the render it came from (object latents in front of a zero latent, opacity, depth).
    func picture(_ renderer: VolumeRenderer, samples: RaySamples) throws -> (picture: MLXArray, rendered: RenderedView) {
        try Self.picture(module, renderer, samples: samples, renderSize: renderSize, pictureSize: pictureSize)
    }

    static func picture(_ module: RefinedScene, _ renderer: VolumeRenderer, samples: RaySamples, renderSize: Int,
                        pictureSize: Int) throws -> (picture: MLXArray, rendered: RenderedView) {
        let field = module.scene.field
        let rendered = try renderer.render(field, samples: samples, width: renderSize, height: renderSize,
                                           background: zeros([field.featureChannels], dtype: .float32))
        let rgb = try module.colourHead.picture(objectLatents: rendered.latents, opacity: rendered.opacity)
        return (renderSize == pictureSize ? rgb : try rgb.resizedBilinear(height: pictureSize, width: pictureSize), rendered)
    }

    // MARK: checkpoints

    func checkpointGroups() throws -> [String: [String: MLXArray]] {
        ["colour_head": try module.colourHead.weightsInFileLayout(), "refine_adam": try adam.state()]
    }

    func restore(_ groups: [String: [String: MLXArray]], from path: String) throws {
        try module.colourHead.load(weights: groups["colour_head"] ?? [:], source: path)
        try adam.restore(groups["refine_adam"] ?? [:])
    }
}
