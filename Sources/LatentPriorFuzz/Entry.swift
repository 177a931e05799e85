import Foundation

#if FUZZING
/// libFuzzer's entry point (built with `-sanitize=fuzzer -DFUZZING`, scripts/fuzz.sh): the target
/// is chosen by LATENT_PRIOR_FUZZ_TARGET, libFuzzer's own main drives it.
private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["LATENT_PRIOR_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.named(name) else {
        fatalError("set LATENT_PRIOR_FUZZ_TARGET to one of: \(FuzzTarget.names)")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    target.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// SwiftPM links an executable target's `main` to `<Target>_main`, which would hide libFuzzer's own
/// main: this one hands control to libFuzzer's driver instead.
@_cdecl("LatentPriorFuzz_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { bytes, size in fuzzOneInput(bytes, size) }
}
#else
/// Without libFuzzer: `latent-prior-fuzz TARGET FILE...` replays inputs (the committed corpus in CI).
/// Errors are the expected outcome; a crash fails the caller.
@main
enum ReplayCorpus {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget.named(name) else {
            FileHandle.standardError.write(Data("usage: latent-prior-fuzz TARGET FILE... (targets: \(FuzzTarget.names))\n".utf8))
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read '\(path)'\n".utf8))
                exit(2)
            }
            target.run(data)
            count += 1
        }
        print("\(name): \(count) inputs replayed")
    }
}
#endif
