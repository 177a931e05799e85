import Foundation

extension MLXRuntime {
    /// The OPENBLAS_THREAD_TIMEOUT this process asks for: OpenBLAS's idle workers wait 2⁴ cycles
    /// for the next product before they sleep, instead of its default 2²⁸ (≈ 0.1 s) of sched_yield.
    /// Why: between two BLAS calls the CPU kernels (Winograd transforms, softmax, norms) run on all
    /// cores, and a worker spinning on one of them took a share of it: with 4, SD 1.5's UNet took
    /// 7.0–7.5 s instead of 7.9–8.3 s on 2 cores, the VAE decoder 5.8–6.0 instead of 6.6 s, and the
    /// toy model's training and text-to-3D steps were no slower (docs/BENCHMARKS.md).
    public static let blasThreadTimeout = "4"

    /// OpenBLAS reads OPENBLAS_THREAD_TIMEOUT once, when it is loaded, before any of our code runs.
    /// So on Linux, unless the variable is already set (a user's own value is kept), this sets it and
    /// executes the same program again with the same arguments; it returns only when no restart is
    /// needed or the restart failed (then the process runs on with OpenBLAS's default).
    public static func restartWithSleepingBLASThreadsIfNeeded() {
        #if os(Linux)
        guard ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"] == nil else { return }
        setenv("OPENBLAS_THREAD_TIMEOUT", blasThreadTimeout, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_THREAD_TIMEOUT")  // execv failed: do not pretend the setting is in force
        #endif
    }
}
