import Testing

@testable import Atlas

@Suite("Nearest facility on hand-made networks")
struct NearestFacilityTests {
    /// A 3×3 grid of nodes 1000 m apart, node (i, j) at (1000 i, 1000 j) with index 3 j + i.
    /// East–west streets are 60 km/h (1000 m in 60 s), north–south streets 30 km/h (120 s).
    static func grid() throws -> RoadGraph {
        var x: [Double] = [], y: [Double] = []
        for j in 0..<3 { for i in 0..<3 { x.append(Double(1000 * i)); y.append(Double(1000 * j)) } }
        var segments = RoadSegmentList()
        for j in 0..<3 {
            for i in 0..<2 {
                segments.append(from: Int32(3 * j + i), to: Int32(3 * j + i + 1), forwardSpeed: 60, backwardSpeed: 60)
            }
        }
        for j in 0..<2 {
            for i in 0..<3 {
                segments.append(from: Int32(3 * j + i), to: Int32(3 * j + i + 3), forwardSpeed: 30, backwardSpeed: 30)
            }
        }
        return try RoadGraph(crs: nil, x: x, y: y, segments: segments)
    }

    @Test func gridTimesFollowStreetSpeeds() throws {
        let graph = try Self.grid()
        let result = try NearestFacility().run(
            graph: graph,
            origins: [Coordinate(2000, 2000), Coordinate(1500, 2100), Coordinate(0, 0)],
            destinations: [Coordinate(0, 0)])
        // Far corner: two east–west blocks (2 × 60 s) and two north–south blocks (2 × 120 s) = 360 s.
        #expect(result.seconds[0] == 360)
        #expect(result.minutes(0) == 6)
        // 100 m off the top street, halfway along its second block: walk 100 m at 5 km/h = 72 s,
        // half a block west to (1000, 2000) = 30 s, then 60 + 2 × 120 = 300 s: 402 s = 6.7 min.
        #expect(abs(result.seconds[1] - 402) < 1e-9)
        #expect(result.seconds[2] == 0)
        #expect(result.nearest == [0, 0, 0])
        #expect(result.unsnappedOrigins.isEmpty)
    }

    @Test func oneWayStreetForcesADetour() throws {
        // A square of 1000 m sides at 36 km/h (100 s a side); the south side A→B is one-way east.
        let x: [Double] = [0, 1000, 1000, 0], y: [Double] = [0, 0, 1000, 1000]
        var segments = RoadSegmentList()
        segments.append(from: 0, to: 1, forwardSpeed: 36, backwardSpeed: 0)
        segments.append(from: 1, to: 2, forwardSpeed: 36, backwardSpeed: 36)
        segments.append(from: 2, to: 3, forwardSpeed: 36, backwardSpeed: 36)
        segments.append(from: 3, to: 0, forwardSpeed: 36, backwardSpeed: 36)
        let graph = try RoadGraph(crs: nil, x: x, y: y, segments: segments)
        let toA = try NearestFacility().run(graph: graph, origins: [Coordinate(1000, 0)], destinations: [Coordinate(0, 0)])
        // B cannot drive west to A: B→C→D→A, 3 × 100 s = 300 s = 5 min.
        #expect(toA.seconds == [300])
        let toB = try NearestFacility().run(graph: graph, origins: [Coordinate(0, 0)], destinations: [Coordinate(1000, 0)])
        // A→B along the one-way street: 100 s.
        #expect(toB.seconds == [100])
        // Both on the one-way street: from x = 750 back to x = 250 is not allowed along it;
        // forward to B (25 s), round B→C→D→A (300 s), then 250 m east (25 s) = 350 s.
        let along = try NearestFacility().run(graph: graph, origins: [Coordinate(750, 0)], destinations: [Coordinate(250, 0)])
        #expect(abs(along.seconds[0] - 350) < 1e-9)
        // The other way round it is direct: 500 m at 36 km/h = 50 s.
        let direct = try NearestFacility().run(graph: graph, origins: [Coordinate(250, 0)], destinations: [Coordinate(750, 0)])
        #expect(abs(direct.seconds[0] - 50) < 1e-9)
    }

