import Dispatch

/// Travel times from every origin to its nearest destination over a road graph.
public struct NearestFacilityResult: Sendable {
    /// Seconds from each origin to its nearest destination; `.infinity` when none is reachable.
    public var seconds: [Double]
    /// The index (into the destinations) of each origin's nearest destination, -1 if none.
    public var nearest: [Int32]
    /// Origins and destinations farther than the snapping limit from any road.
    public var unsnappedOrigins: [Int]
    public var unsnappedDestinations: [Int]
    /// Wall time of each step (segment index, snapping, search), for `--timings`.
    public var stageSeconds: [(stage: String, seconds: Double)] = []

    public func minutes(_ origin: Int) -> Double? {
        seconds[origin].isFinite ? seconds[origin] / 60 : nil
    }
}

/// Nearest-facility search: one multi-source Dijkstra from all destinations at once over
/// the reversed graph gives every node its time to the nearest destination; each origin
/// then takes the best of its snapped segment's two ends.
///
/// Points snap to the nearest point on a segment within `maxSnap` metres; the straight line
/// from the point to the road costs walking time at `accessSpeed` km/h, and the part of the
/// segment between the snap point and its end costs that share of the segment's time, only
/// in the directions the segment may be travelled. Ties (equal times) go to the destination
/// with the lower index, so results do not depend on the order of the search.
public struct NearestFacility: Sendable {
    public var maxSnap: Double
    public var accessSpeed: Double

    public init(maxSnap: Double = 1000, accessSpeed: Double = 5) {
        self.maxSnap = maxSnap
        self.accessSpeed = accessSpeed
    }

    public func run(
        graph: RoadGraph, index: SegmentIndex? = nil, origins: [Coordinate], destinations: [Coordinate]
    ) throws -> NearestFacilityResult {
        guard accessSpeed > 0 else { throw AtlasError("the access speed must be positive, got \(accessSpeed)") }
        var clock = StageClock()
        let index = index ?? SegmentIndex(graph)
        clock.lap("segment index")
        let walkSecondsPerMetre = 3.6 / accessSpeed

        var destinationSnaps = index.nearest(to: destinations, in: graph, maxDistance: maxSnap)
        let unsnappedDestinations = destinationSnaps.indices.filter { destinationSnaps[$0] == nil }
        guard unsnappedDestinations.count < destinations.count else {
            throw AtlasError("no destination lies within \(maxSnap) m of the road network")
        }

        var search = MultiSourceSearch(nodeCount: graph.nodeCount)
        // Destinations on each segment, for origins reached along their own segment.
        var onSegment: [Int32: [(destination: Int32, fraction: Double, walk: Double)]] = [:]
        for (d, snap) in destinationSnaps.enumerated() {
            guard let snap else { continue }
            let s = Int(snap.segment)
            let walk = snap.distance * walkSecondsPerMetre
            onSegment[snap.segment, default: []].append((Int32(d), snap.fraction, walk))
            if graph.forwardSeconds[s].isFinite {
                search.seed(node: graph.segmentStart[s], seconds: walk + graph.forwardSeconds[s] * snap.fraction, destination: Int32(d))
            }
            if graph.backwardSeconds[s].isFinite {
                search.seed(node: graph.segmentEnd[s], seconds: walk + graph.backwardSeconds[s] * (1 - snap.fraction), destination: Int32(d))
            }
        }
        destinationSnaps.removeAll()
        clock.lap("snapping destinations")
        search.run(graph)
        clock.lap("search")

        let originSnaps = index.nearest(to: origins, in: graph, maxDistance: maxSnap)
        clock.lap("snapping origins")
        var seconds = [Double](repeating: .infinity, count: origins.count)
        var nearest = [Int32](repeating: -1, count: origins.count)
        var unsnappedOrigins: [Int] = []
        for (o, originSnap) in originSnaps.enumerated() {
            guard let snap = originSnap else {
                unsnappedOrigins.append(o)
                continue
            }
            let s = Int(snap.segment)
            let walk = snap.distance * walkSecondsPerMetre
            var best = Double.infinity
            var bestDestination: Int32 = -1
            func consider(_ t: Double, _ d: Int32) {
                if t < best || (t == best && d >= 0 && (bestDestination < 0 || d < bestDestination)) {
                    best = t
                    bestDestination = d
                }
            }
            let forward = graph.forwardSeconds[s], backward = graph.backwardSeconds[s]
            let a = Int(graph.segmentStart[s]), b = Int(graph.segmentEnd[s])
            let atEnd = search.labels[b], atStart = search.labels[a]
            if forward.isFinite, atEnd.seconds.isFinite {
                consider(walk + forward * (1 - snap.fraction) + atEnd.seconds, atEnd.source)
            }
            if backward.isFinite, atStart.seconds.isFinite {
                consider(walk + backward * snap.fraction + atStart.seconds, atStart.source)
            }
            for here in onSegment[snap.segment] ?? [] {
                if here.fraction >= snap.fraction, forward.isFinite {
                    consider(walk + forward * (here.fraction - snap.fraction) + here.walk, here.destination)
                }
                if here.fraction <= snap.fraction, backward.isFinite {
                    consider(walk + backward * (snap.fraction - here.fraction) + here.walk, here.destination)
                }
            }
            seconds[o] = best
            nearest[o] = bestDestination
        }
        clock.lap("origin times")
        return NearestFacilityResult(
            seconds: seconds, nearest: nearest,
            unsnappedOrigins: unsnappedOrigins, unsnappedDestinations: unsnappedDestinations,
            stageSeconds: clock.laps)
    }
}

