import Foundation

/// Where harnesses put the bytes of parsers that only read paths: one folder per process, so
/// parallel fuzzing jobs (`-jobs=N`) and the CI replay never share a file. Removed at exit; a crashed
/// run leaves it behind in the temporary folder (or in $LATENT_PRIOR_FUZZ_SCRATCH when set).
enum ScratchFolder {
    static let url: URL = {
        let parent = ProcessInfo.processInfo.environment["LATENT_PRIOR_FUZZ_SCRATCH"]
            .map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        let url = parent.appendingPathComponent("latent-prior-fuzz-\(getpid())")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: ScratchFolder.url) }
        return url
    }()

    /// `data` written to `name` inside the folder (replacing what was there); its path.
    static func write(_ data: Data, as name: String) -> String {
        let path = url.appendingPathComponent(name).path
        // A failed write would silently fuzz the previous input: stop instead.
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            fatalError("cannot write the fuzz input to \(path)")
        }
        return path
    }

    /// A subfolder, created on first use.
    static func folder(_ name: String) -> URL {
        let folder = url.appendingPathComponent(name)
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
