import Foundation

/// The mean LSD per view direction over the last steps of a run, from view_losses.csv: a direction
/// well above the others is a view the prior disagrees with (a Janus face on the back, a side that
/// does not match).
public struct ViewLossSummary {
    public struct Direction {
        public let name: String
        public let views: Int
        public let meanLSD: Double
    }

    public let directions: [Direction]
    public let fromStep: Int

    /// Reads `path` (the run's view_losses.csv) and averages rows of steps ≥ `fromStep`.
    public init(csv path: String, fromStep: Int) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, let stepColumn = header.firstIndex(of: "step"), let viewColumn = header.firstIndex(of: "view"),
              let lsdColumn = header.firstIndex(of: "lsd") else {
            throw FieldError.invalidSetting("\(path) has no step, view and lsd columns")
        }
        lines.removeFirst()
        var sums: [String: (count: Int, sum: Double)] = [:]
        for row in lines where row.count == header.count {
            guard let step = Int(row[stepColumn]), step >= fromStep, let lsd = Double(row[lsdColumn]) else { continue }
            let entry = sums[row[viewColumn], default: (0, 0)]
            sums[row[viewColumn]] = (entry.count + 1, entry.sum + lsd)
        }
        let order = ["front", "side", "back", "overhead"]
        directions = sums.keys.sorted { (order.firstIndex(of: $0) ?? 9, $0) < (order.firstIndex(of: $1) ?? 9, $1) }.map { name in
            Direction(name: name, views: sums[name]!.count, meanLSD: sums[name]!.sum / Double(sums[name]!.count))
        }
        self.fromStep = fromStep
    }

    /// One line: each direction's mean LSD, and the direction that stands out (≥ 1.5× the mean of
    /// the others, each direction seen at least 10 times: LSD varies a lot with t), if one does.
    public var line: String {
        let parts = directions.map { String(format: "%@ %.3g (%d views)", $0.name, $0.meanLSD, $0.views) }
        var text = "LSD by view direction from step \(fromStep): " + parts.joined(separator: ", ")
        let counted = directions.filter { $0.views >= 10 }
        if counted.count > 1, let worst = counted.max(by: { $0.meanLSD < $1.meanLSD }) {
            let others = counted.filter { $0.name != worst.name }
            let mean = others.map(\.meanLSD).reduce(0, +) / Double(others.count)
            if mean > 0, worst.meanLSD >= 1.5 * mean {
                text += String(format: " — %@ views are %.2f× the others: the prior disagrees there (try --perp-neg)", worst.name, worst.meanLSD / mean)
            }
        }
        return text
    }
}
