import Foundation

/// Walking times over a walk network from many points to nearby sources, up to a limit: one
/// bounded search per source (a stop) gives every point (stops and origins) within reach its
/// time to that source.
///
/// Points and sources stand where they snap to the network; the straight line off the network
/// is walked too, and a point on the same segment as the source walks along it directly, as in
/// `NearestFacility`. Walking networks are travelled both ways at the same speed, so the time
/// from a point to a source is also the time back.
struct WalkLinks {
    /// Per source: the points within the limit and their seconds, by increasing point index.
    var links: [[(point: Int32, seconds: Double)]]

    /// - Parameters:
    ///   - sources: indices into `points` of the points searched from.
    ///   - secondsPerMetre: walking pace off the network.
    static func compute(
        graph: RoadGraph, points: [NetworkSnap?], sources: [Int], limit: Double, secondsPerMetre: Double
    ) -> WalkLinks {
        let attachments = Attachments(graph: graph, points: points, secondsPerMetre: secondsPerMetre)
        let results = LinkSlots(sources.count)
        let chunk = 64
        let chunks = (sources.count + chunk - 1) / chunk
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, chunks))
        let next = ChunkTicket()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var search = BoundedSearch(nodeCount: graph.nodeCount, pointCount: points.count)
            while let c = next.take(below: chunks) {
                for k in c * chunk..<min((c + 1) * chunk, sources.count) {
                    guard let snap = points[sources[k]] else { continue }
                    results.set(k, search.run(from: snap, graph: graph, attachments: attachments, limit: limit, secondsPerMetre: secondsPerMetre))
                }
            }
        }
        return WalkLinks(links: results.values())
    }

    /// The points each node leads to directly: a point on segment (a, b) is reached from b
    /// walking back along the segment, and from a walking forward.
    struct Attachments {
        let offsets: [Int32]
        let point: [Int32]
        let extra: [Double]
        /// Points by segment, for a source on the same segment.
        let onSegment: [Int32: [Int32]]
        let snaps: [NetworkSnap?]

        init(graph: RoadGraph, points: [NetworkSnap?], secondsPerMetre: Double) {
            var counts = [Int32](repeating: 0, count: graph.nodeCount + 1)
            var onSegment: [Int32: [Int32]] = [:]
            for (i, snap) in points.enumerated() {
                guard let snap else { continue }
                let s = Int(snap.segment)
                if graph.forwardSeconds[s].isFinite { counts[Int(graph.segmentEnd[s]) + 1] += 1 }
                if graph.backwardSeconds[s].isFinite { counts[Int(graph.segmentStart[s]) + 1] += 1 }
                onSegment[snap.segment, default: []].append(Int32(i))
            }
            for v in 0..<graph.nodeCount { counts[v + 1] += counts[v] }
            var fill = Array(counts.dropLast())
            var point = [Int32](repeating: 0, count: Int(counts[graph.nodeCount]))
            var extra = [Double](repeating: 0, count: point.count)
            for (i, snap) in points.enumerated() {
                guard let snap else { continue }
                let s = Int(snap.segment)
                let off = snap.distance * secondsPerMetre
                // From the point to the segment's end going forward, or to its start going back.
                if graph.forwardSeconds[s].isFinite {
                    let node = Int(graph.segmentEnd[s])
                    point[Int(fill[node])] = Int32(i)
                    extra[Int(fill[node])] = off + graph.forwardSeconds[s] * (1 - snap.fraction)
                    fill[node] += 1
                }
                if graph.backwardSeconds[s].isFinite {
                    let node = Int(graph.segmentStart[s])
                    point[Int(fill[node])] = Int32(i)
                    extra[Int(fill[node])] = off + graph.backwardSeconds[s] * snap.fraction
                    fill[node] += 1
                }
            }
            offsets = counts
            self.point = point
            self.extra = extra
            self.onSegment = onSegment
            snaps = points
        }
    }

    /// Dijkstra from one source over the reversed graph, stopping at the limit; its arrays are
    /// reused from source to source and reset through the lists of what was touched.
    struct BoundedSearch {
        var labels: [Double]
        var touchedNodes: [Int32] = []
        var best: [Double]
        var touchedPoints: [Int32] = []
        var queue = RadixQueue()

        init(nodeCount: Int, pointCount: Int) {
            labels = [Double](repeating: .infinity, count: nodeCount)
            best = [Double](repeating: .infinity, count: pointCount)
        }

        mutating func run(
            from source: NetworkSnap, graph: RoadGraph, attachments: Attachments, limit: Double, secondsPerMetre: Double
        ) -> [(point: Int32, seconds: Double)] {
            // A radix queue hands out keys in order only above the last one it handed out: a
            // search starts with a fresh one.
            queue = RadixQueue()
            let s = Int(source.segment)
            let off = source.distance * secondsPerMetre
            // The source is reached from the segment's start going forward, from its end going back.
            if graph.forwardSeconds[s].isFinite { seed(graph.segmentStart[s], off + graph.forwardSeconds[s] * source.fraction, limit) }
            if graph.backwardSeconds[s].isFinite { seed(graph.segmentEnd[s], off + graph.backwardSeconds[s] * (1 - source.fraction), limit) }
            for p in attachments.onSegment[source.segment] ?? [] {
                let snap = attachments.snaps[Int(p)]!
                let along =
                    snap.fraction <= source.fraction
                    ? graph.forwardSeconds[s] * (source.fraction - snap.fraction)
                    : graph.backwardSeconds[s] * (snap.fraction - source.fraction)
                reach(p, off + along + snap.distance * secondsPerMetre, limit)
            }
            graph.incomingArcs.withUnsafeBufferPointer { arcs in
                while let entry = queue.pop() {
                    let w = Int(entry.node)
                    guard entry.seconds == labels[w] else { continue }
                    for a in Int(attachments.offsets[w])..<Int(attachments.offsets[w + 1]) {
                        reach(attachments.point[a], entry.seconds + attachments.extra[a], limit)
                    }
                    for arc in arcs[Int(graph.incomingOffsets[w])..<Int(graph.incomingOffsets[w + 1])] {
                        let t = entry.seconds + arc.seconds
                        let v = Int(arc.source)
                        if t <= limit && t < labels[v] {
                            if labels[v] == .infinity { touchedNodes.append(arc.source) }
                            labels[v] = t
                            queue.push(QueueEntry(seconds: t, source: 0, node: arc.source))
                        }
                    }
                }
            }
            touchedPoints.sort()
            let found = touchedPoints.map { (point: $0, seconds: best[Int($0)]) }
            for p in touchedPoints { best[Int(p)] = .infinity }
            for v in touchedNodes { labels[Int(v)] = .infinity }
            touchedPoints.removeAll(keepingCapacity: true)
            touchedNodes.removeAll(keepingCapacity: true)
            return found
        }

        private mutating func seed(_ node: Int32, _ t: Double, _ limit: Double) {
            guard t <= limit, t < labels[Int(node)] else { return }
            if labels[Int(node)] == .infinity { touchedNodes.append(node) }
            labels[Int(node)] = t
            queue.push(QueueEntry(seconds: t, source: 0, node: node))
        }

        @inline(__always) private mutating func reach(_ p: Int32, _ t: Double, _ limit: Double) {
            guard t <= limit, t < best[Int(p)] else { return }
            if best[Int(p)] == .infinity { touchedPoints.append(p) }
            best[Int(p)] = t
        }
    }
}

/// Link lists written by several workers, each to its own indices.
private final class LinkSlots: @unchecked Sendable {
    private var slots: [[(point: Int32, seconds: Double)]]
    private let lock = NSLock()

    init(_ count: Int) { slots = Array(repeating: [], count: count) }

    func set(_ i: Int, _ links: [(point: Int32, seconds: Double)]) {
        lock.lock()
        slots[i] = links
        lock.unlock()
    }

    func values() -> [[(point: Int32, seconds: Double)]] { slots }
}

/// Hands out chunk numbers 0, 1, 2 … to workers.
final class ChunkTicket: @unchecked Sendable {
    private var next = 0
    private let lock = NSLock()

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}
