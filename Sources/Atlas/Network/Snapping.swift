import Foundation

/// Where a point meets the network: a segment, how far along it (0 at its start, 1 at its
/// end) and the straight-line distance from the point, in metres.
public struct NetworkSnap: Equatable, Sendable {
    public var segment: Int32
    public var fraction: Double
    public var distance: Double
}

/// A uniform grid over the graph's segments for nearest-segment queries.
///
/// Each segment is listed in every cell its bounding box touches; the cells are stored as
/// one sorted array (CSR) over a dense grid sized to about one cell per segment, so a
/// national network costs two `Int32` arrays. A query scans rings of cells outwards and stops
/// once the ring is farther than the best segment found or than the snapping limit.
public struct SegmentIndex: Sendable {
    let originX: Double
    let originY: Double
    let cellSize: Double
    let columns: Int
    let rows: Int
    let cellOffsets: [Int32]
    let cellSegments: [Int32]

    public init(_ graph: RoadGraph) {
        var bounds = graph.bounds
        if bounds.isEmpty { bounds = Bounds(minX: 0, minY: 0, maxX: 1, maxY: 1) }
        let count = max(graph.segmentCount, 1)
        // About one cell per segment, never below 10 m, and at most 2^26 cells.
        var size = max(10, ((max(bounds.width, 1) * max(bounds.height, 1)) / Double(count)).squareRoot())
        while (bounds.width / size + 1) * (bounds.height / size + 1) > Double(1 << 26) { size *= 2 }
        cellSize = size
        originX = bounds.minX
        originY = bounds.minY
        let columns = Int(bounds.width / size) + 1
        let rows = Int(bounds.height / size) + 1
        self.columns = columns
        self.rows = rows

        var counts = [Int32](repeating: 0, count: columns * rows + 1)
        func forEachCell(_ s: Int, _ body: (Int) -> Void) {
            let a = Int(graph.segmentStart[s]), b = Int(graph.segmentEnd[s])
            let c0 = Int((min(graph.x[a], graph.x[b]) - bounds.minX) / size)
            let c1 = Int((max(graph.x[a], graph.x[b]) - bounds.minX) / size)
            let r0 = Int((min(graph.y[a], graph.y[b]) - bounds.minY) / size)
            let r1 = Int((max(graph.y[a], graph.y[b]) - bounds.minY) / size)
            for r in r0...r1 { for c in c0...c1 { body(r * columns + c) } }
        }
        for s in 0..<graph.segmentCount { forEachCell(s) { counts[$0 + 1] += 1 } }
        for i in 0..<columns * rows { counts[i + 1] += counts[i] }
        var fill = Array(counts.dropLast())
        var entries = [Int32](repeating: 0, count: Int(counts[columns * rows]))
        for s in 0..<graph.segmentCount {
            forEachCell(s) { cell in
                entries[Int(fill[cell])] = Int32(s)
                fill[cell] += 1
            }
        }
        cellOffsets = counts
        cellSegments = entries
    }

    /// The nearest point on any segment within `maxDistance` metres, among the segments
    /// flagged in `allowed` when it is given; ties go to the lower segment index so that
    /// results never depend on scan order.
    public func nearest(to p: Coordinate, in graph: RoadGraph, maxDistance: Double, allowed: [Bool]? = nil) -> NetworkSnap? {
        // Farther than maxDistance from the grid means no segment is in reach (and keeps
        // the cell numbers below from overflowing for wild coordinates).
        let spanX = Double(columns) * cellSize, spanY = Double(rows) * cellSize
        guard p.x >= originX - maxDistance, p.x <= originX + spanX + maxDistance,
            p.y >= originY - maxDistance, p.y <= originY + spanY + maxDistance
        else { return nil }
        let column = Int(((p.x - originX) / cellSize).rounded(.down))
        let row = Int(((p.y - originY) / cellSize).rounded(.down))
        var best: NetworkSnap?
        // Distance from p to the edge of its own cell, so ring r is at least this + (r-1)·size away.
        let inCellX = p.x - originX - Double(column) * cellSize
        let inCellY = p.y - originY - Double(row) * cellSize
        let margin = max(0, min(inCellX, inCellY, cellSize - inCellX, cellSize - inCellY))
        var ring = 0
        while true {
            let ringDistance = ring == 0 ? 0 : margin + Double(ring - 1) * cellSize
            if ringDistance > maxDistance { break }
            if let b = best, b.distance < ringDistance { break }
            for r in (row - ring)...(row + ring) where r >= 0 && r < rows {
                let edgeRow = r == row - ring || r == row + ring
                var c = column - ring
                while c <= column + ring {
                    if c >= 0 && c < columns {
                        let cell = r * columns + c
                        for k in Int(cellOffsets[cell])..<Int(cellOffsets[cell + 1]) {
                            let s = cellSegments[k]
                            if let allowed, !allowed[Int(s)] { continue }
                            let candidate = Self.project(p, onto: s, graph)
                            if candidate.distance <= maxDistance,
                                best == nil || candidate.distance < best!.distance
                                    || (candidate.distance == best!.distance && s < best!.segment)
                            {
                                best = candidate
                            }
                        }
                    }
                    c += edgeRow ? 1 : max(1, 2 * ring)
                }
            }
            if column - ring < 0 && column + ring >= columns && row - ring < 0 && row + ring >= rows { break }
            ring += 1
        }
        return best
    }

