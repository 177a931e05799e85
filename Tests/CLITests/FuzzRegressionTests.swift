import Foundation
import XCTest

/// Every input in Tests/FuzzCorpus (the seeds, and each input a fuzzing run found to crash, hang or
/// allocate without bound) replayed through its harness: the parsers must answer with errors, never
/// a trap. scripts/fuzz.sh adds to the corpus; docs/FUZZING.md records the runs.
final class FuzzRegressionTests: XCTestCase {
    func testEveryCorpusInputIsHandled() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FuzzCorpus")
        let replay = try CommandRunner.executable.deletingLastPathComponent().appendingPathComponent("latent-prior-fuzz")
        let targets = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        XCTAssertEqual(targets, ["config", "jpeg", "pickle", "png", "safetensors", "tokenizer"])
        for target in targets {
            let files = try FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(target).path).sorted()
                .map { corpus.appendingPathComponent(target).appendingPathComponent($0).path }
            XCTAssertFalse(files.isEmpty, target)
            let process = Process()
            process.executableURL = replay
            process.arguments = [target] + files
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .exit, "\(target): \(text)")
            XCTAssertEqual(process.terminationStatus, 0, "\(target): \(text)")
            XCTAssertTrue(text.contains("\(target): \(files.count) inputs replayed"), text)
        }
    }
}
