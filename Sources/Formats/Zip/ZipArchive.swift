import CZip
import Foundation

/// A zip archive read through Debian's libzip (torch.save's format since PyTorch 1.6).
final class ZipArchive {
    let path: String
    private let handle: OpaquePointer
    private let fileSize: UInt64

    init(path: String) throws {
        self.path = path
        var code: Int32 = 0
        guard let handle = zip_open(path, ZIP_RDONLY, &code) else {
            var error = zip_error_t()
            zip_error_init_with_code(&error, code)
            defer { zip_error_fini(&error) }
            throw FormatError.corrupt(path: path, reason: "not a readable zip archive (\(String(cString: zip_error_strerror(&error))))")
        }
        self.handle = handle
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        fileSize = (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    deinit { zip_discard(handle) }

    /// The entries' names, in archive order.
    var names: [String] {
        let count = max(zip_get_num_entries(handle, 0), 0)
        return (0..<count).compactMap { index in zip_get_name(handle, zip_uint64_t(index), 0).map { String(cString: $0) } }
    }

    func contains(_ name: String) -> Bool { zip_name_locate(handle, name, 0) >= 0 }

    /// The uncompressed contents of `name`. An entry claiming more bytes than twice the archive's
    /// size is refused before anything is allocated (torch stores its entries uncompressed).
    func read(_ name: String) throws -> Data {
        let index = zip_name_locate(handle, name, 0)
        guard index >= 0 else { throw FormatError.corrupt(path: path, reason: "no entry '\(name)' in the archive") }
        var stat = zip_stat_t()
        guard zip_stat_index(handle, zip_uint64_t(index), 0, &stat) == 0, stat.valid & zip_uint64_t(ZIP_STAT_SIZE) != 0 else {
            throw FormatError.corrupt(path: path, reason: "cannot read the size of entry '\(name)'")
        }
        guard stat.size <= 2 * fileSize + (1 << 20), stat.size <= UInt64(Int.max) else {
            throw FormatError.corrupt(path: path, reason: "entry '\(name)' claims \(stat.size) bytes in a \(fileSize)-byte archive")
        }
        guard let file = zip_fopen_index(handle, zip_uint64_t(index), 0) else {
            throw FormatError.corrupt(path: path, reason: "cannot open entry '\(name)': \(String(cString: zip_strerror(handle)))")
        }
        defer { zip_fclose(file) }
        var data = Data(count: Int(stat.size))
        var filled = 0
        let ok = data.withUnsafeMutableBytes { buffer -> Bool in
            while filled < buffer.count {
                let read = zip_fread(file, buffer.baseAddress! + filled, zip_uint64_t(buffer.count - filled))
                if read <= 0 { return false }
                filled += Int(read)
            }
            return true
        }
        guard ok else { throw FormatError.corrupt(path: path, reason: "entry '\(name)' is truncated or corrupt (read \(filled) of \(stat.size) bytes)") }
        return data
    }
}