    @Test func islandIsUnreachableAndFarPointIsUnsnapped() throws {
        // The grid plus a separate 1000 m street 10 km east with no link to the grid.
        let grid = try Self.grid()
        var segments = RoadSegmentList()
        for s in 0..<grid.segmentCount {
            segments.append(
                from: grid.segmentStart[s], to: grid.segmentEnd[s],
                forwardSpeed: 1000 / grid.forwardSeconds[s] * 3.6, backwardSpeed: 1000 / grid.backwardSeconds[s] * 3.6)
        }
        segments.append(from: 9, to: 10, forwardSpeed: 50, backwardSpeed: 50)
        let graph = try RoadGraph(
            crs: nil, x: grid.x + [12000, 13000], y: grid.y + [0, 0], segments: segments)
        let result = try NearestFacility(maxSnap: 1000).run(
            graph: graph,
            origins: [Coordinate(12500, 10), Coordinate(0, -1500), Coordinate(1000, 900)],
            destinations: [Coordinate(0, 0), Coordinate(20000, 20000)])
        #expect(result.seconds[0] == .infinity)
        #expect(result.nearest[0] == -1)
        // 1500 m south of the grid, beyond the 1000 m limit.
        #expect(result.unsnappedOrigins == [1])
        #expect(result.unsnappedDestinations == [1])
        // 100 m below node (1000, 1000) on the north–south street at 30 km/h: walk 0 m,
        // 900 m south at 30 km/h = 108 s, then 60 s west: 168 s.
        #expect(abs(result.seconds[2] - 168) < 1e-9)
    }

    @Test func tiesGoToTheFirstDestinationAndRunsRepeat() throws {
        let graph = try Self.grid()
        // (1000, 0) is 60 s from both (0, 0) and (2000, 0).
        let destinations = [Coordinate(2000, 0), Coordinate(0, 0), Coordinate(2000, 2000)]
        let origins = (0..<50).map { Coordinate(Double($0 % 10) * 200 + 3, Double($0 / 10) * 450 + 7) }
        let first = try NearestFacility().run(graph: graph, origins: [Coordinate(1000, 0)] + origins, destinations: destinations)
        #expect(first.seconds[0] == 60)
        #expect(first.nearest[0] == 0)
        let second = try NearestFacility().run(graph: graph, origins: [Coordinate(1000, 0)] + origins, destinations: destinations)
        #expect(first.seconds == second.seconds)
        #expect(first.nearest == second.nearest)
    }

    @Test func noSnappableDestinationIsAnError() throws {
        let graph = try Self.grid()
        #expect(throws: AtlasError.self) {
            try NearestFacility(maxSnap: 100).run(graph: graph, origins: [Coordinate(0, 0)], destinations: [Coordinate(5000, 5000)])
        }
    }

    @Test func snapsToTheNearestPointOnASegment() throws {
        let graph = try Self.grid()
        let index = SegmentIndex(graph)
        let snap = try #require(index.nearest(to: Coordinate(400, 1030), in: graph, maxDistance: 1000))
        // Nearest is the street y = 1000 between nodes 3 and 4, 30 m away, 40 % along.
        #expect(graph.segmentStart[Int(snap.segment)] == 3)
        #expect(graph.segmentEnd[Int(snap.segment)] == 4)
        #expect(abs(snap.distance - 30) < 1e-9)
        #expect(abs(snap.fraction - 0.4) < 1e-12)
        #expect(index.nearest(to: Coordinate(-600, -600), in: graph, maxDistance: 800) == nil)
        // From (-600, -600) the nearest road point is node (0, 0), 848.5 m away.
        let far = try #require(index.nearest(to: Coordinate(-600, -600), in: graph, maxDistance: 900))
        #expect(abs(far.distance - (720_000.0).squareRoot()) < 1e-9)
    }
}
