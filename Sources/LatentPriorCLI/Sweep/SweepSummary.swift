import Foundation
import ImageIO
import MLXCore

/// What a sweep leaves beside its runs: sweep.csv (prompt, run folder, final losses, seconds) and
/// sweep.png, one row per prompt in the file's order, each the run's own overview picture.
enum SweepSummary {
    /// The picture each application leaves as its overview, first found wins.
    static let overviewNames = ["views.png", "comparison.png", "final.png", "grid.png"]

    static func write(_ plan: SweepPlan, seconds: [Int: Double]) throws -> (csv: String, sheet: String?) {
        var lines = ["prompt,run,final_losses,seconds"]
        var rows: [RGBImage] = []
        for entry in plan.entries {
            let losses = finalLosses(entry.folder)
            let time = seconds[entry.index] ?? recordedSeconds(entry)
            lines.append([csvField(entry.prompt), csvField(entry.folder.lastPathComponent), csvField(losses),
                          time.map { String(format: "%.1f", $0) } ?? ""].joined(separator: ","))
            if let name = overviewNames.first(where: { FileManager.default.fileExists(atPath: entry.folder.appendingPathComponent($0).path) }),
               let picture = try? PNG.read(entry.folder.appendingPathComponent(name).path) {
                rows.append(picture)
            }
        }
        let csv = plan.output.appendingPathComponent("sweep.csv").path
        try writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: csv)
        guard !rows.isEmpty else { return (csv, nil) }
        // Rows of different widths (pictures of different runs) are padded to the widest.
        let width = rows.map(\.width).max()!, height = rows.map(\.height).max()!
        let padded = rows.map { picture -> RGBImage in
            var canvas = RGBImage(width: width, height: height, fill: (255, 255, 255))
            for y in 0..<picture.height {
                let source = y * picture.width * 3, target = y * width * 3
                canvas.pixels.replaceSubrange(target..<(target + picture.width * 3), with: picture.pixels[source..<(source + picture.width * 3)])
            }
            return canvas
        }
        let sheet = plan.output.appendingPathComponent("sweep.png").path
        try PNG.write(imageGrid(padded, columns: 1, spacing: 4), to: sheet)
        return (csv, sheet)
    }

    /// The last row of losses.csv as "name=value" pairs (step excluded).
    static func finalLosses(_ folder: URL) -> String {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("losses.csv"), encoding: .utf8) else { return "" }
        let rows = text.split(separator: "\n")
        guard rows.count >= 2 else { return "" }
        let names = rows[0].split(separator: ",", omittingEmptySubsequences: false)
        let values = rows[rows.count - 1].split(separator: ",", omittingEmptySubsequences: false)
        return zip(names, values).filter { $0.0 != "step" }.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    static func recordedSeconds(_ entry: SweepPlan.Entry) -> Double? {
        guard let data = FileManager.default.contents(atPath: entry.doneMarker.path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["seconds"] as? Double
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"\(text.replacingOccurrences(of: "\"", with: "\"\""))\"" : text
    }
}
