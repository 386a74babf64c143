import Testing

@testable import Atlas

@Suite("Nodes numbered along a Hilbert curve give the same times as the given numbering")
struct SpatialOrderTests {
    @Test func theCurveVisitsNeighbouringCellsInTurn() {
        // The curve goes through the quadrants of the grid lower left, upper left, upper
        // right, lower right, and through its first 2 × 2 block (0,0) → (1,0) → (1,1) → (0,1).
        let half = HilbertCurve.side / 2, quarter = UInt32(1 << 30)
        #expect([(0, 0), (0, half), (half, half), (half, 0)].map { HilbertCurve.position($0.0, $0.1) / quarter } == [0, 1, 2, 3])
        #expect([(0, 0), (1, 0), (1, 1), (0, 1)].map { HilbertCurve.position($0.0, $0.1) } == [0, 1, 2, 3])
        // Along a stretch of the curve every step goes to a cell sharing a side.
        var positions: [UInt32: (UInt32, UInt32)] = [:]
        for x in 0..<UInt32(64) { for y in 0..<UInt32(64) { positions[HilbertCurve.position(x, y)] = (x, y) } }
        let visited = (0..<UInt32(64 * 64)).compactMap { positions[$0] }
        #expect(visited.count == 64 * 64)
        for (a, b) in zip(visited, visited.dropFirst()) {
            #expect(abs(Int(a.0) - Int(b.0)) + abs(Int(a.1) - Int(b.1)) == 1)
        }
    }

    @Test func ranksArePermutationsEvenForPointsOffTheMap() {
        let x: [Double] = [5, .nan, 0, 5, .infinity, 0]
        let y: [Double] = [5, 1, 0, 5, 2, 5]
        let ranks = HilbertCurve.ranks(x: x, y: y)
        // Over the square (0, 0)–(5, 5) the curve starts in the lower left quadrant, where
        // (0, 0) lies with the two points that have no position (each in its given order),
        // then goes up to (0, 5) and across to the two points at (5, 5).
        #expect(ranks == [4, 0, 1, 5, 2, 3])
    }

    @Test func radixSortAgreesWithTheStandardSort() {
        var random = MultiSourceSearchTests.Random(state: 3)
        // Small numbers (most passes skipped), full 64-bit ones, and many repeats.
        for spread in [UInt64(1000), .max, 7] {
            let values = (0..<5000).map { _ in random.next() % (spread == .max ? .max : spread) }
            var sorted = values
            sorted.radixSort()
            #expect(sorted == values.sorted())
            var withPositions = values
            let positions = withPositions.radixSortReturningPositions()
            #expect(withPositions == sorted)
            #expect(positions.map { values[Int($0)] } == sorted)
            // Equal values keep their order.
            #expect(zip(positions, positions.dropFirst()).allSatisfy { values[Int($0)] < values[Int($1)] || $0 < $1 })
        }
        // Sorting by the high half alone keeps the order of the low halves among equals.
        func key(_ high: UInt64, _ low: UInt64) -> UInt64 { high << 32 | low }
        var byHigh = [key(3, 9), key(1, 5), key(3, 2), key(1, 7), key(0, 8)]
        byHigh.radixSort(fromBit: 32)
        let expected = [key(0, 8), key(1, 5), key(1, 7), key(3, 9), key(3, 2)]
        #expect(byHigh == expected)
    }

    @Test func distinctNodeIdsAndWhereEachReferenceFallsAmongThem() {
        // Negative ids (as in edited files) come first; repeats share their place.
        let refs: [Int64] = [40, -3, 7, 40, 1 << 40, 7, -3]
        let (ids, place) = OSMRoads.distinctIds(refs)
        #expect(ids == [-3, 7, 40, 1 << 40])
        #expect(place == [2, 0, 1, 2, 3, 1, 0])
    }

