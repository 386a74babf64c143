/// The roads a travel mode may use, read from an OpenStreetMap PBF file: the nodes they pass
/// through (lon/lat) and one segment per consecutive node pair with the mode's speeds.
///
/// Reading takes two passes so that memory holds only routable roads: the first keeps the
/// node references of usable ways (one flat `[Int64]`), the second looks up the coordinates
/// of those nodes only, walking a sorted id list alongside the (normally sorted) node stream.
/// Each pass decodes the file's blocks on all cores.
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
        // The blocks are decoded on all cores, each into its usable ways; then joined in file order.
        let wayBlocks = try file.mapWayBlocks(UsableWays(profile: profile)) { $0.add($1) }
        var refs: [Int64] = []
        var wayEnds: [Int] = []
        var forward: [Float] = []
        var backward: [Float] = []
        refs.reserveCapacity(wayBlocks.reduce(0) { $0 + $1.refs.count })
        for block in wayBlocks {
            wayEnds += block.ends.map { $0 + refs.count }
            refs += block.refs
            forward += block.forward
            backward += block.backward
        }

        clock.lap("ways")
        guard refs.count < Int(Int32.max) else { throw AtlasError(file: path, "the roads refer to more than \(Int32.max) nodes") }
        let (ids, place) = Self.distinctIds(refs)
        clock.lap("node ids")
        var lon = [Double](repeating: .nan, count: ids.count)
        var lat = [Double](repeating: .nan, count: ids.count)
        let found = try file.mapNodeBlocks(NodesFound(among: ids)) { $0.add(id: $1, lon: $2, lat: $3) }
        // In file order, so that a node given twice takes its last position, as one pass would.
        for block in found {
            for (k, i) in block.places.enumerated() {
                lon[Int(i)] = block.lon[k]
                lat[Int(i)] = block.lat[k]
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

/// The ways of one block that the profile lets its mode use: their node references one after
/// another, where each way's references end, and its speeds.
struct UsableWays: Sendable {
    let profile: TravelProfile
    var refs: [Int64] = []
    var ends: [Int] = []
    var forward: [Float] = []
    var backward: [Float] = []
    /// Most ways share a handful of tag combinations: each combination is decided once.
    private var decided: [[String]: WayTraversal?] = [:]
    private var consulted: [String] = []

    init(profile: TravelProfile) { self.profile = profile }

    mutating func add(_ way: OSMWay) {
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
        ends.append(refs.count)
        forward.append(Float(traversal.forward ?? 0))
        backward.append(Float(traversal.backward ?? 0))
    }
}

/// The nodes of one block that roads use: each one's place among the sorted ids roads refer
/// to, and its position.
struct NodesFound: Sendable {
    let ids: [Int64]
    var places: [Int32] = []
    var lon: [Double] = []
    var lat: [Double] = []
    /// The place of the last node's id among `ids` (where it is or would be), nil before the first.
    private var cursor: Int?
    private var previousId = Int64.min

    init(among ids: [Int64]) { self.ids = ids }

    mutating func add(id: Int64, lon x: Double, lat y: Double) {
        var at = cursor ?? ids.lowerBound(id)
        if id < previousId { at = ids.lowerBound(id) }
        previousId = id
        // Nodes come sorted in practice: step the cursor, and fall back to a search if not.
        while at < ids.count && ids[at] < id { at += 1 }
        cursor = at
        if at < ids.count && ids[at] == id {
            places.append(Int32(at))
            lon.append(x)
            lat.append(y)
        }
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
