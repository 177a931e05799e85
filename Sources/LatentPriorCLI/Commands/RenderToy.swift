import ArgumentParser
import ImageIO
import ToyWorld

extension ToyShape: ExpressibleByArgument {}
extension ToyColour: ExpressibleByArgument {}

/// A toy-world picture on demand: an input for `edit` on the shipped model, or a reference to
/// compare optimised pictures with.
struct RenderToy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render-toy",
        abstract: "Render one toy-world scene (a shaded primitive of one colour on white) to a PNG.")

    @Option(help: "sphere, cube, cylinder, cone or torus.")
    var shape: ToyShape

    @Option(help: "red, orange, yellow, green, blue or purple.")
    var colour: ToyColour

    @Option(help: "Camera azimuth in degrees (0 = front).")
    var azimuth: Float = 30

    @Option(help: "Camera elevation in degrees.")
    var elevation: Float = 20

    @Option(help: "Picture width and height in pixels (the toy model sees 64).")
    var size = ToyModelArchitecture.imageSize

    @Option(help: "PNG file to write.")
    var output: String

    func run() throws {
        guard (8...4096).contains(size) else { throw InputError("--size must lie in 8…4096, got \(size)") }
        let scene = ToyScene(shape: shape, colour: colour, camera: ToyCamera(azimuth: azimuth, elevation: elevation))
        try PNG.write(ToyRenderer(size: size).render(scene).image, to: output)
        print("\(scene.caption(withView: false)): \(output)")
    }
}
