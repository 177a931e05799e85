import MLXCore

/// The generator's RGBA output split into its two parts (Text2LIVE's models/image_model.py
/// `render`): `edit` [N, H, W, 3] and `alpha` [N, H, W, 1], both in [0, 1]. Text2LIVE repeats α
/// over 3 channels; here it stays one channel and broadcasts.
public struct EditLayer {
    public let edit: MLXArray
    public let alpha: MLXArray

    /// Text2LIVE's green screen colour (0, 177, 64) / 255.
    public static let greenScreen: [Float] = [0, 177 / 255, 64 / 255]

    public init(edit: MLXArray, alpha: MLXArray) throws {
        guard edit.ndim == 4, edit.dim(3) == 3 else {
            throw LayeredEditingError.invalidShape(what: "edit", shape: edit.shape, expected: "[N, H, W, 3]")
        }
        guard alpha.ndim == 4, alpha.dim(3) == 1, Array(alpha.shape.prefix(3)) == Array(edit.shape.prefix(3)) else {
            throw LayeredEditingError.invalidShape(what: "alpha", shape: alpha.shape, expected: "[\(edit.dim(0)), \(edit.dim(1)), \(edit.dim(2)), 1] (the edit's N, H, W)")
        }
        self.edit = edit
        self.alpha = alpha
    }

    /// Splits the generator's RGBA [N, H, W, 4].
    public init(rgba: MLXArray) throws {
        guard rgba.ndim == 4, rgba.dim(3) == 4 else {
            throw LayeredEditingError.invalidShape(what: "RGBA edit layer", shape: rgba.shape, expected: "[N, H, W, 4]")
        }
        try self.init(edit: try rgba.sliced(axis: 3, 0..<3), alpha: try rgba.sliced(axis: 3, 3..<4))
    }

    /// composite = (1 − α)·picture + α·edit, for `picture` [N, H, W, 3] in [0, 1] of the layer's size.
    public func composite(over picture: MLXArray) throws -> MLXArray {
        guard picture.shape == edit.shape else {
            throw LayeredEditingError.invalidShape(what: "picture under the edit layer", shape: picture.shape, expected: "\(edit.shape) (the edit's shape)")
        }
        return try (1 - alpha) * picture + alpha * edit
    }

    /// The edit on Text2LIVE's green screen: α·edit + (1 − α)·(0, 177, 64)/255.
    public func onGreenScreen() throws -> MLXArray {
        let screen = try MLXArray(EditLayer.greenScreen, shape: [1, 1, 1, 3]).asType(edit.dtype)
        return try alpha * edit + (1 - alpha) * screen
    }

    /// α as a grey RGB picture [N, H, W, 3] (what Text2LIVE saves as alpha.png).
    public func alphaPicture() throws -> MLXArray {
        try alpha.broadcast(to: edit.shape)
    }
}
