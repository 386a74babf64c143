import Foundation
import Testing

@Suite struct DemoTests {
    /// Every layer an RFC 7946 FeatureCollection: lon/lat positions, closed rings with the
    /// exterior counter-clockwise and holes clockwise, and the contract's properties on every feature.
    static func checkRFC7946(_ path: String, properties: [String]) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["type"] as? String == "FeatureCollection")
        #expect(root["crs"] == nil)
        let features = try #require(root["features"] as? [[String: Any]])
        #expect(!features.isEmpty)
        for feature in features {
            #expect(feature["type"] as? String == "Feature")
            let props = try #require(feature["properties"] as? [String: Any])
            for name in properties { #expect(props.keys.contains(name), "\(path): no \(name)") }
            guard let geometry = feature["geometry"] as? [String: Any] else { continue }
            let type = geometry["type"] as? String
            let coordinates = geometry["coordinates"]
            switch type {
            case "Polygon": checkRings(coordinates as? [[[Double]]] ?? [], path)
            case "MultiPolygon": for rings in coordinates as? [[[[Double]]]] ?? [] { checkRings(rings, path) }
            case "Point":
                let p = coordinates as? [Double] ?? []
                #expect(p.count == 2 && abs(p[0]) <= 180 && abs(p[1]) <= 90)
            case "MultiPoint":
                let points = coordinates as? [[Double]] ?? []
                #expect(!points.isEmpty && points.allSatisfy { $0.count == 2 && abs($0[0]) <= 180 && abs($0[1]) <= 90 })
            default: Issue.record("\(path): unexpected geometry \(type ?? "nil")")
            }
        }
        return features.map { $0["properties"] as? [String: Any] ?? [:] }
    }

    static func checkRings(_ rings: [[[Double]]], _ path: String) {
        #expect(!rings.isEmpty)
        for (k, ring) in rings.enumerated() {
            #expect(ring.count >= 4 && ring.first == ring.last, "\(path): ring not closed")
            #expect(ring.allSatisfy { $0.count == 2 && abs($0[0]) <= 180 && abs($0[1]) <= 90 })
            // Shoelace sum: positive for counter-clockwise.
            var sum = 0.0
            for i in 0..<(ring.count - 1) { sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] }
            #expect(k == 0 ? sum > 0 : sum < 0, "\(path): ring \(k) has the wrong orientation")
        }
    }

    @Test func theDemoWritesEveryLayerAndAReportWithOneMapPerIndicator() throws {
        let folder = try CLI.temporaryFolder()
        let result = try CLI.run(["demo", "--out", folder])
        #expect(result.status == 0, "\(result.stderr)")

        let lowIncome = try Self.checkRFC7946(folder + "/lowincome_lan.geojson", properties: ["lan_kod", "count", "total", "share", "suppressed", "class"])
        #expect(lowIncome.count == 21)
        // Kolada 2021: Södermanland (Kolada 0004 → county 04) is the highest, 12.236147 %.
        let highest = lowIncome.max { ($0["share"] as? Double ?? 0) < ($1["share"] as? Double ?? 0) }
        #expect(highest?["lan_kod"] as? String == "04")
        #expect(abs((highest?["share"] as? Double ?? 0) - 0.12236147) < 1e-8)

        let transit = try Self.checkRFC7946(folder + "/transit_falun_deso.geojson", properties: ["desokod", "population", "population_near", "share_near"])
        #expect(transit.count == 37)
        // The region's 941 platforms grouped under their 505 parent stops.
        let stops = try Self.checkRFC7946(folder + "/transit_falun_stops.geojson", properties: ["stop_id", "departures", "qualifies", "platforms"])
        #expect(stops.count == 505)
        #expect(stops.reduce(0) { $0 + ($1["platforms"] as? Int ?? 0) } == 941)

        let access = try Self.checkRFC7946(
            folder + "/access_poa_districts.geojson",
            properties: ["district", "population", "mean_minutes", "median_minutes", "share_within_5", "share_within_10", "share_within_30", "population_unreachable"])
        #expect(access.count == 44)
        let cells = try Self.checkRFC7946(folder + "/access_poa_cells.geojson", properties: ["minutes", "nearest_id"])
        #expect(cells.count == 1227)

        let transitAreas = try Self.checkRFC7946(
            folder + "/access_transit_poa_districts.geojson",
            properties: ["district", "population", "mean_minutes", "median_minutes", "share_within_15", "share_within_60", "ratio_to_car"])
        #expect(transitAreas.count == 44)
        let transitCells = try Self.checkRFC7946(
            folder + "/access_transit_poa_cells.geojson", properties: ["minutes", "minutes_p25", "minutes_p50", "minutes_p75", "ratio_to_car"])
        #expect(transitCells.count == 1227)
        // The restidskvot recomputed from the two cells layers: transit minutes / car minutes,
        // matched by hexagon id; null exactly where either is missing.
        var carMinutes: [String: Double] = [:]
        for cell in cells { if let id = cell["id"] as? String, let m = cell["minutes"] as? Double { carMinutes[id] = m } }
        var compared = 0
        for cell in transitCells {
            let id = cell["id"] as? String ?? ""
            let transit = cell["minutes"] as? Double, car = carMinutes[id]
            guard let transit, let car, car > 0 else {
                #expect(cell["ratio_to_car"] is NSNull, "\(id)")
                continue
            }
            let ratio = try #require(cell["ratio_to_car"] as? Double)
            #expect(abs(ratio - transit / car) < 1e-9 * ratio, "\(id)")
            // The median is the 30th of the 60 minutes, between the 25th and 75th percentiles.
            #expect((cell["minutes_p25"] as? Double ?? .infinity) <= transit)
            #expect(transit <= (cell["minutes_p75"] as? Double ?? .infinity))
            compared += 1
        }
        #expect(compared > 1000)

        let report = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        // One map per indicator (four with public transport), and the county series as a trend
        // chart with a sparkline per county.
        #expect(report.components(separatedBy: "class=\"map\"").count - 1 == 4)
        #expect(report.components(separatedBy: "<svg class=\"spark\"").count - 1 == 21)
        #expect(report.components(separatedBy: "class=\"trend\"").count - 1 == 1)
        #expect(report.contains("Restidskvot"))
        #expect(report.contains("Södermanlands län"))
        #expect(!report.contains("http://") || !report.contains("<script src"))
    }

    @Test func theSameDemoTwiceGivesTheSameLayers() throws {
        let a = try CLI.temporaryFolder(), b = try CLI.temporaryFolder()
        // The run's time is the one part of "atlas:run" that changes; SOURCE_DATE_EPOCH fixes it.
        let fixedTime = ["SOURCE_DATE_EPOCH": "1764547200"]
        #expect(try CLI.run(["demo", "--out", a, "--quiet"], environment: fixedTime).status == 0)
        #expect(try CLI.run(["demo", "--out", b, "--quiet"], environment: fixedTime).status == 0)
        for name in [
            "lowincome_lan", "transit_falun_deso", "transit_falun_stops", "access_poa_districts", "access_poa_cells",
            "access_transit_poa_districts", "access_transit_poa_cells",
        ] {
            let x = try Data(contentsOf: URL(fileURLWithPath: "\(a)/\(name).geojson"))
            let y = try Data(contentsOf: URL(fileURLWithPath: "\(b)/\(name).geojson"))
            #expect(x == y, "\(name) differs between runs")
        }
    }

    @Test func aProjectWithAnUnknownKeyOrAMissingInputStopsBeforeAnythingRuns() throws {
        let folder = try CLI.temporaryFolder()
        let demo = try String(contentsOfFile: CLI.repositoryRoot.appendingPathComponent("GeoData/demo.yml").path, encoding: .utf8)
        let geoData = CLI.repositoryRoot.appendingPathComponent("GeoData").path
        let absolute = demo.replacingOccurrences(of: "path: ", with: "path: \(geoData)/")
            .replacingOccurrences(of: "kolada_child_poverty: sweden/", with: "kolada_child_poverty: \(geoData)/sweden/")
            .replacingOccurrences(of: "falun_grid: falun/", with: "falun_grid: \(geoData)/falun/")
            .replacingOccurrences(of: "falun_stops: falun/", with: "falun_stops: \(geoData)/falun/")
            .replacingOccurrences(of: "poa_roads: porto-alegre/", with: "poa_roads: \(geoData)/porto-alegre/")
            .replacingOccurrences(of: "poa_hexagons: porto-alegre/", with: "poa_hexagons: \(geoData)/porto-alegre/")
            .replacingOccurrences(of: "poa_healthcare: porto-alegre/", with: "poa_healthcare: \(geoData)/porto-alegre/")
            .replacingOccurrences(of: "poa_buses: porto-alegre/", with: "poa_buses: \(geoData)/porto-alegre/")
            .replacingOccurrences(of: "poa_metro: porto-alegre/", with: "poa_metro: \(geoData)/porto-alegre/")

        let unknownKey = folder + "/unknown.yml"
        try absolute.replacingOccurrences(of: "language: sv", with: "language: sv\ncolour: red").write(toFile: unknownKey, atomically: true, encoding: .utf8)
        let out1 = folder + "/out1"
        let r1 = try CLI.run(["build", unknownKey, "--out", out1])
        #expect(r1.status != 0)
        #expect(r1.stderr.contains("unknown key 'colour'"), "\(r1.stderr)")
        #expect(r1.stderr.contains("unknown.yml"))
        #expect(!FileManager.default.fileExists(atPath: out1))

        let missing = folder + "/missing.yml"
        try absolute.replacingOccurrences(of: "poa_osm.pbf", with: "no_such_roads.pbf").write(toFile: missing, atomically: true, encoding: .utf8)
        let r2 = try CLI.run(["build", missing, "--out", folder + "/out2"])
        #expect(r2.status != 0)
        #expect(r2.stderr.contains("no_such_roads.pbf"), "\(r2.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/out2"))

        // A bad option in the last run stops the build before the first run writes anything.
        let badOption = folder + "/bad-option.yml"
        try absolute.replacingOccurrences(of: "mode: car", with: "mode: car\n      colour: red").write(toFile: badOption, atomically: true, encoding: .utf8)
        let out3 = folder + "/out3"
        let r3 = try CLI.run(["build", badOption, "--out", out3])
        #expect(r3.status != 0)
        #expect(r3.stderr.contains("healthcare_porto_alegre"), "\(r3.stderr)")
        #expect(r3.stderr.contains("colour"))
        #expect(!FileManager.default.fileExists(atPath: out3 + "/lowincome_lan.geojson"))
    }
}

