import Diffusion
import Foundation
import Runs
import XCTest

/// What the text-to-3D tests share: the shipped toy model and run folders removed after each test.
extension XCTestCase {
    func pipeline() throws -> StableDiffusion {
        // A missing shipped model fails (it used to skip, which hid a broken checkout in CI).
        let folder = TextTo3DTrainerTests.modelFolder
        guard FileManager.default.fileExists(atPath: folder + "/model_index.json") else {
            XCTFail("no shipped toy model at \(folder)")
            throw CocoaError(.fileNoSuchFile)
        }
        return try StableDiffusion.load(try ModelFolder(path: folder))
    }

    func temporaryRun() throws -> RunFolder {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("t3d-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return try RunFolder(path: path)
    }
}
