import Foundation
import Testing
import Atlas

/// The indicator contract: the command line and a project file make the same request and so the
/// same bytes; every layer says how it was made; a project is checked whole before anything runs.
@Suite struct ContractTests {
    static let geoData = CLI.repositoryRoot.appendingPathComponent("GeoData").path
    static let fixedTime = ["SOURCE_DATE_EPOCH": "1764547200"]

    /// The same run given as flags and as a one-run project file; returns both outputs' bytes.
    func compare(indicator: String, flags: [String], options: [(String, String)], outputs: [(flag: String, file: String)]) throws {
        let folder = try CLI.temporaryFolder()
        var arguments = [indicator] + flags
        for (flag, file) in outputs { arguments += [flag, folder + "/cli-" + file] }
        let cli = try CLI.run(arguments, environment: Self.fixedTime)
        #expect(cli.status == 0, "\(cli.stderr)")

        var yaml = "title: contract\nruns:\n  - name: the_run\n    indicator: \(indicator)\n"
        yaml += "    out: \(outputs[0].file)\n    options:\n"
        for (key, value) in options { yaml += "      \(key): \(value)\n" }
        for (flag, file) in outputs.dropFirst() { yaml += "      \(flag.dropFirst(2)): \(file)\n" }
        let project = folder + "/project.yml"
        try yaml.write(toFile: project, atomically: true, encoding: .utf8)
        let built = try CLI.run(["build", project, "--out", folder + "/built"], environment: Self.fixedTime)
        #expect(built.status == 0, "\(built.stderr)")

        for (_, file) in outputs {
            let a = try Data(contentsOf: URL(fileURLWithPath: folder + "/cli-" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: folder + "/built/" + file))
            #expect(a == b, "\(indicator): \(file) differs between the command and the project")
            #expect(a.count > 1000)
        }
    }

    @Test func lowIncomeFromTheCommandLineAndFromAProjectIsTheSame() throws {
        let areas = Self.geoData + "/sweden/lan_wgs84.geojson", stats = Self.geoData + "/sweden/kolada_N02904_lan_2007-2021.csv"
        try compare(
            indicator: "lowincome",
            flags: ["--areas", areas, "--area-id", "lan_kod", "--stats", stats, "--stats-id", "municipality_id",
                    "--where", "year=2021", "--share", "value", "--classes", "4", "--scheme", "jenks"],
            options: [("areas", areas), ("area-id", "lan_kod"), ("stats", stats), ("stats-id", "municipality_id"),
                      ("where", "year=2021"), ("share", "value"), ("classes", "4"), ("scheme", "jenks")],
            outputs: [("--out", "lowincome.geojson")])
    }

    @Test func transitFromTheCommandLineAndFromAProjectIsTheSame() throws {
        let falun = Self.geoData + "/falun/"
        let pairs = [
            ("stops", falun + "falun_hallplatser_avgangar.geojson"), ("departures-field", "genomsnitt_veckodag_avgangar"),
            ("population", falun + "falun_befolkning_1km_2025.geojson"), ("population-field", "befolkning_2025"),
            ("areas", falun + "falun_deso_2025_pop2024.geojson"), ("area-id", "desokod"), ("radius", "400"),
        ]
        try compare(
            indicator: "transit", flags: pairs.flatMap { ["--" + $0.0, $0.1] }, options: pairs,
            outputs: [("--out", "transit.geojson"), ("--stops-out", "stops.geojson")])
    }

    @Test func accessFromTheCommandLineAndFromAProjectIsTheSame() throws {
        let poa = Self.geoData + "/porto-alegre/"
        let pairs = [
            ("network", poa + "poa_osm.pbf"), ("mode", "walk"), ("destinations", poa + "poa_healthcare.geojson"),
            ("origins", poa + "poa_hexgrid.geojson"), ("population-field", "population"),
            ("areas", poa + "poa_districts.geojson"), ("area-id", "district"), ("thresholds", "10,20"),
        ]
        try compare(
            indicator: "access", flags: pairs.flatMap { ["--" + $0.0, $0.1] }, options: pairs,
            outputs: [("--out", "access.geojson"), ("--cells-out", "cells.geojson")])
    }

