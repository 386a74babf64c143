import Testing

@testable import Atlas

@Suite("Multi-source search and batch snapping against simple references")
struct MultiSourceSearchTests {
    /// SplitMix64: a fixed sequence, so the random networks are the same on every run.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// The graph of `randomNetwork`.
    static func randomGraph(seed: UInt64) throws -> RoadGraph {
        let (x, y, segments) = randomNetwork(seed: seed)
        return try RoadGraph(crs: nil, x: x, y: y, segments: segments)
    }

    /// Nodes on a 12 × 12 lattice of 100 m and random segments between them, some one-way,
    /// at 30 or 60 km/h: many equal lengths, so many equal times for the tie rules to settle.
    static func randomNetwork(seed: UInt64) -> (x: [Double], y: [Double], segments: RoadSegmentList) {
        var random = Random(state: seed)
        var x: [Double] = [], y: [Double] = []
        for j in 0..<12 { for i in 0..<12 { x.append(Double(100 * i)); y.append(Double(100 * j)) } }
        var segments = RoadSegmentList()
        for _ in 0..<500 {
            let a = random.below(x.count)
            // A neighbour up to two steps away in each direction.
            let i = min(11, max(0, a % 12 + random.below(5) - 2)), j = min(11, max(0, a / 12 + random.below(5) - 2))
            let b = 12 * j + i
            guard a != b else { continue }
            let speed = random.below(2) == 0 ? 30.0 : 60.0
            let kind = random.below(6)
            segments.append(
                from: Int32(a), to: Int32(b), forwardSpeed: kind == 0 ? 0 : speed, backwardSpeed: kind == 1 ? 0 : speed)
        }
        return (x, y, segments)
    }

