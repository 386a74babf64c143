import Testing

@testable import Atlas

@Suite("Road islands: strongly connected components and snapping to kept ones")
struct RoadIslandTests {
    /// `NearestFacilityTests.grid()` (3×3 nodes 1000 m apart; east–west blocks 60 s,
    /// north–south 120 s) plus `extra` nodes and segments.
    static func gridPlus(
        nodes: [Coordinate], segments extra: [(from: Int32, to: Int32, forward: Double, backward: Double)]
    ) throws -> RoadGraph {
        let grid = try NearestFacilityTests.grid()
        var segments = RoadSegmentList()
        for s in 0..<grid.segmentCount {
            let kmh = 1000 * 3.6 / grid.forwardSeconds[s]
            segments.append(from: grid.segmentStart[s], to: grid.segmentEnd[s], forwardSpeed: kmh, backwardSpeed: kmh)
        }
        for e in extra { segments.append(from: e.from, to: e.to, forwardSpeed: e.forward, backwardSpeed: e.backward) }
        return try RoadGraph(crs: nil, x: grid.x + nodes.map(\.x), y: grid.y + nodes.map(\.y), segments: segments)
    }

    /// A detached two-segment road (nodes 9–11) along x = 2030 from y = 1200 to 1800, 30 m
    /// east of the grid's east street.
    static func gridWithIsland() throws -> RoadGraph {
        try gridPlus(
            nodes: [Coordinate(2030, 1200), Coordinate(2030, 1500), Coordinate(2030, 1800)],
            segments: [(9, 10, 30, 30), (10, 11, 30, 30)])
    }

    /// 20 m east of the grid street x = 2000 and 10 m west of the island.
    static let besideTheIsland = Coordinate(2020, 1500)

    @Test func anOriginNearerAnIslandSnapsToTheMainGrid() throws {
        let graph = try Self.gridWithIsland()
        let components = RoadComponents(graph)
        #expect(components.count == 2)
        #expect(components.sizes.sorted() == [3, 9])

        // Every component kept, as before the rule: the origin snaps onto the island 10 m
        // away, which no road joins to the care point at (0, 0).
        let before = try NearestFacility(minComponentNodes: 1).run(
            graph: graph, origins: [Self.besideTheIsland], destinations: [Coordinate(0, 0)])
        #expect(before.seconds == [.infinity])
        #expect(before.originSnapMetres == [10])
        #expect(before.islands.leftOutComponents == 0)

        // Components of 5 nodes or more: the grid (9) is kept, the island (3) left out.
        let after = try NearestFacility(minComponentNodes: 5).run(
            graph: graph, origins: [Self.besideTheIsland], destinations: [Coordinate(0, 0)])
        // Walk 20 m west at 5 km/h = 14.4 s to (2000, 1500); 500 m south at 30 km/h = 60 s to
        // (2000, 1000); two blocks west 2 × 60 s and one south 120 s: 314.4 s = 5.24 min.
        #expect(abs(after.seconds[0] - 314.4) < 1e-9)
        #expect(after.originSnapMetres == [20])
        #expect(after.originsMovedOffIslands == [0])
        #expect(after.originsStrandedOnIslands.isEmpty)
        #expect(after.unsnappedOrigins.isEmpty)
        var islands = RoadIslands(minimumNodes: 5)
        (islands.keptComponents, islands.keptNodes, islands.largestComponentNodes) = (1, 9, 9)
        (islands.leftOutComponents, islands.leftOutNodes, islands.leftOutSegments) = (1, 3, 2)
        #expect(after.islands == islands)
        let report = after.islandReport { "cell \($0 + 1)" }
        #expect(report.warnings == ["1 origins lie nearest to a road island (components under 5 nodes) and snap to the connected network instead (farthest 20 m off the road) (first: cell 1)"])
        #expect(report.summary == "road islands: 1 components under 5 nodes left out (3 nodes, 2 segments); points snap to 1 component with 9 nodes")
    }

    @Test func aGraphSmallerThanTheMinimumKeepsItsLargestComponent() throws {
        // The default minimum, 200 nodes, is more than the whole 12-node graph has.
        let result = try NearestFacility().run(
            graph: try Self.gridWithIsland(), origins: [Self.besideTheIsland], destinations: [Coordinate(0, 0)])
        #expect(abs(result.seconds[0] - 314.4) < 1e-9)
        #expect(result.islands.keptLargestOnly)
        #expect(result.islands.keptNodes == 9)
        let report = result.islandReport { "cell \($0 + 1)" }
        #expect(report.warnings.first == "no part of the road network has 200 connected nodes (--min-component); points snap to its largest strongly connected component only (9 nodes)")
    }

    @Test func aNetworkOfOneWayRoadsWithoutAWayBackKeepsEverySegment() throws {
        // (0, 0) → (1000, 0) → (2000, 0), one way east at 36 km/h: every node is a component
        // of its own and none holds a segment, so there is nothing to prefer.
        var segments = RoadSegmentList()
        segments.append(from: 0, to: 1, forwardSpeed: 36, backwardSpeed: 0)
        segments.append(from: 1, to: 2, forwardSpeed: 36, backwardSpeed: 0)
        let graph = try RoadGraph(crs: nil, x: [0, 1000, 2000], y: [0, 0, 0], segments: segments)
        let result = try NearestFacility().run(graph: graph, origins: [Coordinate(0, 0)], destinations: [Coordinate(2000, 0)])
        // 2000 m at 36 km/h = 200 s.
        #expect(result.seconds == [200])
        #expect(result.islands.keptEverything)
        #expect(result.islands.leftOutSegments == 0)
    }

