import Testing
@testable import Atlas

@Suite struct TransitAreaAssignmentTests {
    static func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
        .polygon([[Coordinate(x0, y0), Coordinate(x1, y0), Coordinate(x1, y1), Coordinate(x0, y1), Coordinate(x0, y0)]])
    }

    // In SWEREF 99 TM near Falun: two areas side by side, West [0, 600) and East [600, 2000)
    // (offsets from x0), and two 1 km cells: cell A [0, 1000) with 100 people, its centroid
    // at 500 in West; cell B [1000, 2000) with 40 people, wholly in East. One qualifying stop
    // 100 m from A's centroid and 900 m from B's, beyond the 500 m radius.
    static let x0 = 530_000.0, y0 = 6_720_000.0

    static func layers() -> (stops: Layer, cells: Layer, areas: Layer) {
        let stops = Layer(
            source: "stops", format: "test", crs: .sweref99TM, fields: [Field("qualifies", .boolean)],
            features: [Feature(geometry: .point(Coordinate(x0 + 600, y0 + 500)), values: [.bool(true)])])
        let cells = Layer(
            source: "cells", format: "test", crs: .sweref99TM, fields: [Field("pop", .integer)],
            features: [
                Feature(geometry: square(x0, y0, x0 + 1000, y0 + 1000), values: [.int(100)]),
                Feature(geometry: square(x0 + 1000, y0, x0 + 2000, y0 + 1000), values: [.int(40)]),
            ])
        let areas = Layer(
            source: "areas", format: "test", crs: .sweref99TM, fields: [Field("id", .string)],
            features: [
                Feature(geometry: square(x0, y0, x0 + 600, y0 + 1000), values: [.string("West")]),
                Feature(geometry: square(x0 + 600, y0, x0 + 2000, y0 + 1000), values: [.string("East")]),
            ])
        return (stops, cells, areas)
    }

    func figures(_ assignment: AreaAssignment) throws -> [[Double?]] {
        let (stops, cells, areas) = Self.layers()
        let result = try TransitProximity.compute(
            stops: stops, population: cells, populationField: "pop", areas: areas, areaId: "id",
            options: TransitProximity.Options(areaAssignment: assignment), session: try Session())
        return result.areas.features.map { f in [f.values[1].number, f.values[2].number, f.values[3].number] }
    }

    @Test func byCentroidTheStraddlingCellGoesWholeToOneArea() throws {
        // A (100, near) → West; B (40, not near) → East.
        let rows = try figures(.centroid)
        #expect(rows[0] == [100, 100, 1])
        #expect(rows[1] == [40, 0, 0])
    }

    @Test func byAreaTheStraddlingCellIsSplit() throws {
        // A: 60 % of its area in West → 60 people, all near; 40 % in East → 40 near.
        // East also gets B's 40, not near: 80 people, 40 near, share 0.5.
        let rows = try figures(.areal)
        #expect(abs(rows[0][0]! - 60) < 1e-9 && abs(rows[0][1]! - 60) < 1e-9)
        #expect(abs(rows[1][0]! - 80) < 1e-9 && abs(rows[1][1]! - 40) < 1e-9)
        #expect(abs(rows[1][2]! - 0.5) < 1e-12)
    }
}

@Suite struct TransitSharedBoundaryTests {
    static let x0 = 530_000.0, y0 = 6_720_000.0

    // SWEREF 99 TM: areas West [x0, x0 + 1000] and East [x0 + 1000, x0 + 2000] (× [y0, y0 + 1000])
    // share the edge x = x0 + 1000. One qualifying stop S at (x0 + 1000, y0). Population points:
    // P1 (x0 + 1000, y0 + 500), 10 people, on the shared edge, 500 m from S;
    // P2 (x0 + 1000, y0 + 1000), 20 people, a corner of both areas, 1000 m from S;
    // P3 (x0 + 1300, y0 + 400), 30 people, in East, √(300² + 400²) = 500 m from S;
    // P4 (x0 + 200, y0 + 200), 40 people, in West, √(800² + 200²) ≈ 825 m from S.
    // A point exactly at the radius is near (P1, P3). A point on a shared boundary goes to the
    // first area in layer order that covers it: with West first, West has P1, P2, P4 (70 people,
    // 10 near) and East P3 (30, 30 near); with East first, East has P1, P2, P3 (60, 40 near) and
    // West P4 (40, 0 near).
    @Test func aPointOnASharedBoundaryGoesToTheFirstAreaInLayerOrder() throws {
        let stops = Layer(
            source: "stops", format: "test", crs: .sweref99TM, fields: [Field("qualifies", .boolean)],
            features: [Feature(geometry: .point(Coordinate(Self.x0 + 1000, Self.y0)), values: [.bool(true)])])
        let people: [(Double, Double, Int)] = [(1000, 500, 10), (1000, 1000, 20), (1300, 400, 30), (200, 200, 40)]
        let cells = Layer(
            source: "cells", format: "test", crs: .sweref99TM, fields: [Field("pop", .integer)],
            features: people.map { Feature(geometry: .point(Coordinate(Self.x0 + $0.0, Self.y0 + $0.1)), values: [.int($0.2)]) })
        let west = Feature(
            geometry: TransitAreaAssignmentTests.square(Self.x0, Self.y0, Self.x0 + 1000, Self.y0 + 1000), values: [.string("West")])
        let east = Feature(
            geometry: TransitAreaAssignmentTests.square(Self.x0 + 1000, Self.y0, Self.x0 + 2000, Self.y0 + 1000), values: [.string("East")])
        for (order, expected) in [([west, east], [[70.0, 10], [30, 30]]), ([east, west], [[60, 40], [40, 0]])] {
            let areas = Layer(source: "areas", format: "test", crs: .sweref99TM, fields: [Field("id", .string)], features: order)
            let result = try TransitProximity.compute(
                stops: stops, population: cells, populationField: "pop", areas: areas, areaId: "id", session: try Session())
            #expect(result.areas.features.map { [$0.values[1].number ?? -1, $0.values[2].number ?? -1] } == expected)
            #expect(result.cellsOutsideAreas == 0)
        }
    }
}
