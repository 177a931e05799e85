import Foundation
import ImageIO
import MLXCore
import Runs

extension LayeredEditor {
    /// The network's layer for the whole picture at the working size. Text2LIVE never switches its
    /// network to evaluation mode: its outputs, like its training steps, use the call's own
    /// BatchNorm statistics.
    public func fullPictureLayer() throws -> EditLayer {
        try EditLayer(rgba: generator(dataset.picture))
    }

    /// input | composite | α | green screen, side by side at the working size.
    public func writeSnapshot(to path: String) throws {
        let layer = try fullPictureLayer()
        let panels = try [dataset.picture, layer.composite(over: dataset.picture), layer.alphaPicture(), layer.onGreenScreen()]
        try PNG.write(imageGrid(try panels.map { try RGBImage($0.index(0), range: 0...1) }, columns: panels.count), to: path)
    }

    /// Writes the results at the input's own size: α and the edit are brought up (or down) from the
    /// working size and composited over the original pixels, so where α is 0 the picture is untouched.
    /// composite.png, alpha.png (α as grey), edit.png (the layer as RGBA), green-screen.png, and a
    /// before/after comparison.png.
    @discardableResult
    public func writeOutputs(to folder: RunFolder) throws -> EditOutputs {
        let layer = try fullPictureLayer()
        let (height, width) = (input.original.height, input.original.width)
        // Shrinking averages (antialiased) so a small input does not alias; enlarging is plain bilinear.
        let antialias = height < workingSize.height || width < workingSize.width
        let full = try EditLayer(edit: clip(layer.edit.resizedBilinear(height: height, width: width, antialias: antialias), min: 0, max: 1),
                                 alpha: clip(layer.alpha.resizedBilinear(height: height, width: width, antialias: antialias), min: 0, max: 1))
        let composite = try full.composite(over: input.picture)
        let outputs = EditOutputs(folder: folder)
        try PNG.write(try RGBImage(composite.index(0), range: 0...1), to: outputs.composite)
        try PNG.write(try RGBImage(full.alphaPicture().index(0), range: 0...1), to: outputs.alpha)
        try PNG.write(try RGBImage(full.onGreenScreen().index(0), range: 0...1), to: outputs.greenScreen)
        try PNG.write(try RGBAImage(concatenated([full.edit, full.alpha], axis: 3).index(0), range: 0...1), to: outputs.edit)
        try PNG.write(imageGrid([input.original, try RGBImage(composite.index(0), range: 0...1)], columns: 2), to: outputs.comparison)
        return outputs
    }
}

/// Where an edit's results are.
public struct EditOutputs {
    public let composite: String
    public let alpha: String
    public let edit: String
    public let greenScreen: String
    public let comparison: String

    init(folder: RunFolder) {
        composite = folder.file("composite.png")
        alpha = folder.file("alpha.png")
        edit = folder.file("edit.png")
        greenScreen = folder.file("green-screen.png")
        comparison = folder.file("comparison.png")
    }
}
