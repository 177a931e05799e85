/// A palette of at most 256 colours for a whole animation, by median cut over the frames'
/// colours at 5 bits per channel, and a nearest-colour lookup through a 32×32×32 cache.
/// One palette for every frame keeps a turntable from flickering between frames.
struct GIFPalette {
    /// RGB triples, count ≤ 256.
    private(set) var colours: [SIMD3<UInt8>] = []
    private var cache = [Int16](repeating: -1, count: 32 * 32 * 32)
    /// Colours kept exactly (a white background), by cell: packed RGB and palette index, −1 if none.
    private var exactColour = [Int32](repeating: -1, count: 32 * 32 * 32)
    private var exactIndex = [Int16](repeating: -1, count: 32 * 32 * 32)

    /// A colour covering at least this share of all pixels gets its own exact palette entry:
    /// median cut would otherwise replace it by its box's mean (pure white became 252, 252, 252).
    static let exactShare = 0.005
    static let maximumExactColours = 32

    init(frames: [RGBImage]) {
        let cells = 32 * 32 * 32
        var histogram = [Int](repeating: 0, count: cells)
        var sums = [Int](repeating: 0, count: cells * 3)
        // Per cell, the majority colour by Boyer–Moore voting, then its exact count in a second pass.
        var candidate = [Int32](repeating: -1, count: cells), votes = [Int](repeating: 0, count: cells)
        for frame in frames {
            frame.pixels.withUnsafeBufferPointer { p in
                for offset in stride(from: 0, to: p.count, by: 3) {
                    let (r, g, b) = (p[offset], p[offset + 1], p[offset + 2])
                    let cell = Self.cell(r, g, b), packed = Self.packed(r, g, b)
                    histogram[cell] += 1
                    sums[cell * 3] += Int(r); sums[cell * 3 + 1] += Int(g); sums[cell * 3 + 2] += Int(b)
                    if candidate[cell] == packed { votes[cell] += 1 }
                    else if votes[cell] == 0 { candidate[cell] = packed; votes[cell] = 1 }
                    else { votes[cell] -= 1 }
                }
            }
        }
        var candidateCount = [Int](repeating: 0, count: cells)
        for frame in frames {
            frame.pixels.withUnsafeBufferPointer { p in
                for offset in stride(from: 0, to: p.count, by: 3) {
                    let cell = Self.cell(p[offset], p[offset + 1], p[offset + 2])
                    if candidate[cell] == Self.packed(p[offset], p[offset + 1], p[offset + 2]) { candidateCount[cell] += 1 }
                }
            }
        }
        let occupied = histogram.indices.filter { histogram[$0] > 0 }
        let total = histogram.reduce(0, +)
        var frequent: [Int]
        if occupied.count <= 256 {
            // Few enough cells: each keeps its most common exact colour (synthetic frames stay exact).
            frequent = occupied
        } else {
            frequent = occupied.filter { Double(candidateCount[$0]) >= Self.exactShare * Double(total) }
            frequent = Array(frequent.sorted { candidateCount[$0] > candidateCount[$1] }.prefix(Self.maximumExactColours))
        }
        for cell in frequent {
            let packed = Int(candidate[cell])
            exactColour[cell] = candidate[cell]
            exactIndex[cell] = Int16(colours.count)
            colours.append(SIMD3(UInt8(packed >> 16), UInt8((packed >> 8) & 0xFF), UInt8(packed & 0xFF)))
            // The rest of the cell's pixels still take part in the median cut.
            histogram[cell] -= candidateCount[cell]
            let value = colours.last!
            sums[cell * 3] -= candidateCount[cell] * Int(value.x)
            sums[cell * 3 + 1] -= candidateCount[cell] * Int(value.y)
            sums[cell * 3 + 2] -= candidateCount[cell] * Int(value.z)
        }
        if occupied.count > 256 {
            let remaining = occupied.filter { histogram[$0] > 0 }
            colours += Self.medianCut(remaining, histogram: histogram, sums: sums, boxes: 256 - colours.count)
        }
    }

    static func cell(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int { Int(r >> 3) << 10 | Int(g >> 3) << 5 | Int(b >> 3) }
    static func packed(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int32 { Int32(r) << 16 | Int32(g) << 8 | Int32(b) }

    /// Splits the box of 5-bit cells with the largest population × channel range at its weighted
    /// median until there are `boxes` boxes; each box's colour is the mean of the pixels in it.
    static func medianCut(_ cells: [Int], histogram: [Int], sums: [Int], boxes: Int) -> [SIMD3<UInt8>] {
        func channel(_ cell: Int, _ c: Int) -> Int { (cell >> (10 - 5 * c)) & 31 }
        var queue: [[Int]] = cells.isEmpty ? [] : [cells]
        while queue.count < boxes {
            var best = -1, bestScore = 0, bestChannel = 0
            for (index, box) in queue.enumerated() where box.count > 1 {
                let population = box.reduce(0) { $0 + histogram[$1] }
                for c in 0..<3 {
                    var low = 31, high = 0
                    for cell in box { let v = channel(cell, c); low = min(low, v); high = max(high, v) }
                    let score = (high - low) * population
                    if score > bestScore { (best, bestScore, bestChannel) = (index, score, c) }
                }
            }
            guard best >= 0 else { break }
            let sorted = queue[best].sorted { channel($0, bestChannel) < channel($1, bestChannel) }
            let total = sorted.reduce(0) { $0 + histogram[$1] }
            var running = 0, split = 1
            for (index, cell) in sorted.enumerated() {
                running += histogram[cell]
                if running * 2 >= total { split = min(max(index + 1, 1), sorted.count - 1); break }
            }
            queue[best] = Array(sorted[..<split])
            queue.append(Array(sorted[split...]))
        }
        return queue.map { box in
            var sum = SIMD3<Int>(repeating: 0), count = 0
            for cell in box {
                sum &+= SIMD3(sums[cell * 3], sums[cell * 3 + 1], sums[cell * 3 + 2])
                count += histogram[cell]
            }
            let mean = SIMD3<Double>(sum) / Double(count)
            return SIMD3(UInt8(mean.x.rounded()), UInt8(mean.y.rounded()), UInt8(mean.z.rounded()))
        }
    }

    /// The palette index of a colour: its exact entry if it has one, else the nearest colour
    /// (squared RGB distance), cached per 5-bit cell.
    mutating func index(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let cell = Self.cell(r, g, b)
        if exactColour[cell] == Self.packed(r, g, b) { return UInt8(exactIndex[cell]) }
        if cache[cell] >= 0 { return UInt8(cache[cell]) }
        var best = 0, bestDistance = Int.max
        for (index, colour) in colours.enumerated() {
            let dr = Int(colour.x) - Int(r), dg = Int(colour.y) - Int(g), db = Int(colour.z) - Int(b)
            let distance = dr * dr + dg * dg + db * db
            if distance < bestDistance { (best, bestDistance) = (index, distance) }
        }
        cache[cell] = Int16(best)
        return UInt8(best)
    }
}