@Suite struct SeriesTests {
    /// The demo's county layer holds the Kolada series: for every county, 15 yearly shares that
    /// equal the CSV's percentages divided by 100, the latest as `share`, and `change`.
    @Test func theKoladaSeriesGivesFifteenYearlyValuesPerCountyThatEqualTheCSV() throws {
        let folder = try CLI.temporaryFolder()
        let csv = CLI.repositoryRoot.appendingPathComponent("GeoData/sweden/kolada_N02904_lan_2007-2021.csv").path
        let out = folder + "/series.geojson"
        let result = try CLI.run([
            "lowincome", "--areas", CLI.repositoryRoot.appendingPathComponent("GeoData/sweden/lan_wgs84.geojson").path,
            "--area-id", "lan_kod", "--stats", csv, "--stats-id", "municipality_id", "--series", "year", "--share", "value",
            "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        // The CSV read plainly: "kpi","municipality_id","year","value","municipality".
        var expected: [String: [Int: Double]] = [:]
        for line in try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst() {
            // The kpi text holds a comma inside its quotes: read the last four fields.
            let cells = line.split(separator: ",").suffix(4).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"\r")) }
            let county = String(cells[0].suffix(2))  // Kolada's 0004 is county 04
            expected[county, default: [:]][Int(cells[1])!] = Double(cells[2])! / 100
        }
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let features = try #require(root["features"] as? [[String: Any]])
        #expect(features.count == 21)
        for feature in features {
            let p = try #require(feature["properties"] as? [String: Any])
            let county = try #require(p["lan_kod"] as? String)
            let years = try #require(expected[county])
            #expect(years.count == 15)
            for (year, share) in years {
                let written = try #require(p["share_\(year)"] as? Double, "\(county) \(year)")
                #expect(abs(written - share) < 1e-15, "\(county) \(year)")
            }
            #expect(p["share"] as? Double == p["share_2021"] as? Double)
            #expect(abs((p["change"] as? Double ?? .nan) - (years[2021]! - years[2007]!)) < 1e-15)
        }
    }

    @Test func referenceRowsAreKeptApartFromTheAreas() throws {
        // A national row 0000 added by hand to two years of two counties.
        let folder = try CLI.temporaryFolder()
        let csv = folder + "/t.csv"
        try """
            region,year,value
            0000,2020,10.0
            0000,2021,9.5
            01,2020,8.0
            01,2021,7.0
            03,2020,12.0
            03,2021,13.0
            """.write(toFile: csv, atomically: true, encoding: .utf8)
        let out = folder + "/x.geojson"
        let result = try CLI.run([
            "lowincome", "--areas", CLI.repositoryRoot.appendingPathComponent("GeoData/sweden/lan_wgs84.geojson").path,
            "--area-id", "lan_kod", "--stats", csv, "--stats-id", "region", "--series", "year", "--share", "value",
            "--reference", "0000", "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let references = try #require(root["atlas:references"] as? [[String: Any]])
        #expect(references.count == 1)
        #expect(references[0]["id"] as? String == "0000")
        let values = try #require(references[0]["values"] as? [String: Double])
        #expect(values == ["2020": 0.1, "2021": 0.095])
        let uppsala = try #require((root["features"] as? [[String: Any]])?.compactMap { $0["properties"] as? [String: Any] }
            .first { $0["lan_kod"] as? String == "03" })
        #expect(abs((uppsala["change"] as? Double)! - 0.01) < 1e-12)
        #expect(!result.stderr.contains("0000"), "the reference row is not reported as a row without an area: \(result.stderr)")
    }
}
