/// The priority queue of a Dijkstra search over a whole road graph: Dial's buckets, made exact.
///
/// Entries wait in buckets `width` seconds wide, kept in a circular window of buckets
/// (entries beyond the window wait in an overflow list until the window reaches them). When
/// the lowest occupied bucket becomes current, its entries still wanted are sorted by
/// (seconds, source, node) and handed out in that order; an entry pushed into the current
/// bucket (over an arc shorter than the width) waits in a small binary heap, merged with the
/// sorted run. So entries come out in exactly the order one heap over everything would give,
/// each pushed and moved once instead of sifting through a heap of the whole frontier, and the
/// entries of one bucket are checked and sorted in one pass whose memory accesses overlap.
///
/// Like every monotone queue it requires that no entry pushed comes before the last one
/// popped: a search's times only grow.
struct BucketQueue: Sendable {
    /// (seconds, source, node) in one 128-bit key whose integer order is that order:
    /// seconds are ≥ 0, whose bit patterns order as the numbers do, and sources and nodes are
    /// indices ≥ 0.
    struct Entry: Comparable, Sendable {
        private var key: UInt128

        init(seconds: Double, source: Int32, node: Int32) {
            key = UInt128((seconds + 0).bitPattern) << 64  // + 0 turns -0 into +0
                | UInt128(UInt32(bitPattern: source)) << 32 | UInt128(UInt32(bitPattern: node))
        }

        var seconds: Double { Double(bitPattern: UInt64(truncatingIfNeeded: key >> 64)) }
        var source: Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: key >> 32)) }
        var node: Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: key)) }

        static func < (a: Entry, b: Entry) -> Bool { a.key < b.key }
    }

    private let bucketsPerSecond: Double
    /// Bucket numbers stop growing here, so that huge times stay integers (and still in order).
    private static let lastBucket = Double(1 << 52)
    private let mask: Int
    private var buckets: [[Entry]]
    /// Bit `b % 64` of word `b / 64` set when slot `b` holds entries.
    private var occupied: [UInt64]
    private var inWindow = 0
    private var overflow: [Entry] = []
    /// The lowest bucket of the overflow entries, `Int.max` when there are none.
    private var overflowLowest = Int.max
    /// The bucket being handed out; -1 before the first.
    private var current = -1
    private var run: [Entry] = []
    private var next = 0
    private var early: [Entry] = []

    /// Buckets of `width` seconds (> 0), in a window of at least `span` seconds (the longest
    /// arc, so that arcs seldom lead past the window) and at most 2¹⁶ buckets, which keeps
    /// the window cheap to make for small searches.
    init(width: Double, span: Double) {
        precondition(width > 0 && width.isFinite)
        bucketsPerSecond = 1 / width
        let wanted = min(max(span, 0) * bucketsPerSecond + 2, Double(1 << 16))  // NaN gives 2^16
        var slots = 64
        while Double(slots) < wanted { slots <<= 1 }
        mask = slots - 1
        buckets = [[Entry]](repeating: [], count: slots)
        occupied = [UInt64](repeating: 0, count: slots / 64)
    }

    /// A width for searches over `graph`: 1/512 of its mean arc, which leaves a few dozen
    /// entries in a bucket on national networks with a thousand sources, and a window as long
    /// as its longest arc (within the limit). Both come from every 64th arc: they decide only
    /// how fast the queue is, never the order entries come out in.
    init(for graph: RoadGraph) {
        var total = 0.0, longest = 0.0, sampled = 0
        for k in stride(from: 0, to: graph.incomingArcs.count, by: 64) {
            total += graph.incomingArcs[k].seconds
            longest = max(longest, graph.incomingArcs[k].seconds)
            sampled += 1
        }
        let width = sampled > 0 ? total / Double(sampled) / 512 : 0
        self.init(width: width > 0 && width.isFinite ? width : 1, span: longest)
    }

    @inline(__always) private func bucket(_ seconds: Double) -> Int {
        let b = seconds * bucketsPerSecond
        return b < Self.lastBucket ? Int(b) : Int(Self.lastBucket)
    }

    /// Requires `entry.seconds` finite, ≥ 0 and not below the last entry popped.
    @inline(__always) mutating func push(_ entry: Entry) {
        let b = bucket(entry.seconds)
        if b <= current {
            pushEarly(entry)
        } else {
            place(entry, bucket: b)
        }
    }

    @inline(__always) private mutating func place(_ entry: Entry, bucket b: Int) {
        guard b - current <= mask else {
            overflow.append(entry)
            overflowLowest = min(overflowLowest, b)
            return
        }
        let slot = b & mask
        buckets[slot].append(entry)
        occupied[slot >> 6] |= 1 << UInt64(slot & 63)
        inWindow += 1
    }

    /// The least entry, or nil when none is left. Entries of a new bucket for which `isStale`
    /// says true (superseded by a later push) are dropped before sorting.
    @inline(__always) mutating func pop(dropping isStale: (Entry) -> Bool = { _ in false }) -> Entry? {
        while true {
            if next < run.count {
                if let first = early.first, first < run[next] { return popEarly() }
                next += 1
                return run[next - 1]
            }
            if !early.isEmpty { return popEarly() }
            guard advance(dropping: isStale) else { return nil }
        }
    }

    /// Makes the lowest occupied bucket current and sorts its entries; false when there is none.
    private mutating func advance(dropping isStale: (Entry) -> Bool) -> Bool {
        run.removeAll(keepingCapacity: true)
        next = 0
        let ahead = inWindow > 0 ? nextOccupied(after: current) : Int.max
        if overflowLowest <= ahead {
            // The window has come within reach of entries that waited beyond it.
            guard !overflow.isEmpty else { return false }
            current = overflowLowest
            let waiting = overflow
            overflow.removeAll(keepingCapacity: true)
            overflowLowest = Int.max
            for e in waiting { place(e, bucket: bucket(e.seconds)) }
        } else {
            current = ahead
        }
        let slot = current & mask
        swap(&run, &buckets[slot])
        occupied[slot >> 6] &= ~(1 << UInt64(slot & 63))
        inWindow -= run.count
        run.removeAll(where: isStale)
        run.sort()
        return true
    }

    /// The first occupied bucket after `b`, going round the window; one must exist.
    private func nextOccupied(after b: Int) -> Int {
        let first = b + 1
        var word = (first & mask) >> 6
        var base = first - (first & 63)  // the bucket of bit 0 of `word`
        var bits = occupied[word] & (~0 << UInt64(first & 63))
        while bits == 0 {
            word = (word + 1) & (occupied.count - 1)
            base += 64
            bits = occupied[word]
        }
        return base + bits.trailingZeroBitCount
    }

    private mutating func pushEarly(_ entry: Entry) {
        early.append(entry)
        early.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard entry < h[parent] else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = entry
        }
    }

    private mutating func popEarly() -> Entry {
        let top = early[0]
        let tail = early.removeLast()
        guard !early.isEmpty else { return top }
        early.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                var child = 2 * i + 1
                guard child < n else { break }
                if child + 1 < n, h[child + 1] < h[child] { child += 1 }
                guard h[child] < tail else { break }
                h[i] = h[child]
                i = child
            }
            h[i] = tail
        }
        return top
    }
}
