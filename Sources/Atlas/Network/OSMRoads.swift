/// The roads a travel mode may use, read from an OpenStreetMap PBF file: the nodes they pass
/// through (lon/lat) and one segment per consecutive node pair with the mode's speeds.
///
/// Reading takes two passes so that memory holds only routable roads: the first keeps the
/// node references of usable ways (one flat `[Int64]`), the second looks up the coordinates
/// of those nodes only, walking a sorted id list alongside the (normally sorted) node stream.
public struct OSMRoads: Sendable {
    /// OSM node ids, sorted; `coordinates[i]` is node `ids[i]` as lon/lat.
    public var ids: [Int64]
    public var coordinates: [Coordinate]
    public var segments: RoadSegmentList
    /// Ways the profile accepted, and references to nodes missing from the file (clipped extracts).
    public var wayCount: Int
    public var missingNodeCount: Int
    /// Wall time of each step of reading, for `--timings`.
    public var stageSeconds: [(stage: String, seconds: Double)] = []

    public static func read(path: String, mode: TravelMode, diagnostics: Diagnostics? = nil) throws -> OSMRoads {
        var clock = StageClock()
        var file = try OSMPBFFile(path: path)
        file.diagnostics = diagnostics
        let profile = TravelProfile(mode)
        var refs: [Int64] = []
        var wayEnds: [Int] = []
        var forward: [Float] = []
        var backward: [Float] = []
        // Most ways share a handful of tag combinations: decide each combination once.
        var decided: [[String]: WayTraversal?] = [:]
        var consulted: [String] = []
        try file.forEachWay { way in
            guard way.refs.count >= 2 else { return }
            consulted.removeAll(keepingCapacity: true)
            for t in way.tags where TravelProfile.consultedKeys.contains(t.key) {
                consulted.append(t.key)
                consulted.append(t.value)
            }
            let decision: WayTraversal?
            if let known = decided[consulted] {
                decision = known
            } else {
                decision = profile.traversal(way)
                decided[consulted] = decision
            }
            guard let traversal = decision else { return }
            refs.append(contentsOf: way.refs)
            wayEnds.append(refs.count)
            forward.append(Float(traversal.forward ?? 0))
            backward.append(Float(traversal.backward ?? 0))
        }

        clock.lap("ways")
        guard refs.count < Int(Int32.max) else { throw AtlasError(file: path, "the roads refer to more than \(Int32.max) nodes") }
        let (ids, place) = Self.distinctIds(refs)
        clock.lap("node ids")
        var lon = [Double](repeating: .nan, count: ids.count)
        var lat = [Double](repeating: .nan, count: ids.count)
        var cursor = 0
        var previousId = Int64.min
        try file.forEachNode { id, x, y in
            if id < previousId { cursor = ids.lowerBound(id) }
            previousId = id
            // Nodes come sorted in practice: step the cursor, and fall back to a search if not.
            while cursor < ids.count && ids[cursor] < id { cursor += 1 }
            if cursor < ids.count && ids[cursor] == id {
                lon[cursor] = x
                lat[cursor] = y
            }
        }

        clock.lap("nodes")
        // Drop nodes the file does not hold and renumber the rest densely.
        var newIndex = [Int32](repeating: -1, count: ids.count)
        var keptIds: [Int64] = []
        var coordinates: [Coordinate] = []
        for i in 0..<ids.count where !lon[i].isNaN {
            newIndex[i] = Int32(keptIds.count)
            keptIds.append(ids[i])
            coordinates.append(Coordinate(lon[i], lat[i]))
        }
        let missing = ids.count - keptIds.count
        lon = []
        lat = []

        var segments = RoadSegmentList()
        segments.reserveCapacity(refs.count - wayEnds.count)
        var start = 0
        for (w, end) in wayEnds.enumerated() {
            var previous: Int32 = -1
            for k in start..<end {
                let node = newIndex[Int(place[k])]
                if previous >= 0 && node >= 0 && previous != node {
                    segments.append(from: previous, to: node, forwardSpeed: Double(forward[w]), backwardSpeed: Double(backward[w]))
                }
                previous = node
            }
            start = end
        }
        clock.lap("segments")
        return OSMRoads(
            ids: keptIds, coordinates: coordinates, segments: segments, wayCount: wayEnds.count,
            missingNodeCount: missing, stageSeconds: clock.laps)
    }

    /// The graph in `crs`, with `project` turning the lon/lat coordinates into that CRS in place
    /// and the nodes numbered in `order`.
    public func graph(crs: CRS, order: NodeOrder = .spatial, project: (inout [Coordinate]) throws -> Void) throws -> RoadGraph {
        var clock = StageClock()
        var projected = coordinates
        try project(&projected)
        clock.lap("projection")
        var graph = try RoadGraph(crs: crs, x: projected.map(\.x), y: projected.map(\.y), segments: segments, order: order)
        clock.lap("graph")
        graph.stageSeconds = stageSeconds + clock.laps
        return graph
    }
}

extension OSMRoads {
    /// The distinct ids among `refs`, sorted, and the place of each reference among them: one
    /// radix sort of the references with their positions, instead of a sort and then a search
    /// for every reference.
    static func distinctIds(_ refs: [Int64]) -> (ids: [Int64], place: [Int32]) {
        // With the sign bit flipped, signed order is unsigned order (edited files have negative ids).
        let flip: UInt64 = 1 << 63
        var keys = refs.map { UInt64(bitPattern: $0) ^ flip }
        let positions = keys.radixSortReturningPositions()
        var ids: [Int64] = []
        var place = [Int32](repeating: 0, count: refs.count)
        for k in keys.indices {
            if k == 0 || keys[k] != keys[k - 1] { ids.append(Int64(bitPattern: keys[k] ^ flip)) }
            place[Int(positions[k])] = Int32(ids.count - 1)
        }
        return (ids, place)
    }
}

extension Array where Element == Int64 {
    /// The first position whose element is not less than `value`, in a sorted array.
    func lowerBound(_ value: Int64) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
