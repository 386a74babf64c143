import Testing

@testable import Atlas

@Suite("Road networks from line layers")
struct LineNetworkTests {
    /// Three roads in metres: a 1000 m east–west road at 36 km/h both ways; a 1000 m road
    /// north from 0.3 m beside its east end, 72 km/h, one-way north ("FT"); and a road
    /// starting 0.8 m north of the first road's west end, which the 0.5 m tolerance keeps apart.
    static func layer() -> Layer {
        Layer(
            source: "roads.geojson", format: "GeoJSON", crs: CRS.sweref99TM,
            fields: [Field("speed", .integer), Field("dir", .string)],
            features: [
                Feature(geometry: .lineString([Coordinate(0, 0), Coordinate(500, 0), Coordinate(1000, 0)]), values: [.int(36), .string("B")]),
                Feature(geometry: .lineString([Coordinate(1000.3, 0), Coordinate(1000.3, 1000)]), values: [.int(72), .string("FT")]),
                Feature(geometry: .lineString([Coordinate(0, 0.8), Coordinate(0, 1000)]), values: [.null, .null]),
            ])
    }

    static let oneway = try! OnewayRule(field: "dir", values: "forward=FT,backward=TF,both=B,closed=N|X")

    @Test func endpointsJoinWithinTheTolerance() throws {
        let graph = try RoadGraph(lines: Self.layer(), options: LineNetworkOptions(speedField: "speed", oneway: Self.oneway))
        // Nodes: 3 for the first road, 1 more for the second (its south end joins), 2 for the third.
        #expect(graph.nodeCount == 6)
        #expect(graph.segmentCount == 4)
        let north = try NearestFacility().run(
            graph: graph, origins: [Coordinate(0, 0)], destinations: [Coordinate(1000.3, 1000)])
        // 1000 m at 36 km/h = 100 s, then 1000.00004 m at 72 km/h = 50 s: 150 s = 2.5 min.
        #expect(abs(north.seconds[0] - 150) < 1e-3)
        let south = try NearestFacility().run(
            graph: graph, origins: [Coordinate(1000.3, 1000)], destinations: [Coordinate(0, 0)])
        // Driving south on the one-way road is not allowed and the third road is not connected.
        #expect(south.seconds[0] == .infinity)
        // The third road has no speed: the default 50 km/h gives 999.2 m × 3.6 / 50 = 71.9424 s.
        let third = try NearestFacility().run(graph: graph, origins: [Coordinate(0, 1000)], destinations: [Coordinate(0, 0.8)])
        #expect(abs(third.seconds[0] - 71.9424) < 1e-9)
    }

    @Test func walkingIgnoresOneway() throws {
        let graph = try RoadGraph(lines: Self.layer(), options: LineNetworkOptions(mode: .walk, speedField: "speed", oneway: Self.oneway))
        let south = try NearestFacility().run(
            graph: graph, origins: [Coordinate(1000.3, 1000)], destinations: [Coordinate(0, 0)])
        // Two 1000 m roads at 5 km/h: 2 × 720 s = 1440 s = 24 min (plus 0.00004 m).
        #expect(abs(south.seconds[0] - 1440) < 1e-3)
    }

    @Test func onewayValuesSyntax() throws {
        #expect(Self.oneway.forward == ["FT"])
        #expect(Self.oneway.backward == ["TF"])
        #expect(Self.oneway.closed == ["N", "X"])
        #expect(throws: AtlasError.self) { try OnewayRule(field: "dir", values: "up=FT") }
        #expect(throws: AtlasError.self) { try OnewayRule(field: "dir", values: "FT") }
        var layer = Self.layer()
        layer.features[1].values[1] = .string("X")
        let graph = try RoadGraph(lines: layer, options: LineNetworkOptions(speedField: "speed", oneway: Self.oneway))
        // The closed road is left out of the graph.
        #expect(graph.segmentCount == 3)
    }
}
