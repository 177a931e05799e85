import MLXCore

/// A storage named by a torch.save persistent id: its key (the zip entry or legacy record), element
/// type and element count.
public struct TorchStorageReference: Equatable {
    public let key: String
    public let dtype: DType
    public let count: Int
    /// Legacy views of a larger storage: the element offset into the root storage.
    public let viewOffset: Int
}

/// A tensor as `_rebuild_tensor_v2` describes it: a window of a storage with an offset, shape and
/// strides (in elements).
public struct TorchTensorReference: Equatable {
    public let storage: TorchStorageReference
    public let offset: Int
    public let shape: [Int]
    public let strides: [Int]
    public var dtype: DType { storage.dtype }
}