    /// The search as it was first written: lazy deletion, and each step takes the least
    /// waiting entry by (seconds, source, node), found here by a plain scan.
    static func referenceLabels(_ graph: RoadGraph, seeds: [(node: Int32, seconds: Double, destination: Int32)])
        -> [(seconds: Double, source: Int32)]
    {
        var labels = [(seconds: Double, source: Int32)](repeating: (.infinity, -1), count: graph.nodeCount)
        var waiting: [QueueEntry] = []
        func offer(_ node: Int, _ t: Double, _ s: Int32) {
            guard t < labels[node].seconds || (t == labels[node].seconds && s < labels[node].source) else { return }
            labels[node] = (t, s)
            waiting.append(QueueEntry(seconds: t, source: s, node: Int32(node)))
        }
        for seed in seeds { offer(Int(seed.node), seed.seconds, seed.destination) }
        while !waiting.isEmpty {
            let k = waiting.indices.min { QueueEntry.precedes(waiting[$0], waiting[$1]) }!
            let entry = waiting.remove(at: k)
            let w = Int(entry.node)
            guard entry.seconds == labels[w].seconds, entry.source == labels[w].source else { continue }
            for arc in graph.incomingArcs[Int(graph.incomingOffsets[w])..<Int(graph.incomingOffsets[w + 1])] {
                offer(Int(arc.source), entry.seconds + arc.seconds, entry.source)
            }
        }
        return labels
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func searchMatchesTheReferenceLabelForLabel(seed: UInt64) throws {
        let graph = try Self.randomGraph(seed: seed)
        var random = Random(state: seed &* 31)
        // Eight destinations, two of them on the same node with the same start time, and
        // start times in whole seconds so that ties between destinations happen.
        var seeds: [(node: Int32, seconds: Double, destination: Int32)] = []
        for d in 0..<8 { seeds.append((Int32(random.below(graph.nodeCount)), Double(random.below(4) * 6), Int32(d))) }
        seeds.append((seeds[3].node, seeds[3].seconds, 8))
        let labels = Self.searched(graph, seeds)
        let expected = Self.referenceLabels(graph, seeds: seeds)
        #expect(labels.map(\.seconds) == expected.map(\.seconds))
        #expect(labels.map(\.source) == expected.map(\.source))
        // Destination 8 shares destination 3's node and start and loses every tie to it.
        #expect(!labels.contains { $0.source == 8 })
        #expect(labels.contains { $0.seconds.isFinite && $0.seconds > 0 })
    }

    /// Every node's label after one search from `seeds`.
    static func searched(_ graph: RoadGraph, _ seeds: [(node: Int32, seconds: Double, destination: Int32)]) -> [MultiSourceSearch.Label] {
        var search = MultiSourceSearch(graph)
        for s in seeds { search.seed(node: s.node, seconds: s.seconds, destination: s.destination) }
        search.run(graph)
        return (0..<graph.nodeCount).map(search.label)
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func renumberedNodesGetTheSameLabels(seed: UInt64) throws {
        let (x, y, segments) = Self.randomNetwork(seed: seed)
        let given = try RoadGraph(crs: nil, x: x, y: y, segments: segments)
        let spatial = try RoadGraph(crs: nil, x: x, y: y, segments: segments, order: .spatial)
        let ranks = HilbertCurve.ranks(x: x, y: y)
        #expect(Set(ranks) == Set(0..<Int32(x.count)))
        #expect(ranks != Array(0..<Int32(x.count)))
        // The same segments in the same order, between the renumbered nodes, with the same times.
        #expect(spatial.segmentStart == given.segmentStart.map { ranks[Int($0)] })
        #expect(spatial.segmentEnd == given.segmentEnd.map { ranks[Int($0)] })
        #expect(spatial.forwardSeconds == given.forwardSeconds && spatial.backwardSeconds == given.backwardSeconds)
        for v in 0..<given.nodeCount { #expect(spatial.coordinate(Int(ranks[v])) == given.coordinate(v)) }

        var random = Random(state: seed &* 17)
        var seeds: [(node: Int32, seconds: Double, destination: Int32)] = []
        for d in 0..<8 { seeds.append((Int32(random.below(given.nodeCount)), Double(random.below(4) * 6), Int32(d))) }
        let labels = Self.searched(given, seeds)
        let renumbered = Self.searched(spatial, seeds.map { (ranks[Int($0.node)], $0.seconds, $0.destination) })
        #expect((0..<given.nodeCount).map { renumbered[Int(ranks[$0])].seconds } == labels.map(\.seconds))
        #expect((0..<given.nodeCount).map { renumbered[Int(ranks[$0])].source } == labels.map(\.source))
    }

    @Test func queueHandsOutEntriesInSecondsSourceNodeOrder() {
        var random = Random(state: 7)
        var queue = RadixQueue()
        var popped: [QueueEntry] = []
        var pending: [QueueEntry] = []
        func push(_ e: QueueEntry) {
            queue.push(e)
            pending.append(e)
        }
        // Start times from 0 to 50 s in quarter seconds, so equal seconds are common.
        for n in 0..<300 { push(QueueEntry(seconds: Double(random.below(200)) / 4, source: Int32(random.below(5)), node: Int32(n))) }
        while let e = queue.pop() {
            popped.append(e)
            let least = pending.indices.min { QueueEntry.precedes(pending[$0], pending[$1]) }!
            #expect(pending[least].seconds == e.seconds && pending[least].source == e.source && pending[least].node == e.node)
            pending.remove(at: least)
            // As a search does: later entries never come before the one just taken.
            if popped.count < 600, random.below(2) == 0 {
                push(QueueEntry(seconds: e.seconds + Double(random.below(8)) / 4, source: Int32(random.below(5)), node: Int32(1000 + popped.count)))
            }
        }
        #expect(pending.isEmpty)
        #expect(popped.count > 300)
    }

    /// Entries in (seconds, source, node) order out of a bucket queue, checked against a
    /// scan of the waiting ones, pushing more after each pop as a search does.
    @Test(arguments: [(0.25, 100.0), (0.25, 1.0), (3.0, 0.0), (1e-9, 1e-9)])
    func bucketQueueHandsOutEntriesInSecondsSourceNodeOrder(width: Double, span: Double) {
        var random = Random(state: 7)
        var queue = BucketQueue(width: width, span: span)
        var pending: [BucketQueue.Entry] = []
        var popped = 0
        func push(_ e: BucketQueue.Entry) {
            queue.push(e)
            pending.append(e)
        }
        // Start times from 0 to 50 s in quarter seconds, so equal seconds are common; with a
        // window of 64 buckets of 0.25 s (span 1 s) most wait beyond it at first, and with
        // buckets of 1e-9 s times beyond 2^52 buckets share the last one.
        for n in 0..<300 { push(BucketQueue.Entry(seconds: Double(random.below(200)) / 4, source: Int32(random.below(5)), node: Int32(n))) }
        push(BucketQueue.Entry(seconds: 1e300, source: 0, node: 999))
        push(BucketQueue.Entry(seconds: 1e299, source: 1, node: 998))
        while let e = queue.pop() {
            popped += 1
            let least = pending.indices.min { pending[$0] < pending[$1] }!
            #expect(pending[least] == e)
            pending.remove(at: least)
            // Later entries never come before the one just taken; some land in its bucket.
            if popped < 600, random.below(2) == 0, e.seconds < 1e6 {
                let later = e.seconds + Double(random.below(8)) / 4 + (random.below(4) == 0 ? 40 : 0)
                push(BucketQueue.Entry(seconds: later, source: Int32(random.below(5)), node: Int32(1000 + popped)))
            }
        }
        #expect(pending.isEmpty)
        #expect(popped > 400)
    }

    @Test func bucketQueueDropsStaleEntriesOfANewBucket() {
        var queue = BucketQueue(width: 1, span: 10)
        for n in 0..<6 { queue.push(BucketQueue.Entry(seconds: 2.5, source: 0, node: Int32(n))) }
        // Odd nodes are stale when their bucket, [2, 3), becomes current.
        var out: [Int32] = []
        while let e = queue.pop(dropping: { $0.node % 2 == 1 }) { out.append(e.node) }
        #expect(out == [0, 2, 4])
    }

    @Test func batchSnappingEqualsOneQueryAtATime() throws {
        let graph = try Self.randomGraph(seed: 9)
        let index = SegmentIndex(graph)
        var random = Random(state: 11)
        // Points over and around the lattice (which spans 0–1100 m), some beyond the limit.
        var points = (0..<3000).map { _ in Coordinate(Double(random.below(2600)) - 700, Double(random.below(2600)) - 700) }
        points.append(Coordinate(.nan, 0))
        points.append(Coordinate(1e300, -1e300))
        let batch = index.nearest(to: points, in: graph, maxDistance: 300)
        let single = points.map { index.nearest(to: $0, in: graph, maxDistance: 300) }
        #expect(batch == single)
        #expect(batch.contains(nil) && batch.contains { $0 != nil })
        #expect(batch[points.count - 1] == nil && batch[points.count - 2] == nil)
    }
}
