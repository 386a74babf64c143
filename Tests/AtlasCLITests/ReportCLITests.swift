import Foundation
import Testing

@Suite struct ReportCLITests {
    @Test func aReportFromALayerInEnglish() throws {
        let folder = try CLI.temporaryFolder()
        let out = folder + "/report.html"
        let result = try CLI.run([
            "report", "--layer", CLI.shared("falun/falun_deso_2025_pop2024.geojson"), "--value", "andel_65_plus_2024",
            "--id", "desokod", "--section-title", "Aged 65 and over", "--format", "percent",
            "--title", "Falun", "--place", "Falun municipality", "--lang", "en", "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.components(separatedBy: "<svg").count - 1 == 1)
        #expect(html.contains("Aged 65 and over"))
        // The highest share among Falun's 37 DeSO is 2080C1140 with 0.334551 (33.5 %), read from the file.
        #expect(html.contains("33.5%"))
        #expect(!html.contains("<script src"))
    }

    @Test func aTransitLayerWithARadiusOf400ReportsItWithoutBeingToldTheFields() throws {
        let folder = try CLI.temporaryFolder()
        let layer = folder + "/near.geojson", out = folder + "/report.html"
        let transit = try CLI.run([
            "transit", "--stops", CLI.shared("falun/falun_hallplatser_avgangar.geojson"),
            "--departures-field", "genomsnitt_veckodag_avgangar",
            "--population", CLI.shared("falun/falun_befolkning_1km_2025.geojson"), "--population-field", "befolkning_2025",
            "--areas", CLI.shared("falun/falun_deso_2025_pop2024.geojson"), "--area-id", "desokod",
            "--radius", "400", "--out", layer, "--quiet",
        ])
        #expect(transit.status == 0, "\(transit.stderr)")
        // No --value or --id: the layer's "atlas:run" names share_near and desokod.
        let report = try CLI.run(["report", "--layer", layer, "--out", out, "--quiet"])
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains("<h2>Kollektivtrafiknära läge, 400 m</h2>"))
        #expect(html.contains("inom 400 meter fågelvägen"))
        #expect(html.range(of: #"(?<![0-9 ])500\s?(m\b|meter)"#, options: .regularExpression) == nil)
    }

    @Test func aLayerWithoutARunNeedsItsFieldsNamed() throws {
        let folder = try CLI.temporaryFolder()
        let result = try CLI.run([
            "report", "--layer", CLI.shared("falun/falun_deso_2025_pop2024.geojson"), "--out", folder + "/r.html",
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("falun_deso_2025_pop2024.geojson") && result.stderr.contains("atlas:run"))
    }

    @Test func anUnknownValueFieldWritesNothing() throws {
        let folder = try CLI.temporaryFolder()
        let out = folder + "/report.html"
        let result = try CLI.run([
            "report", "--layer", CLI.shared("falun/falun_deso_2025_pop2024.geojson"), "--value", "no_such_field",
            "--id", "desokod", "--out", out,
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no_such_field"))
        #expect(result.stderr.contains("falun_deso_2025_pop2024.geojson"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
