import Foundation
import MLXCore

/// Notes about how a run starts that are not errors (the run goes on): a resume that found no
/// checkpoint, partial files of an interrupted run removed.
public enum RunNotices {
    /// Where they go: stderr, as "note: …"; tests may capture them.
    nonisolated(unsafe) public static var post: (String) -> Void = { message in
        FileHandle.standardError.write(Data("note: \(message)\n".utf8))
    }
}

extension RunNotices {
    /// Before a trainer with its own state file (train-toy, train-toy-gan) starts: removes the
    /// partial files of killed runs in `folder`, says so, and says when `resume` finds no
    /// `checkpoint`. Returns whether to restore from it.
    public static func prepareStateFolder(_ folder: String, checkpoint: String, resume: Bool) -> Bool {
        for name in AtomicFile.removeStaleTemporaries(in: folder) {
            post("removed '\(name)', a partial file left by an interrupted run")
        }
        let exists = FileManager.default.fileExists(atPath: checkpoint)
        if resume && !exists { post("--resume: no checkpoint in '\(folder)', starting from step 0") }
        return resume && exists
    }
}
