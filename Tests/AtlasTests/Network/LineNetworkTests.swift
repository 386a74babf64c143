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

    @Test func lineEndsJoinWithinTheTolerance() throws {
        let graph = try RoadGraph(lines: Self.layer(), options: LineNetworkOptions(speedField: "speed", oneway: Self.oneway))
        // Nodes: 3 for the first road, 1 more for the second (its south end joins), 2 for the third.
        #expect(graph.nodeCount == 6)
        #expect(graph.segmentCount == 4)
        // Every component is kept: the one-way road's north end, which cannot be left, and the
        // two-node third road would otherwise be left out as islands.
        let search = NearestFacility(minComponentNodes: 1)
        let north = try search.run(
            graph: graph, origins: [Coordinate(0, 0)], destinations: [Coordinate(1000.3, 1000)])
        // 1000 m at 36 km/h = 100 s, then 1000.00004 m at 72 km/h = 50 s: 150 s = 2.5 min.
        #expect(abs(north.seconds[0] - 150) < 1e-3)
        let south = try search.run(
            graph: graph, origins: [Coordinate(1000.3, 1000)], destinations: [Coordinate(0, 0)])
        // Driving south on the one-way road is not allowed and the third road is not connected.
        #expect(south.seconds[0] == .infinity)
        // The third road has no speed: the default 50 km/h gives 999.2 m × 3.6 / 50 = 71.9424 s.
        let third = try search.run(graph: graph, origins: [Coordinate(0, 1000)], destinations: [Coordinate(0, 0.8)])
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

    /// Roads in metres, walked at 5 km/h (720 s per km):
    /// - A: (0, 0) → (500, 0) → (750, 0) → (1000, 0), interior vertices at 500 and 750;
    /// - B: (500, 800) → (500, 0), ending on A's interior vertex: a T-junction;
    /// - C: (750, -200) → (750, 0) → (750, 200), sharing its interior vertex with A's: a crossing;
    /// - D: (250, -300) → (250, 300), crossing A with no vertex there: a bridge.
    static func junctions() -> Layer {
        func line(_ points: [(Double, Double)]) -> Feature {
            Feature(geometry: .lineString(points.map { Coordinate($0.0, $0.1) }), values: [])
        }
        return Layer(
            source: "junctions.geojson", format: "GeoJSON", crs: CRS.sweref99TM, fields: [],
            features: [
                line([(0, 0), (500, 0), (750, 0), (1000, 0)]),
                line([(500, 800), (500, 0)]),
                line([(750, -200), (750, 0), (750, 200)]),
                line([(250, -300), (250, 300)]),
            ])
    }

    @Test func linesMeetAtSharedVerticesButNotWhereTheyMerelyCross() throws {
        let graph = try RoadGraph(lines: Self.junctions(), options: LineNetworkOptions(mode: .walk))
        // 4 + 1 + 2 + 2 nodes: B's south end and C's middle are A's vertices.
        #expect(graph.nodeCount == 9)
        #expect(graph.segmentCount == 7)
        // Keep every component, so that the bridge D shows as unconnected rather than left out.
        let search = NearestFacility(minComponentNodes: 1)
        let result = try search.run(
            graph: graph, origins: [Coordinate(500, 800), Coordinate(750, 200), Coordinate(250, 300)],
            destinations: [Coordinate(0, 0)])
        // B then A: 800 m + 500 m = 1300 m at 5 km/h = 936 s.
        #expect(abs(result.seconds[0] - 936) < 1e-9)
        // C's north half then A: 200 m + 750 m = 950 m = 684 s.
        #expect(abs(result.seconds[1] - 684) < 1e-9)
        // D passes over A at (250, 0) without a shared vertex: no way onto A.
        #expect(result.seconds[2] == .infinity)

        // Joined only at line ends, as before: B and C are cut off from A.
        let ends = try RoadGraph(lines: Self.junctions(), options: LineNetworkOptions(mode: .walk, junctions: .ends))
        #expect(ends.nodeCount == 11)
        let unsplit = try search.run(graph: ends, origins: [Coordinate(500, 800), Coordinate(750, 200)], destinations: [Coordinate(0, 0)])
        #expect(unsplit.seconds == [.infinity, .infinity])
    }

    @Test func sharedVerticesJoinWithinTheSnapTolerance() throws {
        var layer = Self.junctions()
        // B's end 0.3 m off A's vertex joins it; C's middle 0.8 m off stays apart.
        layer.features[1].geometry = .lineString([Coordinate(500, 800), Coordinate(500.3, 0)])
        layer.features[2].geometry = .lineString([Coordinate(750, -200), Coordinate(750, 0.8), Coordinate(750, 200)])
        let graph = try RoadGraph(lines: layer, options: LineNetworkOptions(mode: .walk))
        #expect(graph.nodeCount == 10)
        let result = try NearestFacility(minComponentNodes: 1).run(
            graph: graph, origins: [Coordinate(500, 800), Coordinate(750, 200)], destinations: [Coordinate(0, 0)])
        // 800.00006 m down B, then 500 m along A: 1300.00006 m at 5 km/h = 936.00004 s.
        #expect(abs(result.seconds[0] - 936) < 1e-3)
        #expect(result.seconds[1] == .infinity)
    }

    /// One 1000 m road and the two NVDB-style speed fields along and against its direction.
    static func directed(_ forward: Value, _ backward: Value) -> Layer {
        Layer(
            source: "nvdb.shp", format: "Shapefile", crs: CRS.sweref99TM,
            fields: [Field("HTHAST_F", .integer), Field("HTHAST_B", .integer)],
            features: [Feature(geometry: .lineString([Coordinate(0, 0), Coordinate(1000, 0)]), values: [forward, backward])])
    }

    @Test func backwardSpeedFieldGivesEachDirectionItsSpeed() throws {
        let options = LineNetworkOptions(speedField: "HTHAST_F", backwardSpeedField: "HTHAST_B")
        let search = NearestFacility(minComponentNodes: 1)
        let east = [Coordinate(0, 0)], west = [Coordinate(1000, 0)]
        let both = try RoadGraph(lines: Self.directed(.int(36), .int(72)), options: options)
        // Along: 1000 m at 36 km/h = 100 s; against: at 72 km/h = 50 s.
        #expect(try search.run(graph: both, origins: east, destinations: west).seconds == [100])
        #expect(try search.run(graph: both, origins: west, destinations: east).seconds == [50])

        // A backward speed of 0 closes the way back: driving west is impossible.
        let oneway = try RoadGraph(lines: Self.directed(.int(36), .int(0)), options: options)
        #expect(try search.run(graph: oneway, origins: east, destinations: west).seconds == [100])
        #expect(try search.run(graph: oneway, origins: west, destinations: east).seconds == [.infinity])
        // Null does the same for the forward direction, and no default speed fills it in.
        let against = try RoadGraph(lines: Self.directed(.null, .int(72)), options: options)
        #expect(try search.run(graph: against, origins: east, destinations: west).seconds == [.infinity])
        #expect(try search.run(graph: against, origins: west, destinations: east).seconds == [50])

        // Closed both ways: the line is left out, and the report names its record.
        var report = LineNetworkReport()
        let closed = try RoadGraph(lines: Self.directed(.int(0), .null), options: options, report: &report)
        #expect(closed.segmentCount == 0)
        #expect(report.recordsWithoutSpeed == [1])

        // Walking reads no speed field: 1000 m at 5 km/h = 720 s both ways.
        let walk = try RoadGraph(lines: Self.directed(.int(36), .int(0)), options: LineNetworkOptions(mode: .walk, speedField: "HTHAST_F", backwardSpeedField: "HTHAST_B"))
        #expect(try search.run(graph: walk, origins: west, destinations: east).seconds == [720])
    }

    @Test func aSpeedThatIsNotANumberNamesItsRecordAndField() throws {
        let options = LineNetworkOptions(speedField: "HTHAST_F", backwardSpeedField: "HTHAST_B")
        #expect(throws: AtlasError(file: "nvdb.shp", record: 1, field: "HTHAST_B", "expected a speed in km/h (0 or empty for a closed direction), got 'fast'")) {
            try RoadGraph(lines: Self.directed(.int(36), .string("fast")), options: options)
        }
        #expect(throws: AtlasError("a backward speed field needs a speed field for the forward direction")) {
            try RoadGraph(lines: Self.directed(.int(36), .int(36)), options: LineNetworkOptions(backwardSpeedField: "HTHAST_B"))
        }
    }

    /// Points scattered around a few spots, so many lie within the tolerance of one another and
    /// across cell borders: each joins the nearest earlier node within 0.5 m, as a plain scan
    /// over all earlier nodes finds it.
    @Test func vertexJoinerMatchesAPlainScan() {
        var random = MultiSourceSearchTests.Random(state: 7)
        var joiner = VertexJoiner(tolerance: 0.5)
        var x: [Double] = [], y: [Double] = []
        var scanX: [Double] = [], scanY: [Double] = []
        for _ in 0..<3000 {
            let spot = Double(random.below(20))
            let c = Coordinate(spot * 3 + Double(random.below(1000)) / 400, 6_500_000 + Double(random.below(1000)) / 400)
            var expected: Int32 = -1
            var nearest = Double.infinity
            for n in scanX.indices {
                let d = ((scanX[n] - c.x) * (scanX[n] - c.x) + (scanY[n] - c.y) * (scanY[n] - c.y)).squareRoot()
                if d <= 0.5 && d < nearest { expected = Int32(n); nearest = d }
            }
            if expected < 0 {
                expected = Int32(scanX.count)
                scanX.append(c.x)
                scanY.append(c.y)
            }
            #expect(joiner.node(at: c, x: &x, y: &y) == expected)
        }
        #expect(x.count == scanX.count)
        #expect(x.count > 100 && x.count < 2000, "the points should both join and stay apart")
    }
}

