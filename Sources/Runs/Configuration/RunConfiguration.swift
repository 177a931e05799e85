import Prior

/// What every application's configuration holds: the prompt the prior judges against, the model,
/// the prior's settings, how long to run, the seed and how often to checkpoint. Written to the run
/// folder as config.json; a resumed run must match it in everything but `resumableSettingsCleared`.
public protocol RunConfiguration: Codable, Equatable, Sendable {
    var prompt: String { get set }
    var negativePrompt: String { get set }
    var model: String { get set }
    var prior: PriorConfiguration { get set }
    var iterations: Int { get set }
    var seed: UInt64 { get set }
    var saveEvery: Int { get set }

    /// Steps the run loop takes: `iterations`, unless the application adds a stage after them
    /// (text-to-3D's RGB refinement).
    var totalSteps: Int { get }

    /// Steps after which a stage ends (a checkpoint is written there whatever `saveEvery` says, so
    /// a later stage can be started again from it).
    var stageEnds: [Int] { get }

    /// This configuration with the settings a resumed run may change (the iteration count, output
    /// settings) set to fixed values, so that what remains must match the checkpoint's.
    var resumableSettingsCleared: Self { get }
}

extension RunConfiguration {
    public var totalSteps: Int { iterations }
    public var stageEnds: [Int] { [] }

    /// Names of the settings that differ from `other`, ignoring those a resumed run may change.
    public func differences(from other: Self) -> [String] {
        let a = resumableSettingsCleared, b = other.resumableSettingsCleared
        guard a != b else { return [] }
        let named = zip(Mirror(reflecting: a).children, Mirror(reflecting: b).children).compactMap { left, right in
            "\(left.value)" == "\(right.value)" ? nil : left.label
        }
        return named.isEmpty ? ["a setting"] : named
    }

    /// The checks every run shares (each application adds its own): a prompt, positive counts.
    public func validatedRunSettings() throws {
        guard !prompt.trimmingCharacters(in: .whitespaces).isEmpty else { throw RunError.invalidSetting("the prompt is empty") }
        guard iterations > 0 else { throw RunError.invalidSetting("--iterations must be positive, got \(iterations)") }
        guard saveEvery > 0 else { throw RunError.invalidSetting("--save-every must be positive, got \(saveEvery)") }
    }

    /// The fraction of the run done before `step` (0 at step 1, 1 at the last): drives annealed settings.
    public func progress(atStep step: Int) -> Float {
        Float(step - 1) / Float(max(iterations - 1, 1))
    }
}