/// Wall time between successive laps.
struct StageClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    private(set) var laps: [(stage: String, seconds: Double)] = []

    mutating func lap(_ stage: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        laps.append((stage, Double(now - last) / 1e9))
        last = now
    }
}

/// Dijkstra from many sources over the reversed graph with lazy deletion. Labels are
/// (seconds, source) compared lexicographically, and the queue hands out entries in
/// (seconds, source, node) order, which makes ties deterministic. Seconds and source sit side
/// by side so that a relaxation touches one cache line.
struct MultiSourceSearch {
    struct Label {
        var seconds: Double
        var source: Int32

        @inline(__always) func improved(by t: Double, from s: Int32) -> Bool {
            t < seconds || (t == seconds && s < source)
        }
    }

    var labels: [Label]
    private var queue = RadixQueue()

    init(nodeCount: Int) {
        labels = [Label](repeating: Label(seconds: .infinity, source: -1), count: nodeCount)
    }

    mutating func seed(node: Int32, seconds t: Double, destination: Int32) {
        guard t >= 0, labels[Int(node)].improved(by: t, from: destination) else { return }
        labels[Int(node)] = Label(seconds: t, source: destination)
        queue.push(QueueEntry(seconds: t, source: destination, node: node))
    }

    mutating func run(_ graph: RoadGraph) {
        // While searching, each node's label and where its arcs start share 16 bytes (the
        // label's padding), so settling a node costs one cache miss before its arcs, not two.
        struct NodeState {
            var seconds: Double
            var source: Int32
            var firstArc: Int32
        }
        var state = [NodeState]()
        state.reserveCapacity(labels.count + 1)
        for (w, l) in labels.enumerated() {
            state.append(NodeState(seconds: l.seconds, source: l.source, firstArc: graph.incomingOffsets[w]))
        }
        state.append(NodeState(seconds: .infinity, source: -1, firstArc: graph.incomingOffsets[labels.count]))
        state.withUnsafeMutableBufferPointer { node in
            graph.incomingArcs.withUnsafeBufferPointer { arcs in
                while let entry = queue.pop() {
                    let w = Int(entry.node)
                    guard entry.seconds == node[w].seconds, entry.source == node[w].source else { continue }
                    for arc in arcs[Int(node[w].firstArc)..<Int(node[w + 1].firstArc)] {
                        let v = Int(arc.source)
                        // Arc costs are finite and ≥ 0, so t ≥ entry.seconds: the queue's promise holds.
                        let t = entry.seconds + arc.seconds
                        if t < node[v].seconds || (t == node[v].seconds && entry.source < node[v].source) {
                            node[v].seconds = t
                            node[v].source = entry.source
                            queue.push(QueueEntry(seconds: t, source: entry.source, node: Int32(v)))
                        }
                    }
                }
            }
        }
        for w in labels.indices { labels[w] = Label(seconds: state[w].seconds, source: state[w].source) }
    }
}

