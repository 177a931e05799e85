/// A candidate collapse of the edge (a, b) with its cost, stamped with the versions its two
/// vertices had when the cost was computed.
struct EdgeCollapse {
    var cost: Float
    var a: Int32
    var b: Int32
    var versionA: UInt32
    var versionB: UInt32
}

/// Min-heap of candidate collapses, cheapest first. Entries are never updated or removed in
/// place: a collapse moves a vertex and bumps its version, every edge at that vertex is pushed again
/// with its new cost, and entries whose stamps no longer match are skipped when they come out (lazy
/// invalidation — cheaper than a decrease-key heap with back-pointers).
///
/// Four children per node rather than two: half the levels, and the four siblings share one or two
/// cache lines. With a million entries the pops are memory-bound and this is the hot loop.
struct EdgeCollapseHeap {
    private var entries: [EdgeCollapse] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// A heap of `entries` in O(n) (Floyd's bottom-up heapify), cheaper than n pushes.
    init(_ entries: [EdgeCollapse]) {
        self.entries = entries
        var i = (entries.count + 2) / 4
        while i > 0 {
            i -= 1
            siftDown(i)
        }
    }

    /// Drops the entries `isCurrent` rejects and rebuilds the heap: one sequential pass instead of a
    /// cache-missing sift-down per stale entry when it would have come out.
    mutating func removeStale(keeping isCurrent: (EdgeCollapse) -> Bool) {
        self = EdgeCollapseHeap(entries.filter(isCurrent))
    }

    mutating func push(_ entry: EdgeCollapse) {
        entries.append(entry)
        entries.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 4
                guard entry.cost < heap[parent].cost else { break }
                heap[child] = heap[parent]
                child = parent
            }
            heap[child] = entry
        }
    }

    mutating func popCheapest() -> EdgeCollapse? {
        guard let last = entries.popLast() else { return nil }
        guard !entries.isEmpty else { return last }
        let top = entries[0]
        entries[0] = last
        siftDown(0)
        return top
    }

    private mutating func siftDown(_ start: Int) {
        entries.withUnsafeMutableBufferPointer { heap in
            let entry = heap[start], count = heap.count
            var parent = start
            while true {
                let first = 4 * parent + 1
                guard first < count else { break }
                var smallest = first
                for child in (first + 1)..<min(first + 4, count) where heap[child].cost < heap[smallest].cost { smallest = child }
                guard heap[smallest].cost < entry.cost else { break }
                heap[parent] = heap[smallest]
                parent = smallest
            }
            heap[parent] = entry
        }
    }
}
