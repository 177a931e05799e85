import MLXCore
import XCTest
@testable import NN

private final class Block: Module {
    let norm1: GroupNorm
    let timeEmbeddingProjection: Linear
    let resnets: [Linear]
    let optionalShortcut: Linear?
    let missingShortcut: Linear?

    override var keyOverrides: [String: String] { ["timeEmbeddingProjection": "time_emb_proj"] }

    init(channels: Int = 4) throws {
        norm1 = try GroupNorm(groups: 2, channels: channels)
        timeEmbeddingProjection = try Linear(3, 4)
        resnets = [try Linear(4, 4, bias: false), try Linear(4, 2)]
        optionalShortcut = try Linear(2, 2, bias: false)
        missingShortcut = nil
    }
}

/// Parameter keys follow diffusers names: snake_case, overrides, ModuleList numbering.
final class ParameterTreeTests: XCTestCase {
    func testKeysFollowTheRenameTable() throws {
        let keys = try Block().namedParameters().map(\.key)
        XCTAssertEqual(keys, [
            "norm1.weight", "norm1.bias",
            "time_emb_proj.weight", "time_emb_proj.bias",
            "resnets.0.weight", "resnets.1.weight", "resnets.1.bias",
            "optional_shortcut.weight",
        ])
    }

    func testSnakeCase() {
        XCTAssertEqual(Module.snakeCase("convIn"), "conv_in")
        XCTAssertEqual(Module.snakeCase("downBlocks"), "down_blocks")
        XCTAssertEqual(Module.snakeCase("conv1"), "conv1")
    }

    func testFreezingByPrefix() throws {
        let block = try Block()
        block.setFrozen(true, prefixes: ["resnets."])
        XCTAssertEqual(block.trainableParameters().map(\.key).filter { $0.hasPrefix("resnets") }, [])
        XCTAssertEqual(block.trainableParameters().count, 5)
    }

    func testCastChangesFloatingParameters() throws {
        let block = try Block()
        try block.cast(to: .float16)
        XCTAssertTrue(block.namedParameters().allSatisfy { $0.parameter.value.dtype == .float16 })
    }
}
