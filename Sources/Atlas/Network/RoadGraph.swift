/// Road segments as parallel arrays, the input a `RoadGraph` is built from: each segment
/// joins two nodes along a straight line and has a speed (km/h) in each direction, 0 where
/// that direction is closed.
public struct RoadSegmentList: Sendable {
    public var start: [Int32] = []
    public var end: [Int32] = []
    public var forwardSpeed: [Float] = []
    public var backwardSpeed: [Float] = []

    public init() {}

    public var count: Int { start.count }

    public mutating func reserveCapacity(_ n: Int) {
        start.reserveCapacity(n)
        end.reserveCapacity(n)
        forwardSpeed.reserveCapacity(n)
        backwardSpeed.reserveCapacity(n)
    }

    public mutating func append(from a: Int32, to b: Int32, forwardSpeed f: Double, backwardSpeed r: Double) {
        start.append(a)
        end.append(b)
        forwardSpeed.append(Float(f))
        backwardSpeed.append(Float(r))
    }
}

/// A road network in a metric CRS, built once and then queried many times.
///
/// Nodes are coordinates in parallel `x`/`y` arrays. Every straight segment of every road is
/// one edge with a travel time in each direction (`.infinity` where closed), so snapping to a
/// segment is snapping to an edge. The reverse adjacency is kept in compressed sparse row
/// form: the arcs arriving at node `w` are `incomingArcs[incomingOffsets[w] ..< incomingOffsets[w + 1]]`,
/// which is what a search from the destinations needs; each arc holds its tail and its
/// seconds together so that following it costs one memory access, not two.
///
/// Built with `NodeOrder.spatial`, node `i` is not coordinate `i` of the input but the `i`-th
/// along a Hilbert curve; segments keep their order either way.
public struct RoadGraph: Sendable {
    public let crs: CRS?
    public let x: [Double]
    public let y: [Double]
    public let segmentStart: [Int32]
    public let segmentEnd: [Int32]
    /// Travel time along the segment from start to end, and back, in seconds.
    public let forwardSeconds: [Double]
    public let backwardSeconds: [Double]
    public let incomingOffsets: [Int32]
    public let incomingArcs: [IncomingArc]

    /// An arc arriving at a node: where it comes from and how long it takes.
    public struct IncomingArc: Sendable, Equatable {
        public var source: Int32
        public var seconds: Double
    }

    /// Wall time of each step of making the graph (reading, projecting, building), for
    /// `--timings`; empty unless the maker records them.
    public var stageSeconds: [(stage: String, seconds: Double)] = []

    public var nodeCount: Int { x.count }
    public var segmentCount: Int { segmentStart.count }

    /// Builds the graph, numbering the nodes in `order`; segments closed in both directions
    /// are dropped.
    public init(crs: CRS?, x: [Double], y: [Double], segments: RoadSegmentList, order: NodeOrder = .asGiven) throws {
        guard x.count == y.count else { throw AtlasError("road graph: \(x.count) x values but \(y.count) y values") }
        guard x.count < Int(Int32.max) else { throw AtlasError("road graph: too many nodes (\(x.count))") }
        self.crs = crs
        // A segment's length does not depend on how the nodes are numbered: the seconds of the
        // segments are worked out on one core while the Hilbert ranks are on the other.
        let (rank, seconds) = concurrently(
            { order == .spatial ? HilbertCurve.ranks(x: x, y: y) : nil },
            { Self.seconds(segments, x: x, y: y) })
        if let rank {
            var sortedX = [Double](repeating: 0, count: x.count), sortedY = sortedX
            for i in x.indices {
                sortedX[Int(rank[i])] = x[i]
                sortedY[Int(rank[i])] = y[i]
            }
            self.x = sortedX
            self.y = sortedY
        } else {
            self.x = x
            self.y = y
        }
        let x = self.x
        var start: [Int32] = [], end: [Int32] = []
        start.reserveCapacity(segments.count)
        end.reserveCapacity(segments.count)
        var arcCount = 0
        var incomingCount = [Int32](repeating: 0, count: x.count + 1)
        for i in 0..<segments.count {
            var a = segments.start[i], b = segments.end[i]
            guard a >= 0, b >= 0, Int(a) < x.count, Int(b) < x.count else {
                throw AtlasError("road graph: segment \(i + 1) refers to a node that does not exist")
            }
            if let rank {
                a = rank[Int(a)]
                b = rank[Int(b)]
            }
            let f = seconds.forward[i], r = seconds.backward[i]
            guard f.isFinite || r.isFinite else { continue }
            start.append(a)
            end.append(b)
            if f.isFinite { incomingCount[Int(b)] += 1; arcCount += 1 }
            if r.isFinite { incomingCount[Int(a)] += 1; arcCount += 1 }
        }
        guard arcCount < Int(Int32.max) else { throw AtlasError("road graph: too many edges (\(arcCount))") }
        // Mostly every segment is open in some direction, and the seconds are kept as they are.
        var forward = seconds.forward, backward = seconds.backward
        if start.count < segments.count {
            let open = forward.indices.filter { forward[$0].isFinite || backward[$0].isFinite }
            forward = open.map { seconds.forward[$0] }
            backward = open.map { seconds.backward[$0] }
        }
        var offsets = [Int32](repeating: 0, count: x.count + 1)
        for v in 0..<x.count { offsets[v + 1] = offsets[v] + incomingCount[v] }
        var fill = Array(offsets.dropLast())
        var arcs = [IncomingArc](repeating: IncomingArc(source: 0, seconds: 0), count: arcCount)
        for i in 0..<start.count {
            if forward[i].isFinite {
                let slot = Int(fill[Int(end[i])]); fill[Int(end[i])] += 1
                arcs[slot] = IncomingArc(source: start[i], seconds: forward[i])
            }
            if backward[i].isFinite {
                let slot = Int(fill[Int(start[i])]); fill[Int(start[i])] += 1
                arcs[slot] = IncomingArc(source: end[i], seconds: backward[i])
            }
        }
        segmentStart = start
        segmentEnd = end
        forwardSeconds = forward
        backwardSeconds = backward
        incomingOffsets = offsets
        incomingArcs = arcs
    }

    /// Each segment's seconds along it and back at its speeds, `.infinity` where closed; a
    /// segment whose ends are not both among the nodes gets NaN (the builder refuses it).
    static func seconds(_ segments: RoadSegmentList, x: [Double], y: [Double]) -> (forward: [Double], backward: [Double]) {
        var forward = [Double](repeating: .nan, count: segments.count), backward = forward
        for i in 0..<segments.count {
            let a = Int(segments.start[i]), b = Int(segments.end[i])
            guard a >= 0, b >= 0, a < x.count, b < x.count else { continue }
            let length = ((x[b] - x[a]) * (x[b] - x[a]) + (y[b] - y[a]) * (y[b] - y[a])).squareRoot()
            forward[i] = seconds(length, Double(segments.forwardSpeed[i]))
            backward[i] = seconds(length, Double(segments.backwardSpeed[i]))
        }
        return (forward, backward)
    }

    static func seconds(_ metres: Double, _ kmh: Double) -> Double {
        guard kmh > 0, kmh.isFinite else { return .infinity }
        return metres * 3.6 / kmh
    }

    public func coordinate(_ node: Int) -> Coordinate { Coordinate(x[node], y[node]) }

    public var bounds: Bounds {
        var b = Bounds.empty
        for i in 0..<nodeCount { b.extend(Coordinate(x[i], y[i])) }
        return b
    }
}
