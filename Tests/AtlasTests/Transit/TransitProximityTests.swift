import Foundation
import Testing
@testable import Atlas

@Suite struct TransitProximityTests {
    static func square(_ x: Double, _ y: Double, _ size: Double) -> Geometry {
        .polygon([[
            Coordinate(x, y), Coordinate(x + size, y), Coordinate(x + size, y + size), Coordinate(x, y + size),
            Coordinate(x, y),
        ]])
    }

    // SWEREF 99 TM: a qualifying stop at (500000, 6600000) and one that does not qualify at
    // (503000, 6600000). 100 m cells with centroids 450 m and 550 m east of the first stop,
    // one 50 m from the second; all in one area.
    @Test func centroidWithinRadiusCountsTheWholeCell() throws {
        let stops = Layer(
            source: "stops", format: "test", crs: .sweref99TM, fields: [Field("qualifies", .boolean)],
            features: [
                Feature(geometry: .point(Coordinate(500_000, 6_600_000)), values: [.bool(true)]),
                Feature(geometry: .point(Coordinate(503_000, 6_600_000)), values: [.bool(false)]),
            ])
        let cells = Layer(
            source: "cells", format: "test", crs: .sweref99TM, fields: [Field("pop", .integer)],
            features: [
                Feature(geometry: Self.square(500_400, 5_999_950 + 600_000, 100), values: [.int(10)]),
                Feature(geometry: Self.square(500_500, 5_999_950 + 600_000, 100), values: [.int(30)]),
                Feature(geometry: Self.square(502_950, 5_999_950 + 600_000, 100), values: [.int(60)]),
            ])
        let areas = Layer(
            source: "areas", format: "test", crs: .sweref99TM, fields: [Field("id", .string)],
            features: [
                Feature(geometry: Self.square(499_000, 6_599_000, 5000), values: [.string("A")]),
                Feature(geometry: Self.square(489_000, 6_599_000, 1000), values: [.string("empty")]),
            ])
        let result = try TransitProximity.compute(
            stops: stops, population: cells, populationField: "pop", areas: areas, areaId: "id", session: try Session())
        #expect(result.qualifyingStops == 1)
        let a = result.areas.features[0].values
        #expect(a[0] == .string("A"))
        #expect(a[1] == .double(100))
        #expect(a[2] == .double(10))
        #expect(a[3] == .double(0.1))
        // No population: the share is null, not 0.
        #expect(result.areas.features[1].values[3] == .null)
        // With a 600 m radius both cells near the first stop count.
        let wider = try TransitProximity.compute(
            stops: stops, population: cells, populationField: "pop", areas: areas, areaId: "id",
            options: .init(radius: 600), session: try Session())
        #expect(wider.areas.features[0].values[2] == .double(40))
    }

    // A 100 m cell centred on the stop lies wholly inside the 500 m circle, a cell 2 km away
    // wholly outside: the areal model gives 1 and 0 there.
    @Test func arealModelUsesTheCoveredShare() throws {
        let stops = Layer(
            source: "stops", format: "test", crs: .sweref99TM, fields: [Field("qualifies", .boolean)],
            features: [Feature(geometry: .point(Coordinate(500_000, 6_600_000)), values: [.bool(true)])])
        let cells = Layer(
            source: "cells", format: "test", crs: .sweref99TM, fields: [Field("pop", .real)],
            features: [
                Feature(geometry: Self.square(499_950, 6_599_950, 100), values: [.double(7)]),
                Feature(geometry: Self.square(502_000, 6_599_950, 100), values: [.double(5)]),
            ])
        let areas = Layer(
            source: "areas", format: "test", crs: .sweref99TM, fields: [Field("id", .string)],
            features: [Feature(geometry: Self.square(499_000, 6_599_000, 5000), values: [.string("A")])])
        let result = try TransitProximity.compute(
            stops: stops, population: cells, populationField: "pop", areas: areas, areaId: "id",
            options: .init(model: .areal), session: try Session())
        #expect(result.areas.features[0].values[2] == .double(7))
        #expect(result.population == 12)
    }

