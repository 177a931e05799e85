import Foundation

/// One self-overwriting line on stderr: step/total, a bar, it/s, ETA and any named values
/// (losses). On a non-terminal (CI logs) it prints a plain line every `logEvery` steps instead.
final class ProgressBar {
    let total: Int
    let label: String
    /// The first reported step and its time: rates count from there (a resumed run starts mid-way).
    private var origin: (step: Int, time: Date)?
    private let interactive = isatty(STDERR_FILENO) != 0
    private let logEvery: Int

    init(total: Int, label: String, logEvery: Int? = nil) {
        self.total = max(total, 1)
        self.label = label
        self.logEvery = logEvery ?? max(1, total / 20)
    }

    func update(step: Int, values: KeyValuePairs<String, Float> = [:]) {
        let now = Date()
        if origin == nil { origin = (step, now) }
        let elapsed = now.timeIntervalSince(origin!.time)
        let done = step - origin!.step
        let rate = done > 0 && elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - step) / rate : 0
        let width = 24
        let filled = Int(Double(width) * Double(step) / Double(total))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let numbers = values.map { String(format: "%@ %.4g", $0.key, $0.value) }.joined(separator: "  ")
        let line = String(format: "%@ %@ %d/%d  %.2f it/s  ETA %@  %@", label, bar, step, total, rate, Self.clock(remaining), numbers)
        if interactive {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            if step >= total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if step % logEvery == 0 || step >= total || done == 0 {
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
    }
}
