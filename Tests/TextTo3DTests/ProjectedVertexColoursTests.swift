import Geometry
import ImageIO
import MLXCore
import Runs
import XCTest
@testable import TextTo3D

/// Vertex colours from the decoded views (what the exported mesh carries). The bugs guarded
/// against: an occluded vertex taking the colour of the surface in front of it, a transparent
/// pixel's colour used, views not averaged, unseen vertices left black instead of the fallback.
final class ProjectedVertexColoursTests: XCTestCase {
    private let latentSize = 16, imageSize = 64

    /// A view from `camera` whose picture is white except `blocks` (pixel centre → colour, 5×5),
    /// with depth `depths` at given latent pixels (elsewhere 100) and opacity 1 except at `clear`.
    private func view(_ camera: OrbitCamera, blocks: [(SIMD2<Float>, (UInt8, UInt8, UInt8))],
                      depths: [(SIMD2<Float>, Float)], clear: [SIMD2<Float>] = []) throws -> DecodedView {
        var pixels = [UInt8](repeating: 255, count: imageSize * imageSize * 3)
        for (centre, colour) in blocks {
            for y in (Int(centre.y) - 2)...(Int(centre.y) + 2) { for x in (Int(centre.x) - 2)...(Int(centre.x) + 2) {
                guard (0..<imageSize).contains(x), (0..<imageSize).contains(y) else { continue }
                let index = 3 * (y * imageSize + x)
                (pixels[index], pixels[index + 1], pixels[index + 2]) = colour
            } }
        }
        var depth = [Float](repeating: 100, count: latentSize * latentSize)
        var opacity = [Float](repeating: 1, count: latentSize * latentSize)
        for (pixel, value) in depths { depth[Int(pixel.y) * latentSize + Int(pixel.x)] = value }
        for pixel in clear { opacity[Int(pixel.y) * latentSize + Int(pixel.x)] = 0 }
        return DecodedView(camera: camera, latents: try zeros([latentSize, latentSize, 4]),
                           opacity: try MLXArray(opacity, shape: [latentSize, latentSize]),
                           depth: try MLXArray(depth, shape: [latentSize, latentSize]),
                           image: RGBImage(width: imageSize, height: imageSize, pixels: pixels))
    }

    func testColoursComeFromTheViewsThatSeeEachVertex() throws {
        let front = OrbitCamera(azimuth: 0, elevation: 0, radius: 3, fieldOfView: 40)
        let side = OrbitCamera(azimuth: 90, elevation: 0, radius: 3, fieldOfView: 40)
        // seen (front and side), occluded in front, behind a clear pixel, seen by no view
        let vertices: [SIMD3<Float>] = [SIMD3(0.2, 0.1, 0.2), SIMD3(-0.3, -0.2, 0), SIMD3(0.1, 0.3, -0.1), SIMD3(0, 0, 0)]
        func project(_ camera: OrbitCamera, _ vertex: SIMD3<Float>, _ size: Int) throws -> (SIMD2<Float>, Float) {
            let p = try XCTUnwrap(camera.project(vertex, width: size, height: size))
            return (SIMD2(p.x, p.y), p.distance)
        }
        let (a, aDistance) = try project(front, vertices[0], latentSize)
        let (b, bDistance) = try project(front, vertices[1], latentSize)
        let (c, cDistance) = try project(front, vertices[2], latentSize)
        let (aSide, aSideDistance) = try project(side, vertices[0], latentSize)
        let frontView = try view(front, blocks: [
            (try project(front, vertices[0], imageSize).0, (200, 0, 0)),
            (try project(front, vertices[1], imageSize).0, (0, 0, 200)),
            (try project(front, vertices[2], imageSize).0, (0, 200, 0)),
        ], depths: [(a, aDistance), (b, bDistance - 0.5), (c, cDistance)], clear: [c])
        let sideView = try view(side, blocks: [(try project(side, vertices[0], imageSize).0, (100, 100, 0))],
                                depths: [(aSide, aSideDistance)])
        let mesh = Mesh(vertices: vertices, triangles: [])
        let fallback = [SIMD3<UInt8>](repeating: SIMD3(1, 2, 3), count: vertices.count)
        let colours = try ProjectedVertexColours.colour(mesh, views: [frontView, sideView], fallback: fallback, tolerance: 0.1)
        XCTAssertEqual(colours[0], SIMD3(150, 50, 0), "the mean of the two views that see it")
        XCTAssertEqual(colours[1], SIMD3(1, 2, 3), "occluded: the surface in front is nearer than the vertex")
        XCTAssertEqual(colours[2], SIMD3(1, 2, 3), "a clear pixel shows nothing")
        XCTAssertEqual(colours[3], SIMD3(1, 2, 3), "no view's depth reaches it")
    }
}
