import ArgumentParser
import Foundation
import Formats
import MLXCore

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the tensors (name, dtype, shape) and metadata of a safetensors file or a torch.save checkpoint (.pt/.pth/.bin/.ckpt).",
        discussion: "torch.save files are read by a restricted unpickler that executes nothing: a file that names any other global is refused.")

    @Argument(help: "A .safetensors file or a torch.save file.")
    var file: String

    func run() throws {
        if try !Self.isSafetensors(file) {
            let torchFile = try TorchFile.load(file)
            let tensors = torchFile.tensorDescriptions()
            for (key, dtype, shape) in tensors { print("\(key)\t\(dtype)\t\(shape)") }
            if case .dict(let dict) = torchFile.root {
                for (key, value) in dict.entries {
                    if case .tensor = value { continue }
                    if case .dict = value { continue }
                    print("entry \(key.stringValue ?? "\(key)") = \(value)")
                }
            }
            // Checked: a hostile pickle may declare shapes whose product overflows.
            let elements = tensors.reduce(Optional(0)) { total, tensor -> Int? in
                let count = tensor.shape.reduce(Optional(1)) { product, d in product.flatMap { p in
                    let (r, o) = p.multipliedReportingOverflow(by: d); return o ? nil : r } }
                guard let total, let count else { return nil }
                let (sum, overflow) = total.addingReportingOverflow(count)
                return overflow ? nil : sum
            }
            print("\(tensors.count) tensors, \(elements.map(String.init) ?? "more than 2^63") elements (torch.save)")
            return
        }
        let contents = try SafetensorsFile.load(file)
        for name in contents.tensors.keys.sorted() {
            let tensor = contents.tensors[name]!
            print("\(name)\t\(tensor.dtype)\t\(tensor.shape)")
        }
        for key in contents.metadata.keys.sorted() {
            print("metadata \(key) = \(contents.metadata[key]!)")
        }
        let parameters = contents.tensors.values.reduce(0) { $0 + $1.size }
        print("\(contents.tensors.count) tensors, \(parameters) elements")
    }

    /// A safetensors file starts with its header's length and then "{"; a torch.save file is a zip
    /// ("PK") or a pickle (0x80). Only the first 9 bytes are read (the file may be gigabytes), and
    /// the length's low byte may itself be 0x80, so the "{" decides.
    static func isSafetensors(_ path: String) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError("cannot read '\(path)': missing or unreadable")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 9)) ?? Data())
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return false }
        return head.count == 9 && head[8] == UInt8(ascii: "{") || head.first != 0x80
    }
}
