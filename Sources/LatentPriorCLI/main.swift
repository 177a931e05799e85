import MLXCore
print(MLXRuntime.version, try MLXRuntime.blasLibrary())
let a = try MLXArray([1, 2, 3, 4] as [Float], shape: [2, 2])
print(try matmul(a, a))
