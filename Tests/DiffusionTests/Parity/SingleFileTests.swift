import Foundation
import MLXCore
import XCTest
@testable import Diffusion

/// Single CompVis checkpoints (scripts/make_single_file_reference.py writes them, checks with
/// diffusers' own single-file loader that they hold the tensors of the models it ran, and stores
/// those models' outputs): every component, built from shapes alone, against the references.
final class SingleFileTests: XCTestCase {
    static let files = ["sd1-fp16.safetensors": "sd1", "sd1-fp16.ckpt": "sd1", "sd2-fp16.safetensors": "sd2", "sd2.ckpt": "sd2"]

    private func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.resourceURL).appendingPathComponent("Fixtures/single-file/\(name)")
    }

    private func tokenizerFolder() throws -> URL {
        try XCTUnwrap(Bundle.module.resourceURL).appendingPathComponent("Fixtures/clip-tokenizer")
    }

    private func tensors(_ family: String, _ name: String) throws -> [String: MLXArray] {
        try SafetensorsFile.load(try fixture("\(family)/\(name).safetensors").path).tensors
    }

    private func checkComponents(_ model: any StableDiffusionSource, family: String) throws {
        for component in Component.allCases {
            let expected = try tensors(family, "\(component.rawValue).outputs")
            let outputs = try component.run(model: model, inputs: try tensors(family, "\(component.rawValue).inputs"))
            XCTAssertEqual(Set(outputs.keys), Set(expected.keys))
            for (name, reference) in expected {
                let error = try ReferenceFixtures.relativeError(try XCTUnwrap(outputs[name]), reference)
                XCTAssertLessThanOrEqual(error, 1e-4, "\(model.path) \(component.rawValue) \(name)")
            }
        }
    }

    func testEverySingleFileGivesTheReferences() throws {
        for (file, family) in Self.files.sorted(by: { $0.key < $1.key }) {
            let model = try StableDiffusionModel.open(try fixture(file).path, tokenizerFolder: try tokenizerFolder())
            XCTAssertTrue(model is SingleFileModel, file)
            try checkComponents(model, family: family)
        }
    }

    func testArchitectureReadFromShapes() throws {
        let sd1 = try SingleFileModel(path: try fixture("sd1-fp16.ckpt").path, tokenizerFolder: try tokenizerFolder())
        XCTAssertEqual(sd1.unetConfiguration.blockOutChannels, [32, 32, 32, 32])
        XCTAssertEqual(sd1.unetConfiguration.layersPerBlock, [2, 2, 2, 2])
        XCTAssertEqual(sd1.unetConfiguration.downBlockTypes, ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"])
        XCTAssertEqual(sd1.unetConfiguration.attentionHeads, [8, 8, 8, 8])
        XCTAssertFalse(sd1.unetConfiguration.useLinearProjection)
        XCTAssertEqual(sd1.textEncoderConfiguration.layers, 2)
        XCTAssertEqual(sd1.textEncoderConfiguration.activation, .quickGelu)
        let sd2 = try SingleFileModel(path: try fixture("sd2.ckpt").path, tokenizerFolder: try tokenizerFolder())
        XCTAssertTrue(sd2.unetConfiguration.useLinearProjection)
        XCTAssertEqual(sd2.unetConfiguration.attentionHeads, [1])
        XCTAssertEqual(sd2.textEncoderConfiguration.layers, 2, "the file's last resblock is not used (penultimate layer)")
        XCTAssertEqual(sd2.textEncoderConfiguration.activation, .gelu)
        XCTAssertEqual(try sd2.makeTokenizer().paddingID, try sd2.makeTokenizer().tokenIDs("!").first)
        XCTAssertEqual(try sd2.schedulerConfig().string("prediction_type", default: ""), "epsilon")
        let v = try StableDiffusionModel.open(try fixture("sd2.ckpt").path, predictionType: "v_prediction", tokenizerFolder: try tokenizerFolder())
        XCTAssertEqual(try v.schedulerConfig().string("prediction_type", default: ""), "v_prediction")
        XCTAssertEqual((v as? SingleFileModel)?.unetConfiguration.sampleSize, 96, "SD 2.x v-prediction files are 768² models")
    }

    func testConvertedFolderGivesTheSameOutputs() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("convert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = try SingleFileModel(path: try fixture("sd2.ckpt").path, tokenizerFolder: try tokenizerFolder())
        let output = scratch.appendingPathComponent("sd2").path
        try model.writeDiffusersFolder(to: output)
        let folder = try ModelFolder(path: output)
        try checkComponents(folder, family: "sd2")
        XCTAssertEqual(try folder.makeTokenizer().paddingID, try model.makeTokenizer().paddingID)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["sd2"], "no staging folder left")
        XCTAssertThrowsError(try model.writeDiffusersFolder(to: output)) { XCTAssertTrue("\($0)".contains("already exists"), "\($0)") }
    }

    func testBadFilesGiveOneLineErrors() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("single-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // A safetensors file of another architecture names what was looked for.
        let other = scratch.appendingPathComponent("other.safetensors").path
        try SafetensorsFile(tensors: ["encoder.weight": try MLXArray([Float](repeating: 1, count: 4), shape: [2, 2])]).save(other)
        XCTAssertThrowsError(try StableDiffusionModel.open(other, tokenizerFolder: try tokenizerFolder())) {
            XCTAssertTrue("\($0)".contains("model.diffusion_model.*"), "\($0)")
            XCTAssertFalse("\($0)".contains("\n"))
        }
        // A truncated checkpoint.
        let data = try Data(contentsOf: try fixture("sd1-fp16.ckpt"))
        let truncated = scratch.appendingPathComponent("truncated.ckpt")
        try data.prefix(data.count / 2).write(to: truncated)
        XCTAssertThrowsError(try StableDiffusionModel.open(truncated.path, tokenizerFolder: try tokenizerFolder())) {
            XCTAssertTrue("\($0)".contains("truncated.ckpt"), "\($0)")
        }
        // A pickle naming a disallowed global (protocol 2: GLOBAL 'os system', STOP) is refused by name.
        let hostile = scratch.appendingPathComponent("hostile.ckpt")
        try Data([0x80, 0x02] + Array("cos\nsystem\n.".utf8)).write(to: hostile)
        XCTAssertThrowsError(try StableDiffusionModel.open(hostile.path, tokenizerFolder: try tokenizerFolder())) {
            XCTAssertTrue("\($0)".contains("os.system") && "\($0)".contains("hostile.ckpt"), "\($0)")
        }
        // The tiny files' 1000-token text encoders cannot take CLIP's 49408-token vocabulary.
        let model = try StableDiffusionModel.open(try fixture("sd1-fp16.safetensors").path, tokenizerFolder: try tokenizerFolder())
        XCTAssertThrowsError(try StableDiffusion.load(model)) { XCTAssertTrue("\($0)".contains("49408"), "\($0)") }
        XCTAssertThrowsError(try StableDiffusionModel.open(try fixture("sd2.ckpt").path, predictionType: "x0")) {
            XCTAssertTrue("\($0)".contains("prediction-type"), "\($0)")
        }
    }
}