    /// The 3 × 3 grid of `NearestFacilityTests.grid` (1000 m blocks, east–west 60 s, north–south
    /// 120 s) with care points on the south-west corner (destination 0) and the north-east one
    /// (destination 1), and an origin on every node.
    static func gridRun(order: NodeOrder) throws -> NearestFacilityResult {
        let grid = try NearestFacilityTests.grid()
        var segments = RoadSegmentList()
        for s in 0..<grid.segmentCount {
            let kmh = grid.forwardSeconds[s] == 60 ? 60.0 : 30.0
            segments.append(from: grid.segmentStart[s], to: grid.segmentEnd[s], forwardSpeed: kmh, backwardSpeed: kmh)
        }
        let graph = try RoadGraph(crs: nil, x: grid.x, y: grid.y, segments: segments, order: order)
        if order == .spatial { #expect(graph.x != grid.x || graph.y != grid.y) }
        let origins = (0..<9).map { (n: Int) -> Coordinate in Coordinate(Double(1000 * (n % 3)), Double(1000 * (n / 3))) }
        return try NearestFacility().run(graph: graph, origins: origins, destinations: [Coordinate(0, 0), Coordinate(2000, 2000)])
    }

    @Test func handSizedGridGivesTheSameTimesAndTiesInBothOrders() throws {
        let given = try Self.gridRun(order: .asGiven)
        let spatial = try Self.gridRun(order: .spatial)
        // Node (i, j) is 60 i + 120 j seconds from (0, 0) and 360 s minus that from (2000, 2000).
        // The centre is 180 s from both and goes to the lower index, destination 0.
        #expect(given.seconds == [0, 60, 120, 120, 180, 120, 120, 60, 0])
        #expect(given.nearest == [0, 0, 0, 0, 0, 1, 1, 1, 1])
        #expect(spatial.seconds == given.seconds)
        #expect(spatial.nearest == given.nearest)
        #expect(spatial.originSnapMetres == given.originSnapMetres)
    }

    /// The Porto Alegre roads for `mode`, read once and built in both orders.
    static func graphs(_ mode: TravelMode) throws -> (given: RoadGraph, spatial: RoadGraph) {
        let roads = try OSMRoads.read(path: PortoAlegreNetworkTests.pbf, mode: mode)
        var extent = Bounds.empty
        for c in roads.coordinates { extent.extend(c) }
        let crs = MetricCRS.choose(forLonLatBounds: extent)
        let transformer = try Session().transformer(from: .wgs84, to: crs)
        return (
            try roads.graph(crs: crs, order: .asGiven) { try transformer.transform(&$0) },
            try roads.graph(crs: crs, order: .spatial) { try transformer.transform(&$0) }
        )
    }

    @Test(arguments: [TravelMode.walk, .car])
    func portoAlegreGivesTheSameCellsInBothOrders(mode: TravelMode) throws {
        let graphs = try Self.graphs(mode)
        let inputs = try PortoAlegreNetworkTests.inputs()
        let given = try HealthcareAccess().run(graph: graphs.given, inputs: inputs, session: try Session())
        let spatial = try HealthcareAccess().run(graph: graphs.spatial, inputs: inputs, session: try Session())
        for field in ["minutes", "nearest_id", "snap_m"] {
            #expect(try spatial.cells.values(of: field) == given.cells.values(of: field))
        }
        #expect(spatial.result.seconds == given.result.seconds)
        #expect(spatial.result.nearest == given.result.nearest)
        #expect(spatial.result.islands == given.result.islands)
        #expect(spatial.result.originsMovedOffIslands == given.result.originsMovedOffIslands)
        #expect(spatial.result.originsStrandedOnIslands == given.result.originsStrandedOnIslands)
        // Scripts/access_walk_check.py (pyosmium, shapely and scipy) reaches 1,216 cells on
        // foot; the car network reaches 1,214 (PortoAlegreNetworkTests).
        #expect(try spatial.cells.values(of: "minutes").filter { !$0.isNull }.count == (mode == .walk ? 1_216 : 1_214))
    }
}
