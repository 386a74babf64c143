import Foundation
import Testing

@testable import Atlas

@Suite("Healthcare access indicator")
struct HealthcareAccessTests {
    @Test func populationWeightedSummary() {
        let summary = HealthcareAccess().summarize(
            minutes: [2, 7, 20, nil, 40, 3], population: [100, 200, 300, 400, 50, 0])
        // Total 1050 (the empty cell is ignored), 400 unreachable, 650 reachable.
        #expect(summary.population == 1050)
        #expect(summary.populationUnreachable == 400)
        // Mean over the reachable: (2·100 + 7·200 + 20·300 + 40·50) / 650 = 9600 / 650.
        #expect(abs(summary.meanMinutes! - 9600.0 / 650) < 1e-12)
        // Cumulative population by minutes: 100, 300, 600 — the first to reach 325 is 20 min.
        #expect(summary.medianMinutes == 20)
        let within: [Double?] = [100.0 / 1050, 300.0 / 1050, 600.0 / 1050]
        #expect(summary.shareWithin == within)
        // PIPOS classes; the unreachable 400 join the 50 beyond 30 minutes.
        let classes: [Double?] = [100.0 / 1050, 200.0 / 1050, 300.0 / 1050, 450.0 / 1050]
        #expect(summary.classShares == classes)
        let empty = HealthcareAccess().summarize(minutes: [nil], population: [0])
        #expect(empty.meanMinutes == nil)
        #expect(empty.shareWithin.allSatisfy { $0 == nil })
    }

    @Test func theMedianOfTiedMinutesAddsThemUpInTheirOrder() {
        // Sorted by minutes: 3 (2 people), 3 (2), 7 (1), 10 (1); 6 reachable, half is 3; the
        // running sum is 2, then 4 at the second 3 minutes: the median is 3.
        let summary = HealthcareAccess().summarize(minutes: [7, 3, 10, 3], population: [1, 2, 1, 2])
        #expect(summary.medianMinutes == 3)
        // The sort keys order as the numbers do, −0 as 0.
        let numbers: [Double] = [-.infinity, -1.5, -0.0, 0, 1e-300, 2, .infinity]
        let keys = numbers.map(HealthcareAccess.sortKey)
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(keys[2] == keys[3] && keys[1] < keys[2] && keys[3] < keys[4])
    }

    /// The 3×3 grid of `NearestFacilityTests` moved to SWEREF 99 TM (500 000 E, 6 500 000 N):
    /// east–west streets 60 s per 1000 m block, north–south 120 s.
    static func swedishGrid() throws -> RoadGraph {
        let grid = try NearestFacilityTests.grid()
        var segments = RoadSegmentList()
        for s in 0..<grid.segmentCount {
            let kmh = 1000 * 3.6 / grid.forwardSeconds[s]
            segments.append(from: grid.segmentStart[s], to: grid.segmentEnd[s], forwardSpeed: kmh, backwardSpeed: kmh)
        }
        return try RoadGraph(
            crs: .sweref99TM, x: grid.x.map { $0 + 500_000 }, y: grid.y.map { $0 + 6_500_000 }, segments: segments)
    }

    static func point(_ x: Double, _ y: Double) -> Geometry { .point(Coordinate(500_000 + x, 6_500_000 + y)) }

