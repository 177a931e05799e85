import MLXCore
import NN

/// Text2LIVE's DecorrelatedColorsToRGB (models/backbone/common.py, after aphantasia): the
/// generator's RGB logits are mixed by a fixed 3×3 matrix before the sigmoid; alpha passes
/// through. The matrix is the square root of ImageNet's colour correlation (columns of
/// [[0.26, 0.09, 0.02], [0.27, 0, −0.05], [0.27, −0.09, 0.03]], the first divided by 1.6),
/// divided by its largest column norm, transposed: PyTorch's buffer `colcorr_t`, saved in the
/// state dict, so it is a frozen parameter here.
final class ColourDecorrelation: Module {
    let colcorrT: Parameter

    init(matrix: MLXArray) {
        colcorrT = Parameter(matrix, frozen: true)
    }

    override var keyOverrides: [String: String] { ["colcorrT": "colcorr_t"] }

    /// `colcorr_t` [c, d]: out_d = Σ_c rgb_c · colcorr_t[c, d] (einsum "nchw,cd->ndhw").
    static func defaultMatrix() throws -> MLXArray {
        let square: [[Float]] = [[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]]
        let scaled = square.map { row in [row[0] / 1.6, row[1], row[2]] }
        let largestColumnNorm = (0..<3).map { column in (0..<3).reduce(Float(0)) { $0 + scaled[$1][column] * scaled[$1][column] }.squareRoot() }.reduce(0, max)
        let transposed = (0..<3).flatMap { c in (0..<3).map { d in scaled[d][c] / largestColumnNorm } }
        return try MLXArray(transposed, shape: [3, 3])
    }

    /// [N, H, W, 4] logits → RGB mixed, alpha unchanged.
    func callAsFunction(_ logits: MLXArray) throws -> MLXArray {
        let rgb = try logits.sliced(axis: 3, 0..<3)
        let alpha = try logits.sliced(axis: 3, 3..<4)
        return try concatenated([try matmul(rgb, colcorrT.value.asType(rgb.dtype)), alpha], axis: 3)
    }
}
