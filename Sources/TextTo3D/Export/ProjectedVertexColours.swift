import Geometry
import ImageIO
import MLXCore

/// Vertex colours taken from the decoded views themselves: each vertex is projected into every
/// view, and where the view's ray stops near the vertex (its rendered depth within `tolerance`
/// of the vertex's distance, on an opaque pixel) the decoded picture's colour there counts. The
/// colours are the ones a person sees in the turntable; vertices no view sees (the underside)
/// fall back to the latent → RGB map of the field's latent at the vertex.
public enum ProjectedVertexColours {
    public static func colour(_ mesh: Mesh, views: [DecodedView], fallback: [SIMD3<UInt8>], tolerance: Float) throws -> [SIMD3<UInt8>] {
        let maps = try views.map { view in
            (view, depth: try view.depth.toArray(Float.self), opacity: try view.opacity.toArray(Float.self),
             latentWidth: view.depth.dim(1), latentHeight: view.depth.dim(0))
        }
        return mesh.vertices.enumerated().map { index, vertex in
            var sum = SIMD3<Float>(repeating: 0), count: Float = 0
            for (view, depth, opacity, w, h) in maps {
                guard let latentPixel = view.camera.project(vertex, width: w, height: h) else { continue }
                let lx = Int(latentPixel.x), ly = Int(latentPixel.y)
                guard (0..<w).contains(lx), (0..<h).contains(ly), opacity[ly * w + lx] > 0.5,
                      abs(latentPixel.distance - depth[ly * w + lx]) < tolerance,
                      let pixel = view.camera.project(vertex, width: view.image.width, height: view.image.height) else { continue }
                sum += bilinear(view.image, x: pixel.x - 0.5, y: pixel.y - 0.5)
                count += 1
            }
            guard count > 0 else { return fallback[index] }
            let mean = (sum / count).rounded(.toNearestOrEven)
            return SIMD3(UInt8(mean.x), UInt8(mean.y), UInt8(mean.z))
        }
    }

    /// The image's colour at continuous pixel-centre coordinates (edges clamped), 0…255.
    static func bilinear(_ image: RGBImage, x: Float, y: Float) -> SIMD3<Float> {
        let cx = min(max(x, 0), Float(image.width - 1)), cy = min(max(y, 0), Float(image.height - 1))
        let x0 = Int(cx), y0 = Int(cy), x1 = min(x0 + 1, image.width - 1), y1 = min(y0 + 1, image.height - 1)
        let fx = cx - Float(x0), fy = cy - Float(y0)
        func at(_ px: Int, _ py: Int) -> SIMD3<Float> {
            let p = image[px, py]
            return SIMD3(Float(p.0), Float(p.1), Float(p.2))
        }
        let top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx
        let bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx
        return top * (1 - fy) + bottom * fy
    }
}
