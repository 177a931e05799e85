import Foundation

/// Notes about how a run starts that are not errors (the run goes on): a resume that found no
/// checkpoint, partial files of an interrupted run removed.
public enum RunNotices {
    /// Where they go: stderr, as "note: …"; tests may capture them.
    nonisolated(unsafe) public static var post: (String) -> Void = { message in
        FileHandle.standardError.write(Data("note: \(message)\n".utf8))
    }
}