    // Porto Alegre, EPTC feed on Wednesday 2019-05-15, window 12:00–17:00 (the trimmed feed runs
    // 11:30–17:30), every hour ≥ 1 departure, 500 m. The numbers are geopandas'
    // (Scripts/transit_crosscheck.py, function `expected`): 757,990 of 812,870 people near by
    // centroid, 757,330.556 by area; district 87a901284ffffff: 8,799 of 12,222 by centroid,
    // 8,529.949 by area.
    @Test func portoAlegreMatchesGeopandas() throws {
        let feed = try GTFSFeed.read(path: TestData.shared("porto-alegre/poa_eptc.zip"))
        let departures = try DepartureCounter.count(
            feed: feed,
            options: DepartureOptions(date: ServiceDate(iso: "2019-05-15")!, window: TimeWindow(argument: "12:00-17:00")!))
        let stops = departures.stopsLayer(rule: .everyHour, minPerHour: 1, source: "poa_eptc.zip")
        let hexagons = try GeoJSONReader.read(path: TestData.shared("porto-alegre/poa_hexgrid.geojson"))
        let districts = try GeoJSONReader.read(path: TestData.shared("porto-alegre/poa_districts.geojson"))
        let centroid = try TransitProximity.compute(
            stops: stops, population: hexagons, populationField: "population", areas: districts, areaId: "district", session: try Session())
        #expect(centroid.metricCRS == CRS(epsg: 32722))
        #expect(centroid.areas.features.count == 44)
        #expect(centroid.population == 812_870)
        #expect(centroid.populationNear == 757_990)
        let district = try #require(centroid.areas.features.first { $0.values[0] == .string("87a901284ffffff") })
        #expect(district.values[1] == .double(12_222))
        #expect(district.values[2] == .double(8_799))
        let areal = try TransitProximity.compute(
            stops: stops, population: hexagons, populationField: "population", areas: districts, areaId: "district",
            options: .init(model: .areal), session: try Session())
        #expect(abs(areal.populationNear - 757_330.5562540637) < 1e-6)
        let arealDistrict = try #require(areal.areas.features.first { $0.values[0] == .string("87a901284ffffff") })
        #expect(abs((arealDistrict.values[2].number ?? 0) - 8_529.948942964704) < 1e-6)
    }

    // Falun: 290 of the 941 stops have at least 14 average weekday departures (one per hour
    // 06–20); geopandas puts 42,224 of the 59,747 people of the 1 km grid within 500 m of one
    // by cell centroid, and DeSO 2080C1260 at 4,169 of 4,487.
    @Test func falunStopsLayerVariant() throws {
        let published = try GeoJSONReader.read(path: TestData.shared("falun/falun_hallplatser_avgangar.geojson"))
        let stops = try TransitProximity.qualifyingStops(
            published, departuresField: "genomsnitt_veckodag_avgangar", minDepartures: 14)
        let grid = try GeoJSONReader.read(path: TestData.shared("falun/falun_befolkning_1km_2025.geojson"))
        let deso = try GeoJSONReader.read(path: TestData.shared("falun/falun_deso_2025_pop2024.geojson"))
        let result = try TransitProximity.compute(
            stops: stops, population: grid, populationField: "befolkning_2025", areas: deso, areaId: "desokod", session: try Session())
        #expect(result.qualifyingStops == 290)
        #expect(result.metricCRS == .sweref99TM)
        #expect(result.areas.features.count == 37)
        #expect(result.population == 59_747)
        #expect(result.populationNear == 42_224)
        let area = try #require(result.areas.features.first { $0.values[0] == .string("2080C1260") })
        #expect(area.values[1] == .double(4_487))
        #expect(area.values[2] == .double(4_169))
    }

    // A stops layer written by atlas already has departures and qualifies (every-hour rule);
    // the threshold on the departures field replaces them rather than adding a second pair.
    @Test func qualifyingStopsReplaceEarlierFields() throws {
        let layer = Layer(
            source: "stops", format: "test", crs: .wgs84,
            fields: [Field("departures", .integer), Field("qualifies", .boolean), Field("name", .string)],
            features: [
                Feature(geometry: .point(Coordinate(16, 59)), values: [.int(20), .bool(false), .string("a")]),
                Feature(geometry: .point(Coordinate(16, 59)), values: [.int(10), .bool(true), .string("b")]),
            ])
        let marked = try TransitProximity.qualifyingStops(layer, departuresField: "departures", minDepartures: 14)
        #expect(marked.fields.map(\.name) == ["name", "departures", "qualifies"])
        #expect(marked.features.map(\.values) == [
            [.string("a"), .double(20), .bool(true)], [.string("b"), .double(10), .bool(false)],
        ])
    }

    @Test func missingDeparturesFieldIsNamed() throws {
        let published = try GeoJSONReader.read(path: TestData.shared("falun/falun_hallplatser_avgangar.geojson"))
        let error = #expect(throws: AtlasError.self) {
            try TransitProximity.qualifyingStops(published, departuresField: "avgangar", minDepartures: 14)
        }
        #expect(error?.field == "avgangar")
    }
}

@Suite struct PlatformGroupingTests {
    static func platform(_ x: Double, _ y: Double, _ parent: String, _ departures: Double, id: String) -> Feature {
        Feature(geometry: .point(Coordinate(x, y)), values: [.string(id), .string(parent), .double(departures)])
    }

