import Diffusion
import Foundation
import MLXCore
import XCTest
@testable import StyleGANAdaptation

/// The adaptation loop on the shipped toy model and toy generator, kept short: exact resume, which
/// parameters train, NADA's adaptive layer choice, the adapted generator's file, bad settings.
final class GeneratorAdapterTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let modelFolder = root.appendingPathComponent("Models/toy-world").path
    static let generatorFile = root.appendingPathComponent("Models/toy-gan/generator.safetensors").path

    private func temporaryFolder(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func configuration(iterations: Int, layers: AdaptationConfiguration.Layers = .all) -> AdaptationConfiguration {
        var c = AdaptationConfiguration(prompt: "a green cube", model: Self.modelFolder, generator: Self.generatorFile)
            .scaled(toModelImageSize: 64)
        c.iterations = iterations
        c.batch = 2
        c.samples = 2
        c.saveEvery = 2
        c.layers = layers
        c.prior.guidanceScale = 7.5
        return c
    }

    private func pipeline() throws -> StableDiffusion {
        try StableDiffusion.load(try ModelFolder(path: Self.modelFolder))
    }

    func testInterruptedRunResumesToTheSameGenerator() throws {
        let pipeline = try pipeline()
        XCTAssertGreaterThan(configuration(iterations: 1).lambdaStructure, 0, "the structure term should be part of the resumed state")
        let straight = try GeneratorAdapter(configuration: configuration(iterations: 4), pipeline: pipeline,
                                            run: try RunFolder(path: temporaryFolder("adapt-straight")), resume: false)
        try straight.adapt { _ in }

        let folder = try RunFolder(path: temporaryFolder("adapt-interrupted"))
        try GeneratorAdapter(configuration: configuration(iterations: 2), pipeline: pipeline, run: folder, resume: false).adapt { _ in }
        let resumed = try GeneratorAdapter(configuration: configuration(iterations: 4), pipeline: pipeline, run: folder, resume: true)
        XCTAssertEqual(resumed.completedSteps, 2)
        var steps: [Int] = []
        try resumed.adapt { steps.append($0.step) }
        XCTAssertEqual(steps, [3, 4])
        for ((key, a), (_, b)) in zip(straight.trainable.namedParameters(), resumed.trainable.namedParameters()) {
            XCTAssertEqual(try a.value.toArray(Float.self), try b.value.toArray(Float.self), key)
        }
        let log = try String(contentsOfFile: folder.file("losses.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(log.count, 5)
        XCTAssertEqual(log[0], "step,t,lsd,fm,kl,structure,layers")
        for name in ["before.png", "after.png", "comparison.png", "generator.safetensors", "after/sample-001.png", "config.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.file(name)), name)
        }

        // The adapted generator reloads to the same pictures, and it differs from the frozen one.
        let reloaded = try GeneratorFile.load(folder.file("generator.safetensors"))
        let codes = try resumed.sampleCodes()
        let adapted = try resumed.trainable.synthesize(codes)
        XCTAssertEqual(try reloaded.synthesize(codes).toArray(Float.self), try adapted.toArray(Float.self))
        XCTAssertGreaterThan(try abs(adapted - resumed.frozen.synthesize(codes)).max().item(Float.self), 1e-3)
    }

    /// NADA's trainable set with StyleGANFusion's frozen biases: conv1 and the convs' convolution and
    /// modulation weights and noise strengths move; mapping, ToRGB, the constant input and every bias do not.
    func testOnlyTheChosenLayersWeightsTrain() throws {
        let adapter = try GeneratorAdapter(configuration: configuration(iterations: 1, layers: .indices([0, 3])), pipeline: pipeline(),
                                           run: try RunFolder(path: temporaryFolder("adapt-layers")), resume: false)
        let before = try Dictionary(uniqueKeysWithValues: adapter.trainable.namedParameters().map { ($0.key, try $0.parameter.value.toArray(Float.self)) })
        var chosen: [[Int]] = []
        try adapter.adapt { chosen.append($0.layers) }
        XCTAssertEqual(chosen, [[0, 3]])
        var moved: [String] = []
        for (key, parameter) in adapter.trainable.namedParameters() where try parameter.value.toArray(Float.self) != before[key]! {
            moved.append(key)
        }
        XCTAssertEqual(Set(moved), ["conv1.conv.weight", "conv1.conv.modulation.weight", "conv1.noise.weight",
                                    "convs.1.conv.weight", "convs.1.conv.modulation.weight", "convs.1.noise.weight"])
    }

    func testAdaptiveLayerChoicePicksDistinctTrainableLayers() throws {
        let adapter = try GeneratorAdapter(configuration: configuration(iterations: 2, layers: .auto(count: 3)), pipeline: pipeline(),
                                           run: try RunFolder(path: temporaryFolder("adapt-auto")), resume: false)
        var chosen: [[Int]] = []
        try adapter.adapt { chosen.append($0.layers) }
        let valid = Set(TrainableLayers.allIndices(of: adapter.trainable))
        XCTAssertEqual(chosen.count, 2)
        for layers in chosen {
            XCTAssertEqual(layers.count, 3)
            XCTAssertEqual(Set(layers).count, 3)
            XCTAssertTrue(Set(layers).isSubset(of: valid), "\(layers)")
            XCTAssertEqual(layers, layers.sorted())
        }
    }

    func testBadSettingsAreNamed() throws {
        var c = configuration(iterations: 1)
        c.lambdaStructure = -1
        XCTAssertThrowsError(try c.validated()) { XCTAssertTrue("\($0)".contains("--lambda-structure"), "\($0)") }
        c = configuration(iterations: 1, layers: .indices([1]))
        XCTAssertThrowsError(try GeneratorAdapter(configuration: c, pipeline: pipeline(), run: try RunFolder(path: temporaryFolder("adapt-bad")),
                                                  resume: false)) { error in
            XCTAssertTrue("\(error)".contains("W+ index 1 names no trainable layer"), "\(error)")
        }
    }
}
