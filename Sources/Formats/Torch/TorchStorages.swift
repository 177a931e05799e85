import Foundation
import MLXCore

/// Where a torch.save file's storages are and how their bytes become arrays.
final class TorchStorages {
    enum Source {
        /// Zip format: storage KEY is the entry ROOT/data/KEY.
        case zip(ZipArchive, root: String)
        /// Legacy format: the whole file, storages after the pickles.
        case legacy(Data)
    }

    let path: String
    let source: Source
    var littleEndian: Bool
    /// Legacy: the storage keys in file order, then their byte ranges.
    var legacyKeys: [String] = []
    private var legacyRanges: [String: Range<Int>] = [:]
    /// Declared element types and counts of every storage the pickle named.
    private var declared: [String: (dtype: DType, count: Int)] = [:]

    init(path: String, littleEndian: Bool, source: Source) {
        self.path = path
        self.littleEndian = littleEndian
        self.source = source
    }

    /// ('storage', StorageType, key, location, numel[, view_metadata]) → a storage reference.
    func reference(fromPersistentID id: PickleValue, legacy: Bool) throws -> PickleValue {
        guard let items = id.sequence, items.count == (legacy ? 6 : 5), items[0].stringValue == "storage",
              case .global(.storageType(let name, let dtype)) = items[1],
              let key = items[2].stringValue ?? items[2].intValue.map({ "\($0)" }), let count = items[4].intValue,
              count >= 0, count <= Int64(Int.max) / 16 else {
            throw FormatError.corrupt(path: path, reason: "a persistent id that is not a torch storage: \(id)")
        }
        var viewOffset = 0
        if legacy, let view = items[5].sequence {
            // (view_key, offset, view_size): a view into the root storage `key`.
            guard view.count == 3, let offset = view[1].intValue, offset >= 0, offset <= Int64(Int32.max) * 64 else {
                throw FormatError.corrupt(path: path, reason: "legacy storage view metadata \(items[5])")
            }
            viewOffset = Int(offset)
        }
        if let previous = declared[key], previous.dtype != dtype {
            throw FormatError.corrupt(path: path, reason: "storage '\(key)' is declared as \(previous.dtype) and as torch.\(name)")
        }
        declared[key] = (dtype, max(declared[key]?.count ?? 0, Int(count)))
        return .storage(TorchStorageReference(key: key, dtype: dtype, count: Int(count), viewOffset: viewOffset))
    }

    /// Legacy: walks the storages after the pickles — for each key, an 8-byte little-endian element
    /// count, then count × element size bytes — checking every range against the file's size.
    func indexLegacyStorages(from start: Int) throws {
        guard case .legacy(let data) = source else { return }
        var position = start
        for key in legacyKeys {
            guard let (dtype, _) = declared[key] else { throw FormatError.corrupt(path: path, reason: "storage '\(key)' is listed but never used") }
            guard data.count - position >= 8 else { throw FormatError.corrupt(path: path, reason: "truncated before storage '\(key)'") }
            let count = data[(data.startIndex + position)..<(data.startIndex + position + 8)].enumerated()
                .reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            position += 8
            let (bytes, overflow) = Int(clamping: count).multipliedReportingOverflow(by: dtype.size)
            guard !overflow, count <= UInt64(Int.max), bytes <= data.count - position else {
                throw FormatError.corrupt(path: path, reason: "storage '\(key)' claims \(count) elements, beyond the end of the file")
            }
            legacyRanges[key] = position..<(position + bytes)
            position += bytes
        }
    }

    /// The bytes of storage `key` (its declared element count × element size, checked).
    private func bytes(of storage: TorchStorageReference) throws -> Data {
        let expected = (declared[storage.key]?.count ?? storage.count) * storage.dtype.size
        switch source {
        case .zip(let archive, let root):
            let data = try archive.read(root + storage.key)
            guard data.count >= expected else {
                throw FormatError.corrupt(path: path, reason: "storage '\(storage.key)' holds \(data.count) bytes, \(expected) expected")
            }
            return data
        case .legacy(let data):
            guard let range = legacyRanges[storage.key] else { throw FormatError.corrupt(path: path, reason: "storage '\(storage.key)' is missing") }
            return data[(data.startIndex + range.lowerBound)..<(data.startIndex + range.upperBound)]
        }
    }

    /// The tensor's elements as a row-major array of its dtype: its window of the storage (offset,
    /// sizes, strides in elements) checked to lie inside it, gathered if it is not contiguous.
    func array(_ tensor: TorchTensorReference) throws -> MLXArray {
        let size = tensor.dtype.size
        let storage = try bytes(of: tensor.storage)
        let available = storage.count / size
        var count = 1, farthest = tensor.offset + tensor.storage.viewOffset
        for (dim, stride) in zip(tensor.shape, tensor.strides) {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= 1 << 40 else { throw FormatError.corrupt(path: path, reason: "a tensor of shape \(tensor.shape)") }
            count = product
            if dim > 0 { farthest += (dim - 1) * stride }
        }
        guard count == 0 || farthest < available else {
            throw FormatError.corrupt(path: path, reason: "a \(tensor.shape) tensor at offset \(tensor.offset) reaches element \(farthest) of storage '\(tensor.storage.key)', which holds \(available)")
        }
        let start = tensor.offset + tensor.storage.viewOffset
        var contiguousStrides = Array(repeating: 1, count: tensor.shape.count)
        for axis in stride(from: tensor.shape.count - 2, through: 0, by: -1) {
            contiguousStrides[axis] = contiguousStrides[axis + 1] * max(tensor.shape[axis + 1], 1)
        }
        var elements: [UInt8]
        if count == 0 {
            elements = []
        } else if zip(zip(tensor.shape, tensor.strides), contiguousStrides).allSatisfy({ $0.0.0 <= 1 || $0.0.1 == $0.1 }) {
            elements = [UInt8](storage[(storage.startIndex + start * size)..<(storage.startIndex + (start + count) * size)])
        } else {
            elements = [UInt8](repeating: 0, count: count * size)
            storage.withUnsafeBytes { (source: UnsafeRawBufferPointer) in
                var index = Array(repeating: 0, count: tensor.shape.count)
                for element in 0..<count {
                    let offset = start + zip(index, tensor.strides).reduce(0) { $0 + $1.0 * $1.1 }
                    for byte in 0..<size { elements[element * size + byte] = source[offset * size + byte] }
                    var axis = tensor.shape.count - 1
                    while axis >= 0 {
                        index[axis] += 1
                        if index[axis] < tensor.shape[axis] { break }
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        if !littleEndian, size > 1 {
            for element in 0..<count { elements[(element * size)..<((element + 1) * size)].reverse() }
        }
        return try elements.withUnsafeBytes { try MLXArray(bytes: $0, shape: tensor.shape, dtype: tensor.dtype) }
    }
}
