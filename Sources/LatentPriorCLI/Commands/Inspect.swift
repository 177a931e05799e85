import ArgumentParser
import MLXCore

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the tensors (name, dtype, shape) and metadata of a safetensors file.")

    @Argument(help: "A .safetensors file.")
    var file: String

    func run() throws {
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
