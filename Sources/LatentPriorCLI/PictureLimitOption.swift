import ArgumentParser
import ImageIO

/// `--max-pixels`: the largest picture a command decodes, checked from the file's header before
/// anything is allocated (a 100-byte file may claim 100000 × 100000 pixels).
struct PictureLimitOption: ParsableArguments {
    @Option(help: ArgumentHelp("The largest picture to read, in pixels (width × height), checked before decoding.",
                               valueName: "pixels"))
    var maxPixels: Int = ImageLimits.defaultMaxPixels

    func validate() throws {
        guard maxPixels > 0 else { throw ValidationError("--max-pixels must be positive, got \(maxPixels)") }
    }
}
