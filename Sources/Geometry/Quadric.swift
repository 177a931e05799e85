/// Garland and Heckbert's error quadric ("Surface Simplification Using Quadric Error Metrics",
/// 1997): the weighted sum of squared distances from a point to a set of planes, kept as the
/// symmetric 4×4 matrix Σ w·(n, d)(n, d)ᵀ of the planes n·x + d = 0 (10 numbers) and the total
/// weight. Double precision: the constant term cancels against the others near the surface.
struct Quadric {
    // Upper triangle of A = Σ w·n·nᵀ, then b = Σ w·d·n, c = Σ w·d².
    var xx = 0.0, xy = 0.0, xz = 0.0, yy = 0.0, yz = 0.0, zz = 0.0
    var bx = 0.0, by = 0.0, bz = 0.0, c = 0.0
    /// Σ w: errors are divided by it, so they are mean squared distances (meshoptimizer's
    /// normalisation), comparable with a squared distance limit whatever the triangles' areas.
    var weight = 0.0

    init() {}

    /// The plane of a triangle, weighted by its area: large triangles say more about the surface.
    init(triangle p0: SIMD3<Double>, _ p1: SIMD3<Double>, _ p2: SIMD3<Double>) {
        let areaNormal = crossProduct(p1 - p0, p2 - p0)
        let length = (areaNormal * areaNormal).sum().squareRoot()
        guard length > 0 else { return }
        let n = areaNormal / length, d = -(n * p0).sum(), w = length / 2
        xx = w * n.x * n.x; xy = w * n.x * n.y; xz = w * n.x * n.z
        yy = w * n.y * n.y; yz = w * n.y * n.z; zz = w * n.z * n.z
        bx = w * d * n.x; by = w * d * n.y; bz = w * d * n.z
        c = w * d * d
        weight = w
    }

    static func + (l: Quadric, r: Quadric) -> Quadric {
        var s = l
        s += r
        return s
    }

    static func += (l: inout Quadric, r: Quadric) {
        l.xx += r.xx; l.xy += r.xy; l.xz += r.xz; l.yy += r.yy; l.yz += r.yz; l.zz += r.zz
        l.bx += r.bx; l.by += r.by; l.bz += r.bz; l.c += r.c
        l.weight += r.weight
    }

    /// Mean squared distance from `p` to the planes: (pᵀAp + 2bᵀp + c) / Σw.
    func error(at p: SIMD3<Double>) -> Double {
        guard weight > 0 else { return 0 }
        let ax = xx * p.x + xy * p.y + xz * p.z
        let ay = xy * p.x + yy * p.y + yz * p.z
        let az = xz * p.x + yz * p.y + zz * p.z
        let value = p.x * ax + p.y * ay + p.z * az + 2 * (bx * p.x + by * p.y + bz * p.z) + c
        // Rounding can make a zero error slightly negative.
        return max(value, 0) / weight
    }

    /// The point of least error, A⁻¹(−b), or nil when A is near singular: planes that are all
    /// (nearly) parallel, as on a flat or cylindrical patch, leave a line or plane of minima and
    /// the solve would pick an arbitrary far-away point on it.
    func minimizer() -> SIMD3<Double>? {
        guard weight > 0 else { return nil }
        // Cofactors of the symmetric A (adjugate = A⁻¹·det).
        let c00 = yy * zz - yz * yz, c01 = xz * yz - xy * zz, c02 = xy * yz - xz * yy
        let c11 = xx * zz - xz * xz, c12 = xy * xz - xx * yz, c22 = xx * yy - xy * xy
        let determinant = xx * c00 + xy * c01 + xz * c02
        // A/Σw has trace 1 (unit normals), so det(A/Σw) is the product of eigenvalues summing to 1:
        // 1/27 when the normals spread evenly over all directions; 1e-6 means some direction
        // is pinned down ~10⁴ times more weakly than the others.
        guard determinant > 1e-6 * weight * weight * weight else { return nil }
        let r = SIMD3(-bx, -by, -bz)
        return SIMD3(c00 * r.x + c01 * r.y + c02 * r.z,
                     c01 * r.x + c11 * r.y + c12 * r.z,
                     c02 * r.x + c12 * r.y + c22 * r.z) / determinant
    }
}

func crossProduct(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