    @Test func transitAccessFromTheCommandLineAndFromAProjectIsTheSame() throws {
        let poa = Self.geoData + "/porto-alegre/"
        let pairs = [
            ("mode", "transit"), ("gtfs", poa + "poa_eptc.zip"), ("date", "2019-05-15"), ("departure-window", "12:00-12:05"),
            ("max-walk", "5"), ("network", poa + "poa_osm.pbf"), ("destinations", poa + "poa_healthcare.geojson"),
            ("origins", poa + "poa_hexgrid.geojson"), ("population-field", "population"), ("percentiles", "10,90"),
        ]
        try compare(
            indicator: "access", flags: pairs.flatMap { ["--" + $0.0, $0.1] }, options: pairs,
            outputs: [("--out", "areas.geojson"), ("--minutes-csv", "minutes.csv")])
    }

    /// `"atlas:run"` of a written layer, decoded.
    static func provenance(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(root["atlas:run"] as? [String: Any], "\(path) has no atlas:run")
    }

    /// The SHA-256 as coreutils computes it, independently of atlas's own.
    static func sha256sum(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }

    @Test func everyDemoLayerSaysHowItWasMade() throws {
        let folder = try CLI.temporaryFolder()
        let result = try CLI.run(["demo", "--out", folder], environment: Self.fixedTime)
        #expect(result.status == 0, "\(result.stderr)")
        let expected: [(file: String, indicator: String, primary: String)] = [
            ("lowincome_lan", "lowincome", "share"), ("transit_falun_deso", "transit", "share_near"),
            ("transit_falun_stops", "transit", "departures"), ("access_poa_districts", "access", "mean_minutes"),
            ("access_poa_cells", "access", "minutes"),
        ]
        for (file, indicator, primary) in expected {
            let run = try Self.provenance("\(folder)/\(file).geojson")
            #expect(run["indicator"] as? String == indicator)
            #expect(run["version"] as? String == "0.2.0")
            #expect(run["time"] as? String == "2025-12-01T00:00:00Z")
            #expect(run["primary"] as? String == primary)
            #expect((run["warnings"] as? [Any]) != nil)
            let properties = try #require(run["properties"] as? [[String: Any]])
            #expect(properties.contains { $0["name"] as? String == primary && !($0["meaning"] as? String ?? "").isEmpty })
            let inputs = try #require(run["inputs"] as? [[String: Any]])
            #expect(!inputs.isEmpty)
            for input in inputs {
                let name = try #require(input["file"] as? String)
                let path = try #require(FileManager.default.enumerator(atPath: Self.geoData)?.compactMap { $0 as? String }
                    .first { URL(fileURLWithPath: $0).lastPathComponent == name })
                let full = Self.geoData + "/" + path
                #expect(input["sha256"] as? String == (try Self.sha256sum(full)), "\(name)")
                let size = try FileManager.default.attributesOfItem(atPath: full)[.size] as? Int
                #expect(input["bytes"] as? Int == size)
            }
        }
        // Defaults are recorded with their effective values, not left out.
        let transit = try #require(try Self.provenance("\(folder)/transit_falun_deso.geojson")["parameters"] as? [String: Any])
        #expect(transit["radius"] as? Double == 500)
        #expect(transit["min-departures"] as? Double == 14)
        #expect(transit["group-stops"] as? String == "parent")
        #expect(transit["parent-field"] as? String == "parent_station")
        #expect(transit["area-assignment"] as? String == "areal")
        let access = try #require(try Self.provenance("\(folder)/access_poa_districts.geojson")["parameters"] as? [String: Any])
        #expect(access["mode"] as? String == "car")
        #expect(access["thresholds"] as? [Double] == [5, 10, 30])
        #expect(access["max-snap"] as? Double == 1000)
    }

    @Test func eachCommandWritesItsProvenanceToo() throws {
        let folder = try CLI.temporaryFolder()
        let out = folder + "/kommun.geojson"
        let result = try CLI.run(["export", CLI.shared("sweden/shp/kommun_cp1252.shp"), "--out", out, "--precision", "4"])
        #expect(result.status == 0, "\(result.stderr)")
        let run = try Self.provenance(out)
        #expect(run["indicator"] as? String == "export")
        #expect((run["parameters"] as? [String: Any])?["precision"] as? Int == 4)
        #expect(((run["inputs"] as? [[String: Any]])?.first?["file"] as? String) == "kommun_cp1252.shp")
    }

    @Test func anInputGivenThroughASymbolicLinkIsRecordedAsTheFileItNames() throws {
        // The link's own size (its path's length) is not the input's: the provenance gives the
        // size and digest of the file linked to, as `stat -L` and `sha256sum` see it.
        let folder = try CLI.temporaryFolder()
        let target = CLI.shared("dalarna/deso_2025_dalarna.geojson")
        let link = folder + "/deso.geojson"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let out = folder + "/out.geojson"
        let result = try CLI.run(["export", link, "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let input = try #require((try Self.provenance(out)["inputs"] as? [[String: Any]])?.first)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: target)[.size] as? Int)
        #expect(input["bytes"] as? Int == size)
        #expect(input["sha256"] as? String == (try Self.sha256sum(target)))
    }

    @Test func anUnknownFieldInTheLastRunStopsTheBuildBeforeAnyLayerIsWritten() throws {
        let folder = try CLI.temporaryFolder()
        var demo = try String(contentsOfFile: Self.geoData + "/demo.yml", encoding: .utf8)
        demo = demo.replacingOccurrences(of: "population-field: population", with: "population-field: no_such_field")
        let project = Self.geoData + "/contract-test-\(UUID().uuidString).yml"
        try demo.write(toFile: project, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: project) }
        let out = folder + "/out"
        let result = try CLI.run(["build", project, "--out", out])
        #expect(result.status != 0)
        #expect(result.stderr.contains(URL(fileURLWithPath: project).lastPathComponent), "\(result.stderr)")
        #expect(result.stderr.contains("healthcare_porto_alegre"))
        #expect(result.stderr.contains("(line "))
        #expect(result.stderr.contains("no_such_field"))
        let written = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        #expect(written.filter { $0.hasSuffix(".geojson") || $0.hasSuffix(".html") }.isEmpty, "\(written)")
    }

    @Test func aBadValueInAProjectNamesTheLineOfItsOption() throws {
        let folder = try CLI.temporaryFolder()
        let yaml = """
            title: t
            runs:
              - name: near
                indicator: transit
                out: near.geojson
                options:
                  stops: \(Self.geoData)/falun/falun_hallplatser_avgangar.geojson
                  departures-field: genomsnitt_veckodag_avgangar
                  radius: far
            """
        let project = folder + "/bad.yml"
        try yaml.write(toFile: project, atomically: true, encoding: .utf8)
        let result = try CLI.run(["build", project, "--out", folder + "/out"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("bad.yml"), "\(result.stderr)")
        #expect(result.stderr.contains("option 'radius'"), "\(result.stderr)")
        #expect(result.stderr.contains("(line 9)"), "\(result.stderr)")
    }

    @Test func projectOutputsMustStayInsideTheOutputFolder() throws {
        let folder = try CLI.temporaryFolder()
        for out in ["../escaped.geojson", "/tmp/absolute.geojson"] {
            let yaml = """
                title: t
                runs:
                  - name: near
                    indicator: transit
                    out: \(out)
                    options:
                      stops: \(Self.geoData)/falun/falun_hallplatser_avgangar.geojson
                      departures-field: genomsnitt_veckodag_avgangar
                      stops-out: stops.geojson
                """
            let project = folder + "/escape.yml"
            try yaml.write(toFile: project, atomically: true, encoding: .utf8)
            let result = try CLI.run(["build", project, "--out", folder + "/out"])
            #expect(result.status != 0)
            #expect(result.stderr.contains(out), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/escaped.geojson"))
            #expect(!FileManager.default.fileExists(atPath: folder + "/out/stops.geojson"))
        }
    }
}

@Suite struct KeyTableCLITests {
    @Test func aDeSOTableJoinsToMunicipalitiesThroughAKey() throws {
        let folder = try CLI.temporaryFolder()
        let table = CLI.shared("dalarna/deso_befolkning_2024.csv")
        // The key: each DeSO's kommun, written from the table's own kommunkod column.
        let rows = try String(contentsOfFile: table, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let key = folder + "/key.csv"
        try (["deso,kommun"] + rows.map { "\($0[0]),\($0[4])" }).joined(separator: "\n").write(toFile: key, atomically: true, encoding: .utf8)
        let out = folder + "/kommun.geojson"
        let result = try CLI.run([
            "lowincome", "--areas", CLI.shared("sweden/kommun_wgs84.geojson"), "--area-id", "kommun_kod",
            "--stats", table, "--stats-id", "desokod", "--key", key, "--key-from", "deso", "--key-to", "kommun",
            "--count", "befolkning_65_plus_2024", "--total", "befolkning_2024", "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let features = try #require(root["features"] as? [[String: Any]])
        let falun = try #require(features.compactMap { $0["properties"] as? [String: Any] }.first { $0["kommun_kod"] as? String == "2080" })
        // Falun's DeSO summed directly from the table.
        let falunRows = rows.filter { $0[4] == "2080" }
        #expect(falun["count"] as? Double == falunRows.reduce(0) { $0 + Double($1[2])! })
        #expect(falun["total"] as? Double == falunRows.reduce(0) { $0 + Double($1[1])! })
        #expect(falun["status"] as? String == "ok")
        let run = try #require(root["atlas:run"] as? [String: Any])
        #expect((run["inputs"] as? [[String: Any]])?.contains { $0["option"] as? String == "key" } == true)
    }
}

@Suite struct OutputPrecisionTests {
    static let deso = CLI.shared("dalarna/deso_2025_dalarna.geojson")

    @Test func aPrecisionThatCollapsesPolygonsIsRefusedAndWritesNothing() throws {
        let folder = try CLI.temporaryFolder()
        let result = try CLI.run(["export", Self.deso, "--out", folder + "/x.geojson", "--precision", "0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--precision: 0 decimals would make 170 of 175 polygons collapse"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.geojson"))
    }

    @Test func coarseCoordinatesAreSnapRoundedSoEveryPolygonIsValid() throws {
        let folder = try CLI.temporaryFolder()
        let out = folder + "/nested/folder/x.geojson"
        let result = try CLI.run(["export", Self.deso, "--out", out, "--precision", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("of the features polygons would be invalid with 3 decimals"), "\(result.stderr)")
        let layer = try GeoJSONReader.read(path: out)
        let geos = try GEOSContext()
        #expect(layer.features.count == 175)
        for feature in layer.features {
            let g = try GEOSGeometry(feature.geometry!, context: geos)
            #expect(try g.isValid && g.area > 0)
        }
    }

    @Test func anOutputThatAtlasCannotWriteIsRefusedBeforeComputing() throws {
        let folder = try CLI.temporaryFolder()
        for (out, message) in [(folder + "/a.shp", "atlas cannot write this file type: it writes GeoJSON (.geojson, .json) and GeoPackage"), (folder, "is a folder")] {
            let result = try CLI.run(["export", Self.deso, "--out", out])
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/a.shp"))
    }
}

@Suite struct PortalSizedIndicatorTests {
    @Test func anIndicatorLayerCanBeSimplifiedRoundedAndThinned() throws {
        let folder = try CLI.temporaryFolder()
        let dalarna = CLI.shared("dalarna")
        let base = [
            "lowincome", "--areas", dalarna + "/deso_2025_dalarna.geojson", "--area-id", "desokod",
            "--stats", dalarna + "/deso_befolkning_2024.csv", "--stats-id", "desokod",
            "--count", "befolkning_65_plus_2024", "--total", "befolkning_2024",
        ]
        #expect(try CLI.run(base + ["--out", folder + "/plain.geojson"]).status == 0)
        let small = try CLI.run(base + ["--out", folder + "/small.geojson", "--simplify", "25", "--digits", "4", "--drop-empty"])
        #expect(small.status == 0, "\(small.stderr)")
        let plain = try GeoJSONReader.read(path: folder + "/plain.geojson")
        let thin = try GeoJSONReader.read(path: folder + "/small.geojson")
        #expect(thin.features.count == 175)
        var plainVertices = 0, thinVertices = 0
        let geos = try GEOSContext()
        for (a, b) in zip(plain.features, thin.features) {
            a.geometry!.forEachCoordinate { _ in plainVertices += 1 }
            b.geometry!.forEachCoordinate { _ in thinVertices += 1 }
            #expect(try GEOSGeometry(b.geometry!, context: geos).isValid)
            // Four significant digits: the share agrees with the full figure to 5e-5 relative.
            let full = a.values[3].number!, rounded = b.values[3].number!
            #expect(abs(rounded - full) <= 5e-4 * full)
        }
        #expect(thinVertices * 3 < plainVertices)
        let run = try #require(thin.metadata["atlas:run"]?["parameters"])
        #expect(run["simplify"] == .int(25))
    }
}
