import MLXCore
import NN

/// Text2LIVE's generator (models/networks.py define_G → models/backbone/skip.py, the Deep Image
/// Prior "skip" encoder–decoder): input picture [N, H, W, 3] in [0, 1] (Text2LIVE feeds
/// ToTensor's output unnormalised) → RGBA edit layer [N, H, W, 4] in (0, 1): channels 0–2 the
/// edit's colour, 3 its opacity α. Any H, W ≥ `configuration.minimumSide`; odd sides are handled
/// as Text2LIVE does (crop after upsampling), so the output has the input's size.
///
/// Weight keys are Text2LIVE's `netG` state-dict keys ("1.0.1.1.weight", …, "8.1.weight",
/// "9.colcorr_t"): level 0 is spread over the top-level Sequential (keys 1–7), the final 1×1 conv
/// is "8", the colour decorrelation buffer "9", the sigmoid "10".
///
/// BatchNorm mode: Text2LIVE never calls `.eval()` — train_image.py runs netG in training mode
/// for the optimisation steps *and* under `torch.no_grad()` for the pictures it saves, so every
/// output it writes is normalised with that call's own batch statistics (and the running
/// statistics are updated but never read). New generators here are in training mode; keep them
/// there for outputs to match (`setTraining(false)` selects the running statistics).
public final class SkipGenerator: Module {
    public let configuration: SkipGeneratorConfiguration
    let firstLevel: SkipLevel
    let outputConvolution: ReflectionPaddedConvolution
    let colourDecorrelation: ColourDecorrelation?

    /// Weights drawn with PyTorch's default initialisation from `InitializationKeys`.
    public init(configuration: SkipGeneratorConfiguration = SkipGeneratorConfiguration()) throws {
        try configuration.validate()
        self.configuration = configuration
        firstLevel = try SkipLevel(level: 0, inputChannels: configuration.inputChannels, configuration: configuration)
        outputConvolution = try ReflectionPaddedConvolution(configuration.upChannels, configuration.outputChannels, kernelSize: 1)
        colourDecorrelation = configuration.decorrelatedColours ? ColourDecorrelation(matrix: try ColourDecorrelation.defaultMatrix()) : nil
    }

    override public var keyOverrides: [String: String] {
        ["firstLevel": "", "outputConvolution": "8", "colourDecorrelation": "9"]
    }

    /// picture [N, H, W, 3] in [0, 1] → RGBA [N, H, W, 4] in (0, 1).
    public func callAsFunction(_ picture: MLXArray) throws -> MLXArray {
        guard picture.ndim == 4, picture.dim(0) > 0, picture.dim(3) == configuration.inputChannels else {
            throw LayeredEditingError.invalidShape(what: "generator input", shape: picture.shape, expected: "[N, H, W, 3] with N ≥ 1 (channels-last)")
        }
        guard configuration.accepts(height: picture.dim(1), width: picture.dim(2)) else {
            throw LayeredEditingError.pictureTooSmall(height: picture.dim(1), width: picture.dim(2), scales: configuration.scales,
                                                      minimumSide: configuration.minimumSide)
        }
        var logits = try outputConvolution(firstLevel(picture))
        if let colourDecorrelation { logits = try colourDecorrelation(logits) }
        return try sigmoid(logits)
    }

    /// Trainable parameters (the count PyTorch's `sum(p.numel() for p in netG.parameters())` gives).
    public func trainableParameterCount() -> Int {
        trainableParameters().reduce(0) { $0 + $1.parameter.value.size }
    }
}
