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
        if let head = FileManager.default.contents(atPath: file)?.prefix(8), head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.first == 0x80 {
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
            print("\(tensors.count) tensors, \(tensors.reduce(0) { $0 + $1.shape.reduce(1, *) }) elements (torch.save)")
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
}
