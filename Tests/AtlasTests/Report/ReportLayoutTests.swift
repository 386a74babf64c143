import Foundation
import Testing
@testable import Atlas

/// Headless Chromium, when installed (`apt-get install -y chromium`).
enum Chromium {
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for directory in directories {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    /// The page's DOM after its scripts ran, at a window `width` pixels wide.
    static func dumpDOM(_ file: String, width: Int) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments = [
            "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--force-device-scale-factor=1",
            "--window-size=\(width),900", "--virtual-time-budget=3000", "--dump-dom", "file://\(file)",
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// The report's layout measured in a browser: nothing wider than the window, every table column
/// visible, every text of every SVG (legend bounds, gap labels, chart labels) inside its drawing.
@Suite struct ReportLayoutTests {
    /// Measures the rendered page and writes the findings into the DOM as JSON.
    static let measuring = """
        <script>
        (function () {
          var r = {overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                   outside: [], hidden: [], svgs: 0, texts: 0};
          document.querySelectorAll("svg").forEach(function (svg, i) {
            var box = svg.getBoundingClientRect();
            r.svgs += 1;
            svg.querySelectorAll("text").forEach(function (t) {
              var b = t.getBoundingClientRect();
              r.texts += 1;
              if (b.left < box.left - 0.5 || b.right > box.right + 0.5 || b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5)
                r.outside.push(t.textContent + " (svg " + i + ")");
            });
          });
          document.querySelectorAll(".table-panel, .ranks-panel").forEach(function (p, i) {
            if (p.scrollWidth > p.clientWidth + 1) r.hidden.push(i + ": " + p.scrollWidth + " > " + p.clientWidth);
          });
          var pre = document.createElement("pre");
          pre.id = "measurements";
          pre.textContent = JSON.stringify(r);
          document.body.appendChild(pre);
        })();
        </script>
        """

    struct Measurements: Decodable {
        var overflow: Double
        var outside: [String]
        var hidden: [String]
        var svgs: Int
        var texts: Int
    }

    /// A report with every kind of section: a series with its trend and ranks, a transit layer
    /// with names off (long codes), a wide access-like table, withheld and missing areas, points.
    static func report() throws -> AreaReport {
        let counties = try ReportSection.forLayer(try GeoJSONReader.read(path: try ReportSeriesTests.seriesLayer().path))
        let transit = try ReportSection.forLayer(try ReportRunTextTests.falunTransit(radius: 400))
        let deso = try GeoJSONReader.read(path: TestData.shared("falun/falun_deso_2025_pop2024.geojson"))
        let columns = ["befolkning_2024", "befolkning_65_plus_2024", "area_km2", "befolkning_per_km2_2024", "antal_servicenoder", "objectid"]
        let wide = try ReportSection.forLayer(deso, valueField: "andel_65_plus_2024", idField: "desokod", title: "Många kolumner")
            .with(extraColumns: columns.map { ReportColumn(field: $0, title: $0, format: .count) })
        let gaps = ReportFixtures.layer(
            [
                ("A", "Norra distriktet med ett långt namn", 0.12, ReportFixtures.square(16.0, 59.1, 0.1)),
                ("B", "Mitt", nil, ReportFixtures.square(16.0, 59.0, 0.1)),
                ("C", "Söder", nil, ReportFixtures.square(16.0, 58.9, 0.1)),
                ("D", "Öster", 0.08, ReportFixtures.square(16.1, 59.0, 0.1)),
            ], suppression: false)
        var withStatus = gaps
        withStatus.fields.append(Field("status", .string))
        for (k, status) in ["ok", "suppressed", "missing", "ok"].enumerated() { withStatus.features[k].values.append(.string(status)) }
        let gapSection = try ReportFixtures.section(withStatus, title: "Luckor")
        return AreaReport(
            title: "Områdesrapport", place: "Sverige", sections: [counties, transit, wide, gapSection],
            generatedAt: ReportTests.fixedDate)
    }

    @Test(.enabled(if: Chromium.path != nil, "needs headless Chromium: apt-get install -y chromium"))
    func atA1280PixelWindowNothingOverflowsAndEveryLabelIsInsideItsDrawing() throws {
        let html = try Self.report().html().replacingOccurrences(of: "</body>", with: Self.measuring + "\n</body>")
        let file = try TestData.temporaryFolder() + "/report.html"
        try html.write(toFile: file, atomically: true, encoding: .utf8)
        let dom = try Chromium.dumpDOM(file, width: 1280)
        let start = try #require(dom.range(of: "<pre id=\"measurements\">"), "Chromium ran the page's script")
        let end = try #require(dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex))
        let json = dom[start.upperBound..<end.lowerBound]
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
        let measured = try JSONDecoder().decode(Measurements.self, from: Data(json.utf8))
        #expect(measured.overflow <= 0, "the page is \(measured.overflow) px wider than the window")
        #expect(measured.hidden.isEmpty, "tables with hidden columns: \(measured.hidden)")
        #expect(measured.outside.isEmpty, "texts outside their SVG: \(measured.outside)")
        // 4 maps, 1 trend chart and 22 sparklines (which have no text) were measured.
        #expect(measured.svgs == 27)
        #expect(measured.texts > 0)
    }
}
