import Foundation
import Testing

@Suite struct InspectExportTests {
    // A bow-tie: the ring (0,0) → (2,2) → (2,0) → (0,2) → (0,0) crosses itself at (1,1).
    static let bowTie = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},{"type":"Feature","properties":{"id":"bowtie"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}}]}"#

    @Test func inspectReportsASelfIntersectionAndExportRepairsItOnRequest() throws {
        let folder = try CLI.temporaryFolder()
        let input = folder + "/bowtie.geojson"
        try Self.bowTie.write(toFile: input, atomically: true, encoding: .utf8)

        let inspect = try CLI.run(["inspect", input])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("features:   2"))
        #expect(inspect.stdout.contains("record 2: Self-intersection"), "\(inspect.stdout)")

        let output = folder + "/fixed.geojson"
        let export = try CLI.run(["export", input, "--out", output, "--make-valid", "--quiet"])
        #expect(export.status == 0, "\(export.stderr)")
        let again = try CLI.run(["inspect", output])
        #expect(again.stdout.contains("invalid:    none"), "\(again.stdout)")
        // make-valid splits the bow-tie into two triangles of area 1 each: a MultiPolygon.
        #expect(again.stdout.contains("MultiPolygon 1"))
    }

    @Test func exportOfTheMunicipalitiesKeepsEveryFeatureAndTheSwedishNames() throws {
        let folder = try CLI.temporaryFolder()
        let output = folder + "/kommun.geojson"
        let result = try CLI.run(["export", CLI.shared("sweden/shp/kommun_cp1252.shp"), "--out", output])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("kommun.geojson: 290 features"))
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.contains("\"Älvdalen\""))
        #expect(text.contains("\"Håbo\""))
    }

    @Test func aShapefileWithoutPrjNeedsCrsAndLeavesNoOutput() throws {
        let folder = try CLI.temporaryFolder()
        for ext in ["shp", "shx", "dbf", "cpg"] {
            try FileManager.default.copyItem(
                atPath: CLI.shared("falun/shp/falun_vard.\(ext)"), toPath: folder + "/vard.\(ext)")
        }
        let output = folder + "/vard.geojson"
        let failed = try CLI.run(["export", folder + "/vard.shp", "--out", output])
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("vard"))
        #expect(failed.stderr.contains("--crs"))
        #expect(!FileManager.default.fileExists(atPath: output))

        let fixed = try CLI.run(["export", folder + "/vard.shp", "--out", output, "--crs", "EPSG:3006"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stderr.contains("vard.geojson: 9 features"))
    }

    @Test func aTruncatedShapefileFailsWithoutWritingAndKeepsAnOlderOutput() throws {
        let folder = try CLI.temporaryFolder()
        for ext in ["shx", "dbf", "prj", "cpg"] {
            try FileManager.default.copyItem(
                atPath: CLI.shared("sweden/shp/kommun.\(ext)"), toPath: folder + "/kommun.\(ext)")
        }
        let shp = try Data(contentsOf: URL(fileURLWithPath: CLI.shared("sweden/shp/kommun.shp")))
        try shp.prefix(shp.count / 2).write(to: URL(fileURLWithPath: folder + "/kommun.shp"))
        let output = folder + "/kommun.geojson"
        try "old".write(toFile: output, atomically: true, encoding: .utf8)

        let result = try CLI.run(["export", folder + "/kommun.shp", "--out", output])
        #expect(result.status != 0)
        #expect(result.stderr.contains("kommun.shp"))
        #expect(result.stderr.contains("truncated"), "\(result.stderr)")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func anEmptyFileAndAShortCSVRowAreErrorsNamingTheFile() throws {
        let folder = try CLI.temporaryFolder()
        try "".write(toFile: folder + "/empty.geojson", atomically: true, encoding: .utf8)
        let empty = try CLI.run(["inspect", folder + "/empty.geojson"])
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("empty.geojson"))
        #expect(empty.stderr.contains("empty"))

        try "x,y,name\n15.6,60.6,Falun\n15.7,60.7\n".write(toFile: folder + "/short.csv", atomically: true, encoding: .utf8)
        let short = try CLI.run(["export", folder + "/short.csv", "--out", folder + "/short.geojson", "--crs", "EPSG:4326"])
        #expect(short.status != 0)
        #expect(short.stderr.contains("short.csv"))
        #expect(short.stderr.contains("line 3"), "\(short.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/short.geojson"))
    }

    @Test func aRutidTableExportsAsGridCells() throws {
        let folder = try CLI.temporaryFolder()
        let output = folder + "/grid.geojson"
        let result = try CLI.run(["export", CLI.shared("dalarna/befolkning_1km_2025_dalarna.csv"), "--out", output])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("grid.geojson: 4004 features"))
    }
}

@Suite struct InspectFeedsAndTablesTests {
    @Test func aGTFSFeedShowsItsServiceDates() throws {
        let result = try CLI.run(["inspect", CLI.shared("porto-alegre/poa_eptc.zip")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("format:     GTFS"))
        // stops.txt has 3,986 rows; calendar.txt runs from 20190415 to 20190715.
        #expect(result.stdout.contains("stops:      3986"))
        #expect(result.stdout.contains("service:    2019-04-15 to 2019-07-15"))
    }

    @Test func aStatisticsTableShowsItsColumns() throws {
        let result = try CLI.run(["inspect", CLI.shared("sweden/kolada_N02904_lan_2007-2021.csv")])
        #expect(result.status == 0, "\(result.stderr)")
        // 21 regions × 15 years (2007–2021) = 315 rows.
        #expect(result.stdout.contains("rows:       315"))
        #expect(result.stdout.contains("municipality_id  string"))
    }
}
