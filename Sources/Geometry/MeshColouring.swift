extension Mesh {
    /// A copy with one colour per vertex from `colourAt(position)`, given as RGB in 0…1 (as a
    /// radiance field's colour head gives it); values outside are clamped, then rounded to 8 bits.
    public func coloured(by colourAt: (SIMD3<Float>) throws -> SIMD3<Float>) rethrows -> Mesh {
        let colours = try vertices.map { position -> SIMD3<UInt8> in
            let scaled = (try colourAt(position)).clamped(lowerBound: .zero, upperBound: .one) * 255
            return SIMD3<UInt8>(scaled.rounded(.toNearestOrEven))
        }
        return Mesh(vertices: vertices, triangles: triangles, colours: colours)
    }
}