struct QueueEntry {
    var seconds: Double
    var source: Int32
    var node: Int32

    @inline(__always) static func precedes(_ a: QueueEntry, _ b: QueueEntry) -> Bool {
        a.seconds < b.seconds || (a.seconds == b.seconds && (a.source < b.source || (a.source == b.source && a.node < b.node)))
    }
}

/// A radix heap (Ahuja, Mehlhorn, Orlin and Tarjan 1990), the monotone priority queue
/// Dijkstra needs: no entry pushed is below the last one popped, so an entry can wait in the
/// bucket of the highest bit in which its key differs from that last key, and only the lowest
/// non-empty bucket is ever sorted out, each entry moving a few times at most instead of
/// sifting through a heap of the whole frontier. Keys are the bit patterns of the seconds
/// (non-negative doubles order as their bit patterns do). Entries whose seconds equal the
/// last key wait in a small binary heap ordered by (source, node), so entries come out in
/// exactly the (seconds, source, node) order of one binary heap over everything.
struct RadixQueue {
    private var buckets = [[QueueEntry]](repeating: [], count: 64)
    /// Bit b set when bucket b holds entries.
    private var occupied: UInt64 = 0
    private var ties: [QueueEntry] = []
    private var last: UInt64 = 0

    @inline(__always) private static func key(_ seconds: Double) -> UInt64 { (seconds + 0).bitPattern }  // -0 → +0

    /// Requires `entry.seconds` ≥ 0 and ≥ the seconds of the last entry popped.
    mutating func push(_ entry: QueueEntry) {
        place(entry, key: Self.key(entry.seconds))
    }

    @inline(__always) private mutating func place(_ entry: QueueEntry, key: UInt64) {
        if key == last {
            pushTie(entry)
        } else {
            let b = 63 - (key ^ last).leadingZeroBitCount
            buckets[b].append(entry)
            occupied |= 1 << UInt64(b)
        }
    }

    mutating func pop() -> QueueEntry? {
        if ties.isEmpty {
            guard occupied != 0 else { return nil }
            let b = occupied.trailingZeroBitCount
            var moving: [QueueEntry] = []
            swap(&moving, &buckets[b])
            occupied &= ~(1 << UInt64(b))
            var smallest = UInt64.max
            for e in moving { smallest = min(smallest, Self.key(e.seconds)) }
            last = smallest
            // Every entry now differs from `last` below bit b, so none returns to bucket b.
            for e in moving { place(e, key: Self.key(e.seconds)) }
            moving.removeAll(keepingCapacity: true)
            swap(&moving, &buckets[b])
        }
        return popTie()
    }

    private mutating func pushTie(_ entry: QueueEntry) {
        ties.append(entry)
        ties.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard QueueEntry.precedes(entry, h[parent]) else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = entry
        }
    }

    private mutating func popTie() -> QueueEntry? {
        guard let top = ties.first else { return nil }
        let tail = ties.removeLast()
        if ties.isEmpty { return top }
        ties.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                var child = 2 * i + 1
                guard child < n else { break }
                if child + 1 < n, QueueEntry.precedes(h[child + 1], h[child]) { child += 1 }
                guard QueueEntry.precedes(h[child], tail) else { break }
                h[i] = h[child]
                i = child
            }
            h[i] = tail
        }
        return top
    }
}
