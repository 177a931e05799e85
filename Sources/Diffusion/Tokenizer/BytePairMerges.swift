/// The merge table of a CLIP BPE vocabulary and the merge loop that applies it to one word.
///
/// Symbols are interned as integers: the 256 byte symbols, the same with "</w>" (the last symbol of
/// a word), and every symbol named by a merge. `apply` reproduces transformers' `CLIPTokenizer.bpe`
/// exactly: each round finds the lowest-ranked adjacent pair present and merges all of its
/// occurrences left to right without overlap. It does so in O(n log n) with a linked list and a
/// heap instead of rescanning the word after every merge.
struct BytePairMerges {
    static let endOfWord = "</w>"

    private struct Merge {
        let rank: Int32
        let merged: Int32
    }

    /// Symbol spellings, indexed by symbol id.
    private(set) var symbols: [String] = []
    private var symbolIDs: [String: Int32] = [:]
    private var merges: [UInt64: Merge] = [:]
    /// Symbol ids of the bytes 0…255 inside a word, and at its end (with "</w>").
    private(set) var byteSymbols: [Int32] = []
    private(set) var finalByteSymbols: [Int32] = []

    /// `pairs[i]` has rank i. A pair listed twice keeps its later rank, like `dict(zip(merges, range(n)))`.
    init(pairs: [(String, String)]) {
        symbolIDs.reserveCapacity(pairs.count + 600)
        merges.reserveCapacity(pairs.count)
        for character in ByteLevelAlphabet.characters {
            byteSymbols.append(intern(String(character)))
        }
        for character in ByteLevelAlphabet.characters {
            finalByteSymbols.append(intern(String(character) + Self.endOfWord))
        }
        for (rank, pair) in pairs.enumerated() {
            let left = intern(pair.0), right = intern(pair.1)
            merges[Self.key(left, right)] = Merge(rank: Int32(rank), merged: intern(pair.0 + pair.1))
        }
    }

    var count: Int { merges.count }

    private mutating func intern(_ symbol: String) -> Int32 {
        if let id = symbolIDs[symbol] { return id }
        let id = Int32(symbols.count)
        symbols.append(symbol)
        symbolIDs[symbol] = id
        return id
    }

    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    private func merge(_ left: Int32, _ right: Int32) -> Merge? {
        merges[Self.key(left, right)]
    }

    /// The initial symbols of a word: one per UTF-8 byte, "</w>" on the last.
    func initialSymbols(of bytes: [UInt8]) -> [Int32] {
        var word = bytes.map { byteSymbols[Int($0)] }
        if let last = bytes.last { word[word.count - 1] = finalByteSymbols[Int(last)] }
        return word
    }

    /// Merges `word` (symbol ids) until no adjacent pair has a rank.
    func apply(to word: [Int32]) -> [Int32] {
        guard word.count > 1 else { return word }
        var symbol = word
        var next = (0..<word.count).map { Int32($0 + 1) }
        var previous = (0..<word.count).map { Int32($0 - 1) }
        next[word.count - 1] = -1
        var alive = [Bool](repeating: true, count: word.count)

        // Heap entries are rank << 32 | position: rank first, then leftmost first.
        var heap = MinHeap()
        func candidate(at position: Int32) -> UInt64? {
            let right = next[Int(position)]
            guard right >= 0, let merge = merge(symbol[Int(position)], symbol[Int(right)]) else { return nil }
            return UInt64(UInt32(merge.rank)) << 32 | UInt64(UInt32(position))
        }
        for position in 0..<Int32(word.count - 1) {
            if let entry = candidate(at: position) { heap.push(entry) }
        }

        var formedThisRound: [Int32] = []
        while let top = heap.peek() {
            let rank = top >> 32
            // One round: every occurrence of the lowest-ranked pair, left to right. Pairs formed by
            // these merges wait for the next round, as they do in transformers' loop.
            while let entry = heap.peek(), entry >> 32 == rank {
                heap.pop()
                let position = Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF)
                guard alive[Int(position)], candidate(at: position) == entry else { continue }
                let right = Int(next[Int(position)])
                symbol[Int(position)] = merge(symbol[Int(position)], symbol[right])!.merged
                alive[right] = false
                next[Int(position)] = next[right]
                if next[right] >= 0 { previous[Int(next[right])] = position }
                if previous[Int(position)] >= 0 { formedThisRound.append(previous[Int(position)]) }
                formedThisRound.append(position)
            }
            for position in formedThisRound where alive[Int(position)] {
                if let entry = candidate(at: position) { heap.push(entry) }
            }
            formedThisRound.removeAll(keepingCapacity: true)
        }

        var merged: [Int32] = []
        var position: Int32 = 0
        while position >= 0 {
            merged.append(symbol[Int(position)])
            position = next[Int(position)]
        }
        return merged
    }
}

/// A binary min-heap of packed (rank, position) keys.
private struct MinHeap {
    private var items: [UInt64] = []

    func peek() -> UInt64? { items.first }

    mutating func push(_ item: UInt64) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() {
        let last = items.removeLast()
        guard !items.isEmpty else { return }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, items[left] < items[smallest] { smallest = left }
            if right < items.count, items[right] < items[smallest] { smallest = right }
            guard smallest != parent else { return }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
