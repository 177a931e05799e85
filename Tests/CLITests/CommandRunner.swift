import Foundation
import XCTest

/// Runs the `latent-prior` executable built beside the test bundle and captures its output.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

struct MissingExecutable: Error, CustomStringConvertible {
    let searched: [String]
    var description: String { "latent-prior executable not found (looked at \(searched.joined(separator: ", "))): build it first" }
}

enum CommandRunner {
    static var executable: URL {
        get throws {
            // SwiftPM puts test bundles and executables in the same products folder.
            let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
                .map { $0.appendingPathComponent("latent-prior") }
            // A missing executable fails the test (it used to skip it, which let CI pass with no CLI test run).
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw MissingExecutable(searched: candidates.map(\.path))
            }
            return found
        }
    }

    /// `environment`: variables set (a value) or removed (nil) for this run, on top of the test's own.
    static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> CommandResult {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        if !environment.isEmpty {
            var variables = ProcessInfo.processInfo.environment
            for (name, value) in environment { variables[name] = value }
            process.environment = variables
        }
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: stdout, as: UTF8.self),
                             stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// `contents` as a file in a fresh folder inside this process's own temporary folder, which is
    /// removed when the test process exits.
    static func temporaryFile(_ name: String, contents: Data) throws -> URL {
        let folder = processFolder.appendingPathComponent("latent-prior-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try contents.write(to: url)
        return url
    }
}

private let processFolder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("latent-prior-cli-tests-\(getpid())")
    atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("latent-prior-cli-tests-\(getpid())")) }
    return url
}()