    @Test func aDestinationOnAnIslandMovesAndAPointWithOnlyTheIslandInReachIsStranded() throws {
        let graph = try Self.gridWithIsland()
        // Origins: (0, 0) on the grid; (2600, 1500), 570 m from the island and 600 m from the
        // grid street x = 2000, so with a 580 m limit only the island is in reach; (5000, 5000),
        // near no road at all. The care point (2025, 1790) is 5 m from the island, 25 m from the grid.
        let result = try NearestFacility(maxSnap: 580, minComponentNodes: 5).run(
            graph: graph, origins: [Coordinate(0, 0), Coordinate(2600, 1500), Coordinate(5000, 5000)],
            destinations: [Coordinate(2025, 1790)])
        #expect(result.destinationsMovedOffIslands == [0])
        // From (0, 0): two blocks east (120 s) and one north (120 s) to (2000, 1000), 790 m
        // north at 30 km/h (94.8 s) to (2000, 1790), then the 25 m walk at 5 km/h (18 s): 352.8 s.
        #expect(abs(result.seconds[0] - 352.8) < 1e-9)
        #expect(result.originsStrandedOnIslands == [1])
        #expect(result.seconds[1] == .infinity)
        #expect(result.originSnapMetres[1] == .infinity)
        // Only the point near no road counts as unsnapped.
        #expect(result.unsnappedOrigins == [2])
        #expect(result.originsMovedOffIslands.isEmpty)
    }

    @Test func theFarEndOfAOneWayDeadEndIsLeftOut() throws {
        // A one-way spur east from the grid corner (2000, 2000) to (2500, 2000), 36 km/h: its
        // end can be reached but not left, a component of its own with no segment inside.
        let graph = try Self.gridPlus(nodes: [Coordinate(2500, 2000)], segments: [(8, 9, 36, 0)])
        let origin = Coordinate(2400, 2010)
        // Kept as before the rule, the origin snaps 10 m onto the spur and can only drive on to its end.
        let before = try NearestFacility(minComponentNodes: 1).run(graph: graph, origins: [origin], destinations: [Coordinate(0, 0)])
        #expect(before.seconds == [.infinity])
        let after = try NearestFacility(minComponentNodes: 5).run(graph: graph, origins: [origin], destinations: [Coordinate(0, 0)])
        // The spur joins the kept grid to a left-out node, so the origin walks to the corner
        // (2000, 2000), (400² + 10²)^½ = 400.125 m at 5 km/h, then 2 × 60 s + 2 × 120 s.
        let walk = (400.0 * 400 + 10 * 10).squareRoot() * 3.6 / 5
        #expect(abs(after.seconds[0] - (walk + 360)) < 1e-9)
        #expect(after.originsMovedOffIslands == [0])
        // The lone node is left out but is not counted as an island: it holds no segment.
        #expect(after.islands.leftOutComponents == 0)
        #expect(after.islands.leftOutNodes == 1)
        #expect(after.islands.leftOutSegments == 1)
    }

    /// Random sparse graphs, many one-way segments: Tarjan's components against the
    /// definition, two nodes sharing a component exactly when each reaches the other.
    @Test(arguments: [11, 12, 13] as [UInt64])
    func componentsMatchMutualReachability(seed: UInt64) throws {
        var random = MultiSourceSearchTests.Random(state: seed)
        let n = 60
        var segments = RoadSegmentList()
        for _ in 0..<70 {
            let a = random.below(n), b = random.below(n)
            guard a != b else { continue }
            let kind = random.below(3)
            segments.append(from: Int32(a), to: Int32(b), forwardSpeed: kind == 1 ? 0 : 30, backwardSpeed: kind == 2 ? 0 : 30)
        }
        let graph = try RoadGraph(crs: nil, x: (0..<n).map(Double.init), y: [Double](repeating: 0, count: n), segments: segments)
        var reaches = [[Bool]](repeating: [Bool](repeating: false, count: n), count: n)
        for s in 0..<n {
            // Following incoming arcs from s finds the nodes that reach s.
            var stack = [s]
            reaches[s][s] = true
            while let w = stack.popLast() {
                for arc in graph.incomingArcs[Int(graph.incomingOffsets[w])..<Int(graph.incomingOffsets[w + 1])]
                where !reaches[Int(arc.source)][s] {
                    reaches[Int(arc.source)][s] = true
                    stack.append(Int(arc.source))
                }
            }
        }
        let components = RoadComponents(graph)
        var sizes = [Int32](repeating: 0, count: components.count)
        for v in 0..<n {
            sizes[Int(components.component[v])] += 1
            for w in 0..<n {
                #expect((components.component[v] == components.component[w]) == (reaches[v][w] && reaches[w][v]))
            }
        }
        #expect(sizes == components.sizes)
        #expect(components.count > 5, "the test graph should fall apart into several components")
    }

    @Test func aLongOneWayRingIsOneComponentWithoutRecursion() throws {
        // 300,000 nodes in a one-way ring: the search goes 300,000 deep, more than any call
        // stack would hold, and all of it is one component.
        let n = 300_000
        var segments = RoadSegmentList()
        for i in 0..<n { segments.append(from: Int32(i), to: Int32((i + 1) % n), forwardSpeed: 30, backwardSpeed: 0) }
        let graph = try RoadGraph(crs: nil, x: (0..<n).map(Double.init), y: [Double](repeating: 0, count: n), segments: segments)
        let components = RoadComponents(graph)
        #expect(components.sizes == [Int32(n)])
    }
}
