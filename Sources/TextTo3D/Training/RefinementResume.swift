import Runs

/// What a resume must keep once the RGB stage has begun. Before it, the stage's length and settings
/// may change (`resumableSettingsCleared` leaves them out); after, a different latent length would
/// make earlier RGB steps latent ones, and other settings would change the stage midway.
enum RefinementResume {
    static func check(_ configuration: TextTo3DConfiguration, against saved: TextTo3DConfiguration, step: Int, path: String) throws {
        guard saved.isRefinementStep(step) else { return }
        if configuration.iterations != saved.iterations {
            throw RunError.incompatibleCheckpoint(path: path, reason: "it is \(step - saved.iterations) steps into RGB refinement after \(saved.iterations) latent iterations; resume with --iterations \(saved.iterations) (or --refine-only)")
        }
        if configuration.refinementSettings != saved.refinementSettings {
            throw RunError.incompatibleCheckpoint(path: path, reason: "its RGB refinement ran with other settings (--refine-lr, --refine-resolution, --refine-gradient-path; see config.json there)")
        }
    }
}

extension TextTo3DConfiguration {
    /// For `--refine-only`: the latent stage's length that makes the folder's checkpoint the end of
    /// it — its step, or its latent iterations if it is already in the RGB stage.
    public static func latentIterations(ofCheckpointIn folder: RunFolder) throws -> Int {
        guard folder.hasCheckpoint else {
            throw RunError.invalidSetting("--refine-only: no checkpoint in '\(folder.url.path)' to refine")
        }
        // The header alone: the trainer reads the tensors when it resumes.
        let saved = try RunCheckpoint<TextTo3DConfiguration>.settings(of: folder.checkpointPath, command: "text-to-3d")
        guard saved.step > 0 else { throw RunError.invalidSetting("--refine-only: the checkpoint in '\(folder.url.path)' is at step 0") }
        return saved.configuration.isRefinementStep(saved.step) ? saved.configuration.iterations : saved.step
    }
}
