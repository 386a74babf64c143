/// Travel times from every origin to its nearest destination over a road graph.
public struct NearestFacilityResult: Sendable {
    /// Seconds from each origin to its nearest destination; `.infinity` when none is reachable.
    public var seconds: [Double]
    /// The index (into the destinations) of each origin's nearest destination, -1 if none.
    public var nearest: [Int32]
    /// Origins and destinations farther than the snapping limit from any road.
    public var unsnappedOrigins: [Int]
    public var unsnappedDestinations: [Int]

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
        let index = index ?? SegmentIndex(graph)
        let walkSecondsPerMetre = 3.6 / accessSpeed

        var destinationSnaps: [NetworkSnap?] = destinations.map { index.nearest(to: $0, in: graph, maxDistance: maxSnap) }
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
        search.run(graph)

        var seconds = [Double](repeating: .infinity, count: origins.count)
        var nearest = [Int32](repeating: -1, count: origins.count)
        var unsnappedOrigins: [Int] = []
        for (o, point) in origins.enumerated() {
            guard let snap = index.nearest(to: point, in: graph, maxDistance: maxSnap) else {
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
            if forward.isFinite, search.seconds[b].isFinite {
                consider(walk + forward * (1 - snap.fraction) + search.seconds[b], search.source[b])
            }
            if backward.isFinite, search.seconds[a].isFinite {
                consider(walk + backward * snap.fraction + search.seconds[a], search.source[a])
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
        return NearestFacilityResult(
            seconds: seconds, nearest: nearest,
            unsnappedOrigins: unsnappedOrigins, unsnappedDestinations: unsnappedDestinations)
    }
}

/// Dijkstra from many sources over the reversed graph with a binary heap and lazy deletion.
/// Labels are (seconds, source) compared lexicographically, which makes ties deterministic.
struct MultiSourceSearch {
    var seconds: [Double]
    var source: [Int32]
    private var heap: [HeapEntry] = []

    struct HeapEntry {
        var seconds: Double
        var source: Int32
        var node: Int32

        @inline(__always) static func precedes(_ a: HeapEntry, _ b: HeapEntry) -> Bool {
            a.seconds < b.seconds || (a.seconds == b.seconds && (a.source < b.source || (a.source == b.source && a.node < b.node)))
        }
    }

    init(nodeCount: Int) {
        seconds = [Double](repeating: .infinity, count: nodeCount)
        source = [Int32](repeating: -1, count: nodeCount)
    }

    @inline(__always) private func improves(_ t: Double, _ s: Int32, at node: Int) -> Bool {
        t < seconds[node] || (t == seconds[node] && s < source[node])
    }

    mutating func seed(node: Int32, seconds t: Double, destination: Int32) {
        guard improves(t, destination, at: Int(node)) else { return }
        seconds[Int(node)] = t
        source[Int(node)] = destination
        push(HeapEntry(seconds: t, source: destination, node: node))
    }

    mutating func run(_ graph: RoadGraph) {
        graph.incomingOffsets.withUnsafeBufferPointer { offsets in
            graph.incomingSource.withUnsafeBufferPointer { from in
                graph.incomingSeconds.withUnsafeBufferPointer { cost in
                    while let entry = pop() {
                        let w = Int(entry.node)
                        guard entry.seconds == seconds[w], entry.source == source[w] else { continue }
                        for k in Int(offsets[w])..<Int(offsets[w + 1]) {
                            let v = Int(from[k])
                            let t = entry.seconds + cost[k]
                            if improves(t, entry.source, at: v) {
                                seconds[v] = t
                                source[v] = entry.source
                                push(HeapEntry(seconds: t, source: entry.source, node: Int32(v)))
                            }
                        }
                    }
                }
            }
        }
    }

    private mutating func push(_ entry: HeapEntry) {
        heap.append(entry)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard HeapEntry.precedes(entry, heap[parent]) else { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = entry
    }

    private mutating func pop() -> HeapEntry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        var i = 0
        let n = heap.count
        while true {
            let left = 2 * i + 1
            guard left < n else { break }
            var child = left
            if left + 1 < n, HeapEntry.precedes(heap[left + 1], heap[left]) { child = left + 1 }
            guard HeapEntry.precedes(heap[child], last) else { break }
            heap[i] = heap[child]
            i = child
        }
        heap[i] = last
        return top
    }
}
