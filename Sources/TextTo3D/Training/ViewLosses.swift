import MLXCore
import Runs

/// One view of one iteration: its camera, t and prior losses — a row of view_losses.csv, so a user
/// can see a direction that disagrees with the prompt (the Janus problem shows as a back or side
/// view whose LSD stays high).
public struct ViewLosses {
    public let step: Int
    public let index: Int
    public let camera: OrbitCamera
    public let timestep: Int
    /// LSD (‖g‖²/2), FM, KL, opacity entropy, sparsity.
    public let values: [Float]

    static let logColumns = ["step", "view_index", "azimuth", "elevation", "view", "t", "lsd", "fm", "kl", "opacity_entropy", "sparsity"]

    var logFields: [String] {
        ["\(step)", "\(index)", String(format: "%.2f", camera.azimuth), String(format: "%.2f", camera.elevation),
         camera.viewDirection.rawValue, "\(timestep)"] + values.map { "\($0)" }
    }

    /// Numbers per row of the packed table: t, then the five values.
    static let width = 6

    /// A [views · width] table of this process's views (their rows filled, the others zero), to be
    /// summed over the processes: after the sum every process holds every view's numbers.
    static func packed(_ mine: [(index: Int, timestep: Int, values: [MLXArray])], views: Int) throws -> MLXArray {
        let zeroRow = try zeros([width], dtype: .float32)
        var rows = [MLXArray](repeating: zeroRow, count: views)
        for (index, timestep, values) in mine {
            rows[index] = try concatenated([MLXArray([Float(timestep)], shape: [1])] + values.map { try $0.reshaped([1]) })
        }
        return try concatenated(rows)
    }

    /// The summed table back as rows, with each view's camera (every process can draw every camera).
    static func unpacked(_ table: MLXArray, views: Int, step: Int, cameras: CameraSampler) throws -> [ViewLosses] {
        let numbers = try table.toArray(Float.self)
        return (0..<views).map { index in
            let row = Array(numbers[(index * width)..<((index + 1) * width)])
            return ViewLosses(step: step, index: index, camera: cameras.camera(step: step, view: index),
                              timestep: Int(row[0].rounded()), values: Array(row[1...]))
        }
    }

    /// The five values averaged over the views.
    static func means(_ rows: [ViewLosses]) -> [Float] {
        (0..<(width - 1)).map { column in rows.map { $0.values[column] }.reduce(0, +) / Float(rows.count) }
    }
}
