import ArgumentParser
import ImageIO

struct Grid: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tile PNG images (same size) into one grid PNG, row by row (e.g. side-by-side comparisons).")

    @Argument(help: "PNG files, in reading order.")
    var images: [String]

    @OptionGroup var pictureLimit: PictureLimitOption

    @Option(help: "Images per row (default: all in one row).")
    var columns: Int?

    @Option(help: "The grid PNG to write.")
    var output: String

    func run() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        let pictures = try images.map { try PNG.read($0, maxPixels: pictureLimit.maxPixels) }
        guard Set(pictures.map { "\($0.width)x\($0.height)" }).count == 1 else {
            throw ValidationError("images differ in size: " + zip(images, pictures).map { "\($0.0) \($0.1.width)x\($0.1.height)" }.joined(separator: ", "))
        }
        try PNG.write(imageGrid(pictures, columns: columns ?? pictures.count), to: output)
        print("wrote \(output)")
    }
}
