import Diffusion
import ImageIO
import MLXCore

/// One decoded view of the field: the latent render, its opacity, and the RGB picture the VAE
/// decoder makes of it.
public struct DecodedView {
    public let camera: OrbitCamera
    public let latents: MLXArray
    public let opacity: MLXArray
    public let depth: MLXArray
    public let image: RGBImage
}

/// Renders the field from cameras on a circle and decodes the latent renders to pictures — or,
/// after RGB refinement, maps them to pictures with the colour head.
public struct FieldViewer {
    public let field: LatentField
    public let renderer: VolumeRenderer
    public let vae: AutoencoderKL
    public let latentSize: Int
    public let background: MLXArray
    public var elevation: Float = 15
    public var radius: Float
    public var fieldOfView: Float
    /// The RGB stage's scene, rays per side and picture size: pictures come from its colour head, not the decoder.
    public var colours: (scene: RefinedScene, renderSize: Int, pictureSize: Int)?

    public init(field: LatentField, renderer: VolumeRenderer, vae: AutoencoderKL, latentSize: Int, background: MLXArray,
                radius: Float, fieldOfView: Float) {
        self.field = field
        self.background = background
        self.renderer = renderer
        self.vae = vae
        self.latentSize = latentSize
        self.radius = radius
        self.fieldOfView = fieldOfView
    }

    public func view(azimuth: Float) throws -> DecodedView {
        let camera = OrbitCamera(azimuth: azimuth, elevation: elevation, radius: radius, fieldOfView: fieldOfView)
        if let colours {
            let samples = try renderer.samples(camera: camera, width: colours.renderSize, height: colours.renderSize, bound: field.bound)
            let (rgb, rendered) = try RGBRefinement.picture(colours.scene, renderer, samples: samples, renderSize: colours.renderSize,
                                                            pictureSize: colours.pictureSize)
            let image = try RGBImage(clip(rgb.index(0), min: 0, max: 1), range: 0...1)
            return DecodedView(camera: camera, latents: rendered.latents, opacity: rendered.opacity, depth: rendered.depth, image: image)
        }
        let rendered = try renderer.render(field, camera: camera, width: latentSize, height: latentSize, background: background)
        let decoded = try vae.decode((rendered.latents / vae.scalingFactor).asType(vae.parameterDType))
        let image = try RGBImage(decoded.index(0).asType(.float32))
        return DecodedView(camera: camera, latents: rendered.latents, opacity: rendered.opacity, depth: rendered.depth, image: image)
    }

    /// `count` views at evenly spaced azimuths starting from the front.
    public func circle(_ count: Int) throws -> [DecodedView] {
        try (0..<count).map { try view(azimuth: Float($0) * 360 / Float(count)) }
    }
}
