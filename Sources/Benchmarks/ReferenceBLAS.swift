import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The reference (netlib) BLAS that the MLX wheel bundles, which `make setup` keeps aside in
/// .deps/mlx/reference-blas after rebinding libmlx to OpenBLAS. The benchmark loads it privately
/// (RTLD_LOCAL) to show what MLX's CPU path would cost without the rebinding. RTLD_DEEPBIND makes
/// its cblas wrapper call its own Fortran sgemm_, not OpenBLAS's, which is already loaded globally.
public struct ReferenceBLAS {
    typealias Sgemm = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
        UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
    ) -> Void

    public let path: String
    private let sgemm: Sgemm

    /// Finds the bundled library in `folder`; nil when set-up did not keep one (e.g. a CUDA wheel).
    public init?(folder: String) {
        guard let name = (try? FileManager.default.contentsOfDirectory(atPath: folder))?
            .first(where: { $0.hasPrefix("libblas") }) else { return nil }
        let path = folder + "/" + name
        guard let library = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND),
              let symbol = dlsym(library, "cblas_sgemm") else { return nil }
        self.path = path
        self.sgemm = unsafeBitCast(symbol, to: Sgemm.self)
    }

    /// C = A·B for row-major n×n float32 matrices.
    public func multiply(_ a: [Float], _ b: [Float], _ c: inout [Float], n: Int) {
        let size = Int32(n)
        let rowMajor: Int32 = 101, noTranspose: Int32 = 111  // CBLAS enum values
        sgemm(rowMajor, noTranspose, noTranspose, size, size, size, 1, a, size, b, size, 0, &c, size)
    }
}
