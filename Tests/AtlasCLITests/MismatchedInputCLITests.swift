import Foundation
import Testing

/// Inputs that do not fit each other through the command line: coordinates that are not in the
/// CRS they are read in, a PxWeb export with its title and footer, a table of names for codes.
@Suite struct MismatchedInputCLITests {
    private func contents(_ folder: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: folder))
    }

    /// The Dalarna care points as a shapefile without `.prj` (SWEREF 99 TM coordinates).
    private func careShapefileWithoutPrj(in folder: String) throws -> String {
        for ext in ["shp", "shx", "dbf", "cpg"] {
            try FileManager.default.copyItem(
                atPath: CLI.shared("dalarna/shp/vardcentraler_sjukhus.\(ext)"), toPath: folder + "/vard.\(ext)")
        }
        return folder + "/vard.shp"
    }

    @Test func exportOfSwerefMetresAsWGS84FailsWithAGuessAndWritesNothing() throws {
        let folder = try CLI.temporaryFolder()
        let input = try careShapefileWithoutPrj(in: folder)
        let before = try contents(folder)
        let result = try CLI.run(["export", input, "--crs", "EPSG:4326", "--out", folder + "/x.geojson"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(
            "\(input): the coordinates do not fit WGS 84 (EPSG:4326): the extent 400792, 6667744 – 566690, 6841226 is not longitude and latitude, which lie within ±180 and ±90; the coordinates look like SWEREF 99 TM (EPSG:3006): pass --crs EPSG:3006"),
            "\(result.stderr)")
        #expect(try contents(folder) == before)

        let inspect = try CLI.run(["inspect", input, "--crs", "EPSG:4326"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("warning:    the coordinates do not fit WGS 84 (EPSG:4326)"), "\(inspect.stdout)")

        let fixed = try CLI.run(["export", input, "--crs", "EPSG:3006", "--out", folder + "/x.geojson"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stderr.contains("x.geojson: 40 features"))
    }

    @Test func lowincomeReadsAPxWebExportWithItsTitleAndFooter() throws {
        let folder = try CLI.temporaryFolder()
        let raw = try String(contentsOfFile: CLI.shared("dalarna/folkmangd_deso_2024_raw.csv"), encoding: .utf8)
        let stats = folder + "/BE0101N1.csv"
        let framed = "\"Folkmängden per region efter region, ålder, kön och år\"\n\n" + raw
            + "\n\"Databas: Statistikdatabasen\"\n\"Intern referenskod: BE0101N1\"\n\"Fotnot: Uppgifterna avser den 31 december.\"\n"
        try framed.write(toFile: stats, atomically: true, encoding: .utf8)
        let inspect = try CLI.run(["inspect", stats])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("skipped:    4 lines around the table (title and notes): 'Folkmängden per region"), "\(inspect.stdout)")
        #expect(inspect.stdout.contains("rows:       875"))

        let out = folder + "/deso.geojson"
        let result = try CLI.run([
            "lowincome", "--areas", CLI.shared("dalarna/deso_2025_dalarna.geojson"), "--area-id", "desokod",
            "--stats", stats, "--stats-id", "Region", "--where", "Alder=totalt",
            "--count", "000007Y7 2024", "--total", "000007Y7 2024", "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains(
            "warning: \(stats): skipped 4 lines around the table that are not rows (the export's title and notes): 'Folkmängden per region efter region, ålder, kön och år', 'Databas: Statistikdatabasen', 'Intern referenskod: BE0101N1', …"),
            "\(result.stderr)")
        #expect(result.stderr.contains("wrote \(out): 175 areas"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        let totals = (json["features"] as! [[String: Any]]).map { (($0["properties"] as! [String: Any])["total"] as! NSNumber).intValue }
        #expect(totals.reduce(0, +) == 286_546)
    }

    @Test func lowincomeWithNamesForCodesFailsShowingBothSidesAndWritesNothing() throws {
        let folder = try CLI.temporaryFolder()
        let stats = CLI.shared("sweden/sormland_folkmangd_2018_aldersgrupp.csv")
        let result = try CLI.run([
            "lowincome", "--areas", CLI.shared("sweden/sormland_kommun_wgs84.geojson"), "--area-id", "kommun_kod",
            "--stats", stats, "--stats-id", "region", "--count", "age_0_15", "--total", "total",
            "--out", folder + "/kommun.geojson",
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains(
            "\(stats): field 'region': no region in the table matches an area: the table has 'Eskilstuna', 'Flen', 'Gnesta', the areas '0428', '0461', '0480'"),
            "\(result.stderr)")
        #expect(try contents(folder).isEmpty)
    }

    @Test func lowincomeWithAPercentageReadAsAFractionFailsNamingTheRecord() throws {
        let folder = try CLI.temporaryFolder()
        let stats = CLI.shared("sweden/kolada_N02904_lan_2007-2021.csv")
        let result = try CLI.run([
            "lowincome", "--areas", CLI.shared("sweden/lan_wgs84.geojson"), "--area-id", "lan_kod",
            "--stats", stats, "--stats-id", "municipality_id", "--where", "year=2021",
            "--share", "value", "--share-unit", "fraction", "--out", folder + "/lan.geojson",
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains(
            "\(stats): record 296: field 'value': the share '5.62132' is outside 0–1, the range of a fraction: if the column is in percent, pass --share-unit percent"),
            "\(result.stderr)")
        #expect(try contents(folder).isEmpty)
    }
}