    @Test func twoSidesOfAStreetTogetherReachTheThreshold() throws {
        // Platforms A (11 departures) and B (12) share a parent 30 m apart; C (13) stands alone.
        // Grouped: A+B = 23 ≥ 14 qualifies, C = 13 does not. Per platform none qualifies.
        let stops = Layer(
            source: "stops", format: "test", crs: .sweref99TM,
            fields: [Field("stop_id", .string), Field("parent_station", .string), Field("avg", .real)],
            features: [
                Self.platform(500_000, 6_600_000, "P", 11, id: "A"), Self.platform(500_030, 6_600_000, "P", 12, id: "B"),
                Self.platform(510_000, 6_600_000, "", 13, id: "C"),
            ])
        let grouped = try TransitProximity.groupedStops(stops, departuresField: "avg", parentField: "parent_station", minDepartures: 14)
        #expect(grouped.features.map(\.values) == [
            [.string("P"), .double(23), .bool(true), .int(2)], [.string("C"), .double(13), .bool(false), .int(1)],
        ])
        // A cell centre 480 m east of B is 510 m from A: near through B, a platform of the group.
        let cells = Layer(
            source: "cells", format: "test", crs: .sweref99TM, fields: [Field("pop", .real)],
            features: [Feature(geometry: .point(Coordinate(500_510, 6_600_000)), values: [.double(7)])])
        let areas = Layer(
            source: "areas", format: "test", crs: .sweref99TM, fields: [Field("id", .string)],
            features: [Feature(geometry: ReaggregationTests.square(499_000, 6_599_000, 520_000, 6_601_000), values: [.string("X")])])
        let near = try TransitProximity.compute(
            stops: grouped, population: cells, populationField: "pop", areas: areas, areaId: "id", session: try Session())
        #expect(near.populationNear == 7)
        let ungrouped = try TransitProximity.compute(
            stops: try TransitProximity.qualifyingStops(stops, departuresField: "avg", minDepartures: 14),
            population: cells, populationField: "pop", areas: areas, areaId: "id", session: try Session())
        #expect(ungrouped.populationNear == 0)
    }

    /// Falun's 941 platforms under 505 parents, against a brute-force count written here: sum the
    /// departures per parent_station, and count a 1 km cell's people when its centroid lies within
    /// 500 m of any platform of a group with at least 14.
    @Test func falunPlatformsGroupedByParentAgainstABruteForceCount() throws {
        let falun = TestData.shared("falun") + "/"
        let request = TransitRequest.falun(out: "unused.geojson")
        let session = try Session()
        try request.validate(in: session)
        let result = try request.run(in: session)

        let session2 = try Session()
        let platforms = try GeoJSONReader.read(path: falun + "falun_hallplatser_avgangar.geojson").reprojected(to: .sweref99TM, context: session2.proj)
        let parents = try platforms.values(of: "parent_station").map { $0.text ?? "" }
        let ids = try platforms.values(of: "stop_id").map { $0.text! }
        let departures = try platforms.values(of: "genomsnitt_veckodag_avgangar").map { $0.number ?? 0 }
        var sum: [String: Double] = [:]
        for i in ids.indices { sum[parents[i].isEmpty ? ids[i] : parents[i], default: 0] += departures[i] }
        let qualifying = ids.indices.filter { sum[parents[$0].isEmpty ? ids[$0] : parents[$0]]! >= 14 }
            .map { platforms.features[$0].geometry!.points[0] }
        let cells = try GeoJSONReader.read(path: falun + "falun_befolkning_1km_2025.geojson").reprojected(to: .sweref99TM, context: session2.proj)
        let people = try cells.values(of: "befolkning_2025").map { $0.number ?? 0 }
        var near = 0.0, total = 0.0
        for (k, cell) in cells.features.enumerated() {
            let ring = cell.geometry!.polygons[0][0]
            // Square cells: the centroid is the mean of the four corners.
            let cx = ring.prefix(4).map(\.x).reduce(0, +) / 4, cy = ring.prefix(4).map(\.y).reduce(0, +) / 4
            total += people[k]
            if qualifying.contains(where: { ($0.x - cx) * ($0.x - cx) + ($0.y - cy) * ($0.y - cy) <= 500 * 500 }) { near += people[k] }
        }
        #expect(sum.count == 505)
        #expect(result.stops.features.count == 505)
        #expect(result.qualifyingStops == sum.values.filter { $0 >= 14 }.count)
        #expect(result.proximity?.population == total)
        #expect(result.proximity?.populationNear == near)
        // Grouping lets stops whose sides fall short alone qualify together: more people near
        // than the 42,224 of the per-platform count.
        #expect(near > 42_224)
    }

    @Test func optionsThatDoNotApplyToAStopsLayerAreErrors() throws {
        var request = TransitRequest()
        request.stops = LayerSource(TestData.shared("falun/falun_hallplatser_avgangar.geojson"))
        request.departuresField = "genomsnitt_veckodag_avgangar"
        request.stopsOut = "stops.geojson"
        for (option, change) in [
            ("modes", { (r: inout TransitRequest) in r.modes = [.bus] }),
            ("min-per-hour", { (r: inout TransitRequest) in r.minPerHour = 2 }),
            ("window", { (r: inout TransitRequest) in r.window = TimeWindow(argument: "07:00-19:00") }),
            ("parent-field", { (r: inout TransitRequest) in r.groupStops = .parent; r.parentField = "hpl" }),
        ] as [(String, (inout TransitRequest) -> Void)] {
            var bad = request
            change(&bad)
            let error = #expect(throws: OptionError.self) { try bad.validate(in: try Session()) }
            #expect(error?.option == option)
        }
    }
}
