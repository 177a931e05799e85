/// A bad argument found while a command runs: ArgumentParser prints it as one "Error: …" line
/// (a `ValidationError` would add the usage text).
struct InputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
