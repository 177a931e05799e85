import Foundation
import ImageIO

/// PNG and JPEG as the commands read pictures (`ImageFile.readRGB`: the type from the bytes, the
/// pixel limit from the header, libpng / libjpeg-turbo underneath).
enum PNGHarness {
    static func run(_ data: Data) {
        _ = try? PNG.readRGBA(ScratchFolder.write(data, as: "input.png"))
    }
}

enum JPEGHarness {
    static func run(_ data: Data) {
        _ = try? ImageFile.readRGB(ScratchFolder.write(data, as: "input.jpg"))
    }
}
