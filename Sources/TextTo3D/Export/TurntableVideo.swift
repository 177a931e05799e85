import Foundation
import ImageIO

/// A turntable as a looping GIF, and as an MP4 when ffmpeg is on the PATH (optional: the GIF is
/// always written).
public enum TurntableVideo {
    /// Writes `frames` to `gifPath`; returns the MP4's path when ffmpeg made one.
    @discardableResult
    public static func write(_ frames: [RGBImage], gifPath: String, mp4Path: String, framesPerSecond: Int = 12) throws -> String? {
        try AnimatedGIF.write(frames, to: gifPath, delayCentiseconds: max(1, 100 / framesPerSecond))
        guard let ffmpeg = executableOnPath("ffmpeg") else { return nil }
        return try? encodeMP4(frames, ffmpeg: ffmpeg, to: mp4Path, framesPerSecond: framesPerSecond)
    }

    static func executableOnPath(_ name: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return paths.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// PNG frames into a temporary folder, ffmpeg to a temporary file, then rename.
    static func encodeMP4(_ frames: [RGBImage], ffmpeg: String, to path: String, framesPerSecond: Int) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("turntable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, frame) in frames.enumerated() {
            try PNG.write(frame, to: folder.appendingPathComponent(String(format: "frame-%04d.png", index)).path)
        }
        let temporary = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(".turntable-\(getpid()).mp4")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpeg)
        // yuv420p needs even sizes; H.264 at constant quality, readable by every player.
        process.arguments = ["-y", "-loglevel", "error", "-framerate", "\(framesPerSecond)",
                             "-i", folder.appendingPathComponent("frame-%04d.png").path,
                             "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-pix_fmt", "yuv420p", "-crf", "18", temporary.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, rename(temporary.path, path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw FieldError.invalidSetting("ffmpeg could not write \(path)")
        }
        return path
    }
}
