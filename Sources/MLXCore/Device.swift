import CMLX

/// Where MLX runs ops: the CPU (through OpenBLAS here) or the GPU (CUDA or Metal builds of MLX).
public enum Device: String, CaseIterable, Sendable {
    case cpu, gpu

    public static var isGPUAvailable: Bool { mlxc_gpu_is_available() }

    /// The device new ops run on.
    public static var `default`: Device { mlxc_default_device() == Int32(MLXC_GPU.rawValue) ? .gpu : .cpu }

    public static func setDefault(_ device: Device) throws {
        try check(mlxc_set_default_device(device == .gpu ? Int32(MLXC_GPU.rawValue) : Int32(MLXC_CPU.rawValue)))
    }
}

/// MLX's allocator statistics, in bytes.
public enum Memory {
    public static var active: Int { Int(mlxc_active_memory()) }
    public static var peak: Int { Int(mlxc_peak_memory()) }
    public static var cache: Int { Int(mlxc_cache_memory()) }
    public static func resetPeak() { mlxc_reset_peak_memory() }
    public static func clearCache() { mlxc_clear_cache() }
    /// Sets the allocator's limit and returns the previous one.
    @discardableResult public static func setLimit(_ bytes: Int) -> Int { Int(mlxc_set_memory_limit(bytes)) }
}

public enum MLXRuntime {
    public static var version: String { String(cString: mlxc_version()) }

    /// The loaded libmlx shared object.
    public static func mlxLibrary() throws -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        try check(mlxc_mlx_library(&buffer, buffer.count))
        return String(cString: buffer)
    }

    /// The shared library that serves `cblas_sgemm` to MLX's CPU matmul and convolution kernels.
    public static func blasLibrary() throws -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        try check(mlxc_blas_library(&buffer, buffer.count))
        return String(cString: buffer)
    }

    /// The kernel family OpenBLAS runs ("Haswell", "SkylakeX", …), nil when the BLAS is not OpenBLAS.
    public static func openBLASCoreName() -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        guard mlxc_openblas_corename(&buffer, buffer.count) == 0 else { return nil }
        let name = String(cString: buffer)
        return name.isEmpty ? nil : name
    }

    /// Declares MLX work on a second thread until `endConcurrentStreams()` (ToyTrainer's look-ahead):
    /// the CPU kernels then keep OpenBLAS at its thread count, so results do not depend on timing.
    public static func beginConcurrentStreams() { mlxc_begin_concurrent_streams() }
    public static func endConcurrentStreams() { mlxc_end_concurrent_streams() }

    /// Makes glibc keep MLX's freed CPU buffers (up to 32 MiB) for reuse instead of unmapping them;
    /// a process-wide malloc setting, so the CLI calls it once at start.
    public static func keepBuffersInHeap() { mlxc_keep_buffers_in_heap() }

    /// True when that library is OpenBLAS rather than the wheel's bundled reference BLAS.
    public static func isUsingOpenBLAS() throws -> Bool {
        try blasLibrary().lowercased().contains("openblas")
    }
}