    /// `nearest(to:in:maxDistance:allowed:)` for many points, on all cores. Points are visited in
    /// the order of the grid cell they fall in, so neighbouring queries share cached cells
    /// and segments; each answer depends on its point alone, so the result is the same as
    /// one query after another.
    public func nearest(to points: [Coordinate], in graph: RoadGraph, maxDistance: Double, allowed: [Bool]? = nil) -> [NetworkSnap?] {
        concurrentMap(cellOrder(points), placeholder: nil) { i in
            nearest(to: points[i], in: graph, maxDistance: maxDistance, allowed: allowed)
        }
    }

    /// The nearest segment of each point, where a point whose nearest segment is not
    /// snappable (on a road island) tries again among the snappable ones, and is listed as
    /// moved or, finding none within `maxDistance`, as stranded (its snap nil).
    public func nearest(
        to points: [Coordinate], in graph: RoadGraph, maxDistance: Double, snappable: SnappableSegments
    ) -> (snaps: [NetworkSnap?], moved: [Int], stranded: [Int]) {
        var snaps = nearest(to: points, in: graph, maxDistance: maxDistance)
        guard !snappable.all else { return (snaps, [], []) }
        let onIsland = snaps.indices.filter { snaps[$0].map { !snappable.eligible[Int($0.segment)] } ?? false }
        guard !onIsland.isEmpty else { return (snaps, [], []) }
        let again = nearest(to: onIsland.map { points[$0] }, in: graph, maxDistance: maxDistance, allowed: snappable.eligible)
        for (k, i) in onIsland.enumerated() { snaps[i] = again[k] }
        return (snaps, onIsland.filter { snaps[$0] != nil }, onIsland.filter { snaps[$0] == nil })
    }

    /// The indices of `points` by the grid cell they fall in (points off the grid in the
    /// nearest cell), then by index.
    func cellOrder(_ points: [Coordinate]) -> [Int] {
        guard !points.isEmpty else { return [] }
        // Cell number in the high 32 bits, point index in the low ones: one integer sort.
        var keyed = points.enumerated().map { i, p -> UInt64 in
            func clamped(_ v: Double, _ count: Int) -> Int {
                v >= 0 ? Int(min(v, Double(count - 1))) : 0  // NaN goes to 0 too
            }
            let c = clamped(((p.x - originX) / cellSize).rounded(.down), columns)
            let r = clamped(((p.y - originY) / cellSize).rounded(.down), rows)
            return UInt64(r * columns + c) << 32 | UInt64(i)
        }
        keyed.radixSort(fromBit: 32)
        return keyed.map { Int($0 & 0xFFFF_FFFF) }
    }

    static func project(_ p: Coordinate, onto s: Int32, _ graph: RoadGraph) -> NetworkSnap {
        let a = Int(graph.segmentStart[Int(s)]), b = Int(graph.segmentEnd[Int(s)])
        let ax = graph.x[a], ay = graph.y[a]
        let dx = graph.x[b] - ax, dy = graph.y[b] - ay
        let lengthSquared = dx * dx + dy * dy
        var t = lengthSquared > 0 ? ((p.x - ax) * dx + (p.y - ay) * dy) / lengthSquared : 0
        t = min(1, max(0, t))
        let qx = ax + t * dx - p.x, qy = ay + t * dy - p.y
        return NetworkSnap(segment: s, fraction: t, distance: (qx * qx + qy * qy).squareRoot())
    }
}

/// `body(i)` for every index `i` in `order` (a permutation of 0..<order.count), on all cores:
/// the workers take chunks of `order` in turn and each result is stored at its own index, so
/// the array is the same as from one call after another.
func concurrentMap<T>(_ order: [Int], placeholder: T, chunk: Int = 4096, _ body: @Sendable (Int) -> T) -> [T] {
    let count = order.count
    guard count > 0 else { return [] }
    let results = Slots(count, placeholder)
    let chunks = (count + chunk - 1) / chunk
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, chunks))
    let next = ChunkCounter()
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while let k = next.take(below: chunks) {
            for position in k * chunk..<min((k + 1) * chunk, count) {
                let i = order[position]
                results.set(i, body(i))
            }
        }
    }
    return results.values()
}

/// `first()` and `second()` at the same time, on two cores when there are two; the results
/// are those of calling one after the other.
func concurrently<A, B>(_ first: @Sendable () -> A, _ second: @Sendable () -> B) -> (A, B) {
    let a = Slots<A?>(1, nil), b = Slots<B?>(1, nil)
    DispatchQueue.concurrentPerform(iterations: 2) { k in
        if k == 0 { a.set(0, first()) } else { b.set(0, second()) }
    }
    return (a.values()[0]!, b.values()[0]!)
}

/// Results written by several workers, each to its own indices, into one buffer.
private final class Slots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<T>

    init(_ count: Int, _ placeholder: T) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: placeholder)
    }

    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }

    /// Safe without a lock: no two workers ever write the same index.
    func set(_ i: Int, _ value: T) { buffer[i] = value }

    func values() -> [T] { Array(buffer) }
}

/// Hands out chunk numbers 0, 1, 2 … to workers.
private final class ChunkCounter: @unchecked Sendable {
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