    static func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
        let ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)].map { Coordinate(500_000 + $0.0, 6_500_000 + $0.1) }
        return .polygon([ring])
    }

    @Test func areasCellsAndFilteredDestinations() throws {
        let origins = Layer(
            source: "cells", format: "test", crs: .sweref99TM, fields: [Field("pop", .integer)],
            features: [
                Feature(geometry: Self.point(2000, 2000), values: [.int(10)]),
                Feature(geometry: Self.square(950, -50, 1050, 50), values: [.int(30)]),
                Feature(geometry: Self.point(0, -3000), values: [.int(5)]),
            ])
        let destinations = Layer(
            source: "care", format: "test", crs: .sweref99TM, fields: [Field("name", .string), Field("kind", .string)],
            features: [
                Feature(geometry: Self.point(0, 0), values: [.string("Vårdcentral Väst"), .string("vårdcentral")]),
                Feature(geometry: Self.point(2000, 2000), values: [.string("Tandläkare"), .string("tandvård")]),
            ])
        let areas = Layer(
            source: "areas", format: "test", crs: .sweref99TM, fields: [Field("code", .string)],
            features: [
                Feature(geometry: Self.square(-100, -5000, 1500, 1500), values: [.string("south")]),
                Feature(geometry: Self.square(1500, 1500, 2500, 2500), values: [.string("north")]),
            ])
        let inputs = HealthcareAccess.Inputs(
            origins: origins, populationField: "pop", destinations: destinations, destinationId: "name",
            destinationFilter: try .init(parsing: ["kind=vårdcentral"]), areas: areas, areaId: "code")
        let outputs = try HealthcareAccess().run(graph: Self.swedishGrid(), inputs: inputs, session: try Session())

        let minutes = try outputs.cells.values(of: "minutes")
        // (2000, 2000): 2 × 60 s + 2 × 120 s = 360 s = 6 min, to the only care point kept by the filter.
        #expect(abs(minutes[0].number! - 6) < 1e-9)
        // The square's centroid (1000, 0) is one east–west block from (0, 0): 60 s = 1 min.
        #expect(abs(minutes[1].number! - 1) < 1e-9)
        // (0, -3000) is 3000 m from any road, beyond the default 1000 m: unreachable.
        #expect(minutes[2] == .null)
        let nearest: [Value] = [.string("Vårdcentral Väst"), .string("Vårdcentral Väst"), .null]
        #expect(try outputs.cells.values(of: "nearest_id") == nearest)
        #expect(outputs.result.unsnappedOrigins == [2])

        let south = outputs.areas.features[0].values, north = outputs.areas.features[1].values
        let fields = outputs.areas.fields.map(\.name)
        func value(_ row: [Value], _ name: String) -> Double? { row[fields.firstIndex(of: name)!].number }
        // South holds the square (30 people, 1 min) and the unsnapped point (5 people).
        #expect(value(south, "population") == 35)
        #expect(value(south, "population_unreachable") == 5)
        #expect(abs(value(south, "mean_minutes")! - 1) < 1e-9)
        let southWithin5: Double = 30.0 / 35, southBeyond30: Double = 5.0 / 35
        #expect(value(south, "share_within_5") == southWithin5)
        #expect(value(south, "share_30_plus") == southBeyond30)
        // North: 10 people at 6 minutes, in the 5–10 class.
        #expect(value(north, "share_within_5") == 0)
        #expect(value(north, "share_within_10") == 1)
        #expect(value(north, "share_5_10") == 1)
        #expect(abs(value(north, "median_minutes")! - 6) < 1e-9)
        // Outputs are in WGS 84: SWEREF 99 TM 500 000 E lies on the 15° E central meridian.
        if case .point(let c)? = outputs.cells.features[0].geometry {
            #expect(abs(c.x - 15) < 0.05)
        } else {
            Issue.record("the first cell should stay a point")
        }
    }

    @Test func portoAlegreWalkIsDeterministic() throws {
        let data = "porto-alegre/"
        let graph = try RoadGraph.openStreetMap(path: TestData.shared(data + "poa_osm.pbf"), mode: .walk, session: try Session())
        // The same counts Scripts/access_walk_check.py gets from pyosmium for the walk rules.
        #expect(graph.nodeCount == 37_934)
        #expect(graph.segmentCount == 45_043)
        let inputs = HealthcareAccess.Inputs(
            origins: try GeoJSONReader.read(path: TestData.shared(data + "poa_hexgrid.geojson")),
            populationField: "population",
            destinations: try GeoJSONReader.read(path: TestData.shared(data + "poa_healthcare.geojson")),
            destinationId: "hex_id",
            areas: try GeoJSONReader.read(path: TestData.shared(data + "poa_districts.geojson")), areaId: "district")
        let folder = try TestData.temporaryFolder()
        var written: [Data] = []
        for run in 0..<2 {
            let outputs = try HealthcareAccess().run(graph: graph, inputs: inputs, session: try Session())
            let path = folder + "/cells\(run).geojson"
            let writer = try GeoJSONWriter(path: path, fields: outputs.cells.fields)
            for f in outputs.cells.features { try writer.write(f) }
            try writer.finish()
            written.append(try Data(contentsOf: URL(fileURLWithPath: path)))
            // 812,935 people live in the 1,227 hexagons (SOURCES.md); 65 of them in hexagons whose
            // centroid falls outside every H3 res. 7 district polygon.
            let areaPopulation = try outputs.areas.values(of: "population").compactMap(\.number).reduce(0, +)
            #expect(areaPopulation == 812_870)
        }
        #expect(written[0] == written[1])
    }
}
