import ArgumentParser
import ImageIO
import ToyWorld

struct JudgeToy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge-toy",
        abstract: "Judge toy-world pictures (64×64, e.g. text-to-3d views): the dominant colour and the nearest rendered silhouette.",
        discussion: "With --expect \"a red cube\", also prints how many pictures show that colour and that shape, and ΔE*ab (CIE76) between each picture's mean object colour and the colour as the toy renderer shows it.")

    @Argument(help: "PNG files of 64×64 pixels.")
    var images: [String]

    @OptionGroup var pictureLimit: PictureLimitOption

    @Option(help: "The prompt the pictures should show, e.g. \"a red cube\".")
    var expect: String?

    func run() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        var expectedColour: ToyColour?, expectedShape: ToyShape?
        if let expect {
            let words = expect.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
            expectedColour = words.compactMap(ToyColour.init(rawValue:)).first
            expectedShape = words.compactMap(ToyShape.init(rawValue:)).first
            guard expectedColour != nil || expectedShape != nil else {
                throw InputError("--expect names no toy colour or shape: \"\(expect)\"")
            }
        }
        // Every picture is read and checked before the judge renders its silhouette templates.
        let size = ToyModelArchitecture.imageSize
        let pictures = try images.map { path -> RGBImage in
            let picture = try PNG.read(path, maxPixels: pictureLimit.maxPixels)
            guard picture.width == size, picture.height == size else {
                throw InputError("\(path) is \(picture.width)×\(picture.height); the judge reads \(size)×\(size) pictures")
            }
            return picture
        }
        let judge = ToyWorldJudge(size: size)
        var colourHits = 0, shapeHits = 0
        var differences: [Float] = []
        for (path, picture) in zip(images, pictures) {
            let verdict = judge.judge(picture)
            if verdict.colour == expectedColour { colourHits += 1 }
            if verdict.shape == expectedShape { shapeHits += 1 }
            var difference = ""
            if let expectedColour, let delta = judge.colourDifference(picture, to: expectedColour) {
                differences.append(delta)
                difference = String(format: ", ΔE %.1f", delta)
            }
            print("\(path)\t\(verdict.colour?.rawValue ?? "none") \(verdict.shape?.rawValue ?? "none")\t"
                  + "(colour share \(String(format: "%.2f", verdict.colourShare)), IoU \(String(format: "%.2f", verdict.bestIoU))\(difference))")
        }
        if expect != nil {
            var line = "colour \(expectedColour?.rawValue ?? "-"): \(colourHits)/\(images.count)   shape \(expectedShape?.rawValue ?? "-"): \(shapeHits)/\(images.count)"
            if let expectedColour, !differences.isEmpty {
                line += String(format: "   mean ΔE*ab to the rendered %@: %.1f", expectedColour.rawValue, differences.reduce(0, +) / Float(differences.count))
            }
            print(line)
        }
    }
}
