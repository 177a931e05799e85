/// Why a mesh could not be written; each case carries the counts or index that were wrong.
public enum MeshFileError: Error, CustomStringConvertible, Equatable {
    case colourCountMismatch(vertices: Int, colours: Int)
    case vertexIndexOutOfRange(triangle: Int, index: Int32, vertices: Int)

    public var description: String {
        switch self {
        case .colourCountMismatch(let vertices, let colours):
            return "mesh has \(vertices) vertices but \(colours) vertex colours; they must match one to one"
        case .vertexIndexOutOfRange(let triangle, let index, let vertices):
            return "mesh triangle \(triangle) refers to vertex \(index), but there are only \(vertices) vertices"
        }
    }
}

extension Mesh {
    /// Checks what both file formats need, so a bad mesh fails before anything is written.
    func validateForExport() throws {
        if let colours, colours.count != vertices.count {
            throw MeshFileError.colourCountMismatch(vertices: vertices.count, colours: colours.count)
        }
        for (number, triangle) in triangles.enumerated() {
            for lane in 0..<3 where triangle[lane] < 0 || Int(triangle[lane]) >= vertices.count {
                throw MeshFileError.vertexIndexOutOfRange(triangle: number, index: triangle[lane], vertices: vertices.count)
            }
        }
    }
}
