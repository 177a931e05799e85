/// A palette of at most 256 colours for a whole animation, by median cut over the frames'
/// colours at 5 bits per channel, and a nearest-colour lookup through a 32×32×32 cache.
/// One palette for every frame keeps a turntable from flickering between frames.
struct GIFPalette {
    /// RGB triples, count ≤ 256.
    private(set) var colours: [SIMD3<UInt8>] = []
    private var cache = [Int16](repeating: -1, count: 32 * 32 * 32)

    init(frames: [RGBImage]) {
        var histogram = [Int](repeating: 0, count: 32 * 32 * 32)
        var exact: [Int: SIMD3<UInt8>] = [:]
        for frame in frames {
            for offset in stride(from: 0, to: frame.pixels.count, by: 3) {
                let cell = Self.cell(frame.pixels[offset], frame.pixels[offset + 1], frame.pixels[offset + 2])
                histogram[cell] += 1
                if exact[cell] == nil { exact[cell] = SIMD3(frame.pixels[offset], frame.pixels[offset + 1], frame.pixels[offset + 2]) }
            }
        }
        let occupied = histogram.indices.filter { histogram[$0] > 0 }
        if occupied.count <= 256 {
            // Few enough colours: keep each exactly (flat backgrounds and synthetic frames stay exact).
            colours = occupied.map { exact[$0]! }
        } else {
            colours = Self.medianCut(occupied, histogram: histogram, boxes: 256)
        }
    }

    static func cell(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int { Int(r >> 3) << 10 | Int(g >> 3) << 5 | Int(b >> 3) }

    /// Splits the box of 5-bit cells with the widest channel range at its weighted median until
    /// there are `boxes` boxes; each box's colour is the count-weighted mean of its cells.
    static func medianCut(_ cells: [Int], histogram: [Int], boxes: Int) -> [SIMD3<UInt8>] {
        func channel(_ cell: Int, _ c: Int) -> Int { (cell >> (10 - 5 * c)) & 31 }
        var queue: [[Int]] = [cells]
        while queue.count < boxes {
            // The splittable box with the largest population × range.
            var best = -1, bestScore = 0, bestChannel = 0
            for (index, box) in queue.enumerated() where box.count > 1 {
                for c in 0..<3 {
                    let values = box.map { channel($0, c) }
                    let range = values.max()! - values.min()!
                    let population = box.reduce(0) { $0 + histogram[$1] }
                    if range > 0 && range * population > bestScore { (best, bestScore, bestChannel) = (index, range * population, c) }
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
            var sum = SIMD3<Double>(repeating: 0), count = 0.0
            for cell in box {
                let weight = Double(histogram[cell])
                let centre = SIMD3(Double(channel(cell, 0)), Double(channel(cell, 1)), Double(channel(cell, 2))) * 8 + 4
                sum += centre * weight
                count += weight
            }
            let mean = sum / count
            return SIMD3(UInt8(min(mean.x.rounded(), 255)), UInt8(min(mean.y.rounded(), 255)), UInt8(min(mean.z.rounded(), 255)))
        }
    }

    /// The palette index nearest to a colour (squared RGB distance), cached per 5-bit cell.
    mutating func index(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let cell = Self.cell(r, g, b)
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
