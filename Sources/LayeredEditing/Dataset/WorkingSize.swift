/// The size pictures are edited at: both sides multiples of the VAE's downsampling factor.
public struct WorkingSize: Sendable, Equatable, Codable {
    public var height: Int
    public var width: Int

    public init(height: Int, width: Int, multiple: Int) throws {
        guard multiple >= 1, height >= multiple, width >= multiple, height % multiple == 0, width % multiple == 0,
              height <= 1 << 15, width <= 1 << 15 else {
            throw LayeredEditingError.invalidSetting(name: "working size", value: "\(height)×\(width)",
                                                     expected: "positive multiples of \(multiple), at most 32768 a side")
        }
        self.height = height
        self.width = width
    }

    /// Text2LIVE's `resize_input`: the short side becomes `shortSide` (transforms.Resize(512)),
    /// the long side keeps the aspect; here both are then rounded to the nearest multiple of
    /// `multiple` (at least one multiple).
    public static func fitting(height: Int, width: Int, shortSide: Int, multiple: Int) throws -> WorkingSize {
        guard height > 0, width > 0, shortSide > 0, multiple > 0, shortSide <= 1 << 15 else {
            throw LayeredEditingError.invalidSetting(name: "working size", value: "picture \(height)×\(width), short side \(shortSide), multiple \(multiple)",
                                                     expected: "positive sizes, short side at most 32768")
        }
        let ratio = Double(shortSide) / Double(min(height, width))
        func rounded(_ side: Double) -> Int { max(Int((side / Double(multiple)).rounded()), 1) * multiple }
        return try WorkingSize(height: rounded(min(Double(height) * ratio, 32768)), width: rounded(min(Double(width) * ratio, 32768)),
                               multiple: multiple)
    }
}
