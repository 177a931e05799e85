import Foundation
import Geometry
import ImageIO
import Runs

/// Where a finished (or checkpointed) text-to-3D run's pictures and mesh went.
public struct TextTo3DOutputs {
    public let views: [String]
    public let viewGrid: String
    public let turntableGIF: String
    public let turntableMP4: String?
    public let mesh: (obj: String, ply: String, glb: String)?
    public let meshTriangles: Int
    /// The iso-surface's triangle count before simplification.
    public let extractedTriangles: Int
    public let meshIsClosed: Bool
    /// When no surface was found: a threshold that would give one, and the largest density.
    public let suggestedThreshold: (suggestion: Float, largest: Float)?
}

extension TextTo3DTrainer {
    /// The field seen from the cameras of the training distribution's middle (radius, fov) at
    /// elevation 15°.
    public var viewer: FieldViewer {
        let c = configuration
        var viewer = FieldViewer(field: field, renderer: renderer, vae: pipeline.vae, latentSize: latentSize,
                                 background: scene.background.value, radius: (c.radius.lower + c.radius.upper) / 2,
                                 fieldOfView: (c.fieldOfView.lower + c.fieldOfView.upper) / 2)
        if let refinement { viewer.colours = (refinement.module, refinement.renderSize, refinement.pictureSize) }
        return viewer
    }

    /// Writes views/view-NN.png (decoded, or the colour head's pictures after RGB refinement, at `configuration.views` azimuths), views.png (a grid),
    /// turntable.gif (+ .mp4 with ffmpeg), mesh.obj, mesh.ply and mesh.glb (vertex colours), the
    /// iso-surface simplified to `meshTriangles` (quadric edge collapses that keep it closed).
    public func writeOutputs() throws -> TextTo3DOutputs {
        let viewer = self.viewer
        try FileManager.default.createDirectory(atPath: run.folder.file("views"), withIntermediateDirectories: true)
        let views = try viewer.circle(configuration.views)
        var viewPaths: [String] = []
        for (index, view) in views.enumerated() {
            let path = run.folder.file(String(format: "views/view-%02d-azimuth-%03d.png", index, Int(view.camera.azimuth.rounded())))
            try PNG.write(view.image, to: path)
            viewPaths.append(path)
        }
        try PNG.write(imageGrid(views.map(\.image), columns: min(views.count, 8)), to: run.folder.file("views.png"))

        // Frames at least 256 pixels wide: the toy model decodes 64-pixel pictures.
        let frames = try viewer.circle(configuration.turntableFrames).map(\.image).map { image -> RGBImage in
            let scale = max(1, Int((256 / Double(image.width)).rounded(.up)))
            return scale == 1 ? image : image.resized(width: image.width * scale, height: image.height * scale)
        }
        let mp4 = try TurntableVideo.write(frames, gifPath: run.folder.file("turntable.gif"), mp4Path: run.folder.file("turntable.mp4"))

        // Colour from what the views show; the fitted latent map covers what no view sees. More
        // views (from above and below too) than the turntable's circle reach more of the surface.
        var colourViews = views
        for elevation: Float in [60, -30] {
            var around = viewer
            around.elevation = elevation
            colourViews += try around.circle(4)
        }
        let extracted = try FieldMesh.extract(field, resolution: configuration.meshResolution,
                                              threshold: configuration.meshDensityThreshold,
                                              colours: colourHead?.colourMap() ?? LatentColourMap(fitting: views))
        // Floaters and crumbs (pieces under 1% of the surface) dropped first; the simplifier keeps the
        // surface closed and manifold (it tests the link condition). Simplified before colouring:
        // projecting fewer vertices into the views is cheaper.
        var mesh = extracted.withoutSmallComponents(fraction: 0.01)
            .simplified(targetTriangles: configuration.meshTriangles ?? TextTo3DConfiguration.defaultMeshTriangles)
        if let fallback = mesh.colours {
            mesh.colours = try ProjectedVertexColours.colour(mesh, views: colourViews, fallback: fallback,
                                                             tolerance: 4 * field.bound / Float(configuration.samplesPerRay) + 0.05)
        }
        var meshPaths: (String, String, String)?
        if !mesh.triangles.isEmpty {
            try mesh.writeOBJ(to: run.folder.file("mesh.obj"))
            try mesh.writePLY(to: run.folder.file("mesh.ply"))
            try mesh.writeGLB(to: run.folder.file("mesh.glb"))
            meshPaths = (run.folder.file("mesh.obj"), run.folder.file("mesh.ply"), run.folder.file("mesh.glb"))
        }
        return TextTo3DOutputs(views: viewPaths, viewGrid: run.folder.file("views.png"), turntableGIF: run.folder.file("turntable.gif"),
                               turntableMP4: mp4, mesh: meshPaths, meshTriangles: mesh.triangles.count,
                               extractedTriangles: extracted.triangles.count, meshIsClosed: mesh.isClosedAndOriented,
                               suggestedThreshold: mesh.triangles.isEmpty ? try FieldMesh.suggestedThreshold(field) : nil)
    }
}
