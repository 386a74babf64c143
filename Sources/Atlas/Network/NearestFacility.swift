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
    /// Straight-line metres from each origin to the road it snapped to, walked at the access
    /// speed; `.infinity` for an origin that did not snap.
    public var originSnapMetres: [Double] = []
    /// Points whose nearest road lies on an island (a component left out by the island rule)
    /// and that snapped to the nearest road of a kept component instead.
    public var originsMovedOffIslands: [Int] = []
    public var destinationsMovedOffIslands: [Int] = []
    /// Points whose nearest road lies on an island and that found no kept road within the
    /// snapping limit: origins count as unreachable, destinations are left out. They are not
    /// among the unsnapped ones, which have no road at all within the limit.
    public var originsStrandedOnIslands: [Int] = []
    public var destinationsStrandedOnIslands: [Int] = []
    /// What the island rule kept and left out of the graph.
    public var islands = RoadIslands(minimumNodes: 0)
    /// Wall time of each step (segment index, snapping, search), for `--timings`.
    public var stageSeconds: [(stage: String, seconds: Double)] = []
    /// The steps of making the graph searched, as it recorded them (`RoadGraph.stageSeconds`).
    public var networkStageSeconds: [(stage: String, seconds: Double)] = []

    public func minutes(_ origin: Int) -> Double? {
        seconds[origin].isFinite ? seconds[origin] / 60 : nil
    }

    /// This result, computed for the origins `placed` (indices into `count` origins) and the
    /// destinations `destinations`, with every index mapped back to those lists; origins left
    /// out take no time and no snap.
    public func mapped(origins placed: [Int], count: Int, destinations: [Int]) -> NearestFacilityResult {
        var out = self
        out.seconds = [Double](repeating: .infinity, count: count)
        out.nearest = [Int32](repeating: -1, count: count)
        out.originSnapMetres = [Double](repeating: .infinity, count: count)
        for (k, o) in placed.enumerated() {
            out.seconds[o] = seconds[k]
            out.nearest[o] = nearest[k] >= 0 ? Int32(destinations[Int(nearest[k])]) : -1
            if k < originSnapMetres.count { out.originSnapMetres[o] = originSnapMetres[k] }
        }
        out.unsnappedOrigins = unsnappedOrigins.map { placed[$0] }
        out.originsMovedOffIslands = originsMovedOffIslands.map { placed[$0] }
        out.originsStrandedOnIslands = originsStrandedOnIslands.map { placed[$0] }
        out.unsnappedDestinations = unsnappedDestinations.map { destinations[$0] }
        out.destinationsMovedOffIslands = destinationsMovedOffIslands.map { destinations[$0] }
        out.destinationsStrandedOnIslands = destinationsStrandedOnIslands.map { destinations[$0] }
        return out
    }

    /// What the island rule did, in words for the user: lines for warnings (points moved or
    /// stranded, the largest component kept alone) and one line of summary. `originName` names
    /// an origin by its index.
    public func islandReport(originName: (Int) -> String) -> (warnings: [String], summary: String?) {
        var warnings: [String] = []
        let rule = "components under \(islands.minimumNodes) nodes"
        if islands.keptEverything {
            warnings.append(
                "no road of the network can be travelled there and back (one-way roads only), so no part of it is left out as an island")
        }
        if islands.keptLargestOnly {
            warnings.append(
                "no part of the road network has \(islands.minimumNodes) connected nodes (--min-component); "
                    + "points snap to its largest strongly connected component only (\(islands.largestComponentNodes) nodes)")
        }
        func names(_ list: [Int]) -> String { list.prefix(5).map(originName).joined(separator: ", ") }
        if !originsMovedOffIslands.isEmpty {
            let metres = originsMovedOffIslands.map { originSnapMetres[$0] }.filter(\.isFinite)
            let farthest = metres.max().map { String(format: " (farthest %.0f m off the road)", $0) } ?? ""
            warnings.append(
                "\(originsMovedOffIslands.count) origins lie nearest to a road island (\(rule)) and snap to the connected network instead\(farthest) (first: \(names(originsMovedOffIslands)))")
        }
        if !originsStrandedOnIslands.isEmpty {
            warnings.append(
                "\(originsStrandedOnIslands.count) origins lie nearest to a road island (\(rule)) with no connected road within reach and count as unreachable (first: \(names(originsStrandedOnIslands)))")
        }
        if !destinationsMovedOffIslands.isEmpty || !destinationsStrandedOnIslands.isEmpty {
            warnings.append(
                "\(destinationsMovedOffIslands.count + destinationsStrandedOnIslands.count) destinations lie nearest to a road island (\(rule)); "
                    + "\(destinationsMovedOffIslands.count) snap to the connected network instead, \(destinationsStrandedOnIslands.count) are left out")
        }
        let summary = islands.leftOutComponents == 0 ? nil
            : "road islands: \(islands.leftOutComponents) components under \(islands.minimumNodes) nodes left out "
                + "(\(islands.leftOutNodes) nodes, \(islands.leftOutSegments) segments); points snap to \(islands.keptComponents) "
                + "component\(islands.keptComponents == 1 ? "" : "s") with \(islands.keptNodes) nodes"
        return (warnings, summary)
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
///
/// Points snap only to segments in strongly connected components of at least
/// `minComponentNodes` nodes (see `RoadComponents`): R5 prunes islands below 40 vertices and
/// OSRM calls components below 1000 nodes tiny; 200 nodes here count shape points too, which
/// keeps a clipped ring road or a housing estate's loop while dropping parking aisles and
/// private drives. A point whose nearest road is on an island snaps to the nearest kept one.
public struct NearestFacility: Sendable {
    public var maxSnap: Double
    public var accessSpeed: Double
    public var minComponentNodes: Int

    public init(maxSnap: Double = 1000, accessSpeed: Double = 5, minComponentNodes: Int = 200) {
        self.maxSnap = maxSnap
        self.accessSpeed = accessSpeed
        self.minComponentNodes = minComponentNodes
    }

    /// `index` and `snappable` may be passed when they are known already; `snappable` is then
    /// the island rule applied with `minComponentNodes`.
    public func run(
        graph: RoadGraph, index: SegmentIndex? = nil, snappable: SnappableSegments? = nil,
        origins: [Coordinate], destinations: [Coordinate]
    ) throws -> NearestFacilityResult {
        guard accessSpeed > 0 else { throw AtlasError("the access speed must be positive, got \(accessSpeed)") }
        var clock = StageClock()
        // The index and the components are independent: each takes a core. A step done
        // alongside another is timed as the wall time it adds beyond that one.
        let minimumNodes = minComponentNodes, givenIndex = index, givenSnappable = snappable
        let ((index, indexSeconds), snappable) = concurrently(
            { timed { givenIndex ?? SegmentIndex(graph) } },
            { givenSnappable ?? RoadComponents(graph).snappable(graph, minimumNodes: minimumNodes) })
        clock.lap("segment index", "components (alongside)", firstSeconds: indexSeconds)
        let walkSecondsPerMetre = 3.6 / accessSpeed

        let (snapped, destinationsMoved, destinationsStranded) = index.nearest(to: destinations, in: graph, maxDistance: maxSnap, snappable: snappable)
        var destinationSnaps = snapped
        let stranded = Set(destinationsStranded)
        let unsnappedDestinations = destinationSnaps.indices.filter { destinationSnaps[$0] == nil && !stranded.contains($0) }
        guard unsnappedDestinations.count + stranded.count < destinations.count else {
            let islands = destinationsStranded.isEmpty ? "" : " (\(destinationsStranded.count) lie by road islands under \(minComponentNodes) nodes only)"
            throw AtlasError("no destination lies within \(maxSnap) m of the road network\(islands)")
        }

        // Where the search starts, in destination order: seeding in this order is seeding one
        // by one.
        var seeds: [(node: Int32, seconds: Double, destination: Int32)] = []
        // Destinations on each segment, for origins reached along their own segment.
        var onSegment: [Int32: [(destination: Int32, fraction: Double, walk: Double)]] = [:]
        for (d, snap) in destinationSnaps.enumerated() {
            guard let snap else { continue }
            let s = Int(snap.segment)
            let walk = snap.distance * walkSecondsPerMetre
            onSegment[snap.segment, default: []].append((Int32(d), snap.fraction, walk))
            if graph.forwardSeconds[s].isFinite {
                seeds.append((graph.segmentStart[s], walk + graph.forwardSeconds[s] * snap.fraction, Int32(d)))
            }
            if graph.backwardSeconds[s].isFinite {
                seeds.append((graph.segmentEnd[s], walk + graph.backwardSeconds[s] * (1 - snap.fraction), Int32(d)))
            }
        }
        destinationSnaps.removeAll()
        clock.lap("snapping destinations")
        // The search takes one core; the origins snap on the others (and on its core after it).
        let ((search, searchSeconds), (originSnaps, originsMoved, originsStranded)) = concurrently(
            { [seeds] in
                timed {
                    var search = MultiSourceSearch(graph)
                    for seed in seeds { search.seed(node: seed.node, seconds: seed.seconds, destination: seed.destination) }
                    search.run(graph)
                    return search
                }
            },
            { [maxSnap] in index.nearest(to: origins, in: graph, maxDistance: maxSnap, snappable: snappable) })
        clock.lap("search", "snapping origins (alongside)", firstSeconds: searchSeconds)
        let times = OriginTimes(graph: graph, search: search, onSegment: onSegment, walkSecondsPerMetre: walkSecondsPerMetre)
        let best = concurrentMap(Array(origins.indices), placeholder: (seconds: Double.infinity, destination: Int32(-1))) { o in
            guard let snap = originSnaps[o] else { return (.infinity, -1) }
            return times.nearest(snap)
        }
        let seconds = best.map(\.seconds), nearest = best.map(\.destination)
        let snapMetres = originSnaps.map { $0?.distance ?? .infinity }
        let strandedOrigins = Set(originsStranded)
        let unsnappedOrigins = originSnaps.indices.filter { originSnaps[$0] == nil && !strandedOrigins.contains($0) }
        clock.lap("origin times")
        return NearestFacilityResult(
            seconds: seconds, nearest: nearest,
            unsnappedOrigins: unsnappedOrigins, unsnappedDestinations: unsnappedDestinations,
            originSnapMetres: snapMetres,
            originsMovedOffIslands: originsMoved, destinationsMovedOffIslands: destinationsMoved,
            originsStrandedOnIslands: originsStranded, destinationsStrandedOnIslands: destinationsStranded,
            islands: snappable.islands, stageSeconds: clock.laps, networkStageSeconds: graph.stageSeconds)
    }
}

/// An origin's time to its nearest destination once the search has run: the best of the
/// two ends of the segment it snapped to, in the directions the segment may be travelled,
/// and of the destinations on that same segment. Ties go to the lower destination index.
struct OriginTimes: Sendable {
    let graph: RoadGraph
    let search: MultiSourceSearch
    /// Destinations on each segment, for origins reached along their own segment.
    let onSegment: [Int32: [(destination: Int32, fraction: Double, walk: Double)]]
    let walkSecondsPerMetre: Double

    func nearest(_ snap: NetworkSnap) -> (seconds: Double, destination: Int32) {
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
        let atEnd = search.label(Int(graph.segmentEnd[s])), atStart = search.label(Int(graph.segmentStart[s]))
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
        return (best, bestDestination)
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

    /// A lap of two steps run side by side: the first with its own `firstSeconds`, the
    /// second with the wall time it took beyond the first (0 when it finished sooner).
    mutating func lap(_ first: String, _ second: String, firstSeconds: Double) {
        let now = DispatchTime.now().uptimeNanoseconds
        let wall = Double(now - last) / 1e9
        laps.append((first, min(firstSeconds, wall)))
        laps.append((second, max(0, wall - firstSeconds)))
        last = now
    }
}

/// `body()` and the wall seconds it took.
func timed<T>(_ body: () -> T) -> (T, Double) {
    let started = DispatchTime.now().uptimeNanoseconds
    let value = body()
    return (value, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
}

/// Dijkstra from many sources over the reversed graph with lazy deletion. Labels are
/// (seconds, source) compared lexicographically, and nodes are settled in (seconds, source,
/// node) order, which makes ties deterministic.
///
/// The result does not depend on how the nodes are numbered: a node's label is the least
/// (seconds, source) over the settled labels of the nodes it is reached from (plus its own
/// seeds), and nodes that tie on (seconds, source) change nothing for one another whichever is
/// settled first, so node numbers only decide an order nothing depends on. Renumbering the
/// graph (`NodeOrder.spatial`) therefore gives the same times and sources, faster.
struct MultiSourceSearch: Sendable {
    struct Label: Sendable {
        var seconds: Double
        var source: Int32

        @inline(__always) func improved(by t: Double, from s: Int32) -> Bool {
            t < seconds || (t == seconds && s < source)
        }
    }

    /// Each node's label and where its arcs start share 16 bytes (the label's padding), so
    /// settling a node costs one cache miss before its arcs, not two; one more entry holds
    /// where the last node's arcs end.
    private struct NodeState {
        var label: Label
        var firstArc: Int32
    }

    private var nodes: [NodeState]
    private var queue: BucketQueue

    init(_ graph: RoadGraph) {
        nodes = graph.incomingOffsets.map { NodeState(label: Label(seconds: .infinity, source: -1), firstArc: $0) }
        queue = BucketQueue(for: graph)
    }

    /// The time from `node` to its nearest source and which source that is (-1 for none).
    @inline(__always) func label(_ node: Int) -> Label { nodes[node].label }

    /// Starts `destination` at `node` after `t` seconds; `t` must be finite and ≥ 0.
    mutating func seed(node: Int32, seconds t: Double, destination: Int32) {
        guard t >= 0, t.isFinite, destination >= 0, nodes[Int(node)].label.improved(by: t, from: destination) else { return }
        nodes[Int(node)].label = Label(seconds: t, source: destination)
        queue.push(BucketQueue.Entry(seconds: t, source: destination, node: node))
    }

    /// Settles every node reachable from the seeds; a search runs once.
    mutating func run(_ graph: RoadGraph) {
        // The queue leaves `self` for the loop (an empty one takes its place), so that it and
        // the node buffer are separate variables and neither is copied on write.
        var queue = self.queue
        self.queue = BucketQueue(width: 1, span: 0)
        nodes.withUnsafeMutableBufferPointer { node in
            graph.incomingArcs.withUnsafeBufferPointer { arcs in
                func isStale(_ e: BucketQueue.Entry) -> Bool {
                    let l = node[Int(e.node)].label
                    return e.seconds != l.seconds || e.source != l.source
                }
                while let entry = queue.pop(dropping: isStale) {
                    let w = Int(entry.node)
                    guard !isStale(entry) else { continue }
                    let seconds = entry.seconds, source = entry.source
                    for arc in arcs[Int(node[w].firstArc)..<Int(node[w + 1].firstArc)] {
                        let v = Int(arc.source)
                        // Arc costs are finite and ≥ 0, so t ≥ seconds: the queue's promise holds.
                        let t = seconds + arc.seconds
                        if node[v].label.improved(by: t, from: source) {
                            node[v].label = Label(seconds: t, source: source)
                            queue.push(BucketQueue.Entry(seconds: t, source: source, node: Int32(v)))
                        }
                    }
                }
            }
        }
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
///
/// It needs no bucket width and costs nothing to make, which suits the many small bounded
/// searches of `WalkLinks`; a search over a whole graph uses `BucketQueue`.
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
