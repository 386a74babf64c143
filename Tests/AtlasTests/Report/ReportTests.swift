import Foundation
import Testing
@testable import Atlas

@Suite struct ReportTests {
    static let fixedDate = Date(timeIntervalSince1970: 1_736_071_200)  // 2025-01-05 10:00 UTC

    static func twoSectionReport(language: ReportLanguage = .swedish) throws -> AreaReport {
        let shares = ReportFixtures.layer([
            ("A", "<script>alert(1)</script>", 0.12236, ReportFixtures.square(16.0, 59.0, 0.1)),
            ("B", "Östra & Norra", 0.0871, ReportFixtures.square(16.1, 59.0, 0.1)),
        ])
        let minutes = ReportFixtures.layer([
            ("A", "Väst", 7.25, ReportFixtures.square(16.0, 59.0, 0.1)),
            ("B", "Öst", 12.5, ReportFixtures.square(16.1, 59.0, 0.1)),
        ])
        let travel = try ReportSection(
            title: "Restid", definition: "Minuter med bil.", sources: "OSM.", layer: minutes, idField: "id",
            nameField: "name", valueField: "share", format: .minutes)
        return AreaReport(
            title: "Områdesrapport", place: "Testkommun", language: language,
            sections: [try ReportFixtures.section(shares), travel], generatedAt: fixedDate,
            inputs: ["/data/in/shares.geojson", "minutes.geojson"])
    }

    @Test func swedishAndEnglishNumbers() {
        #expect(ValueFormat.percent.format(0.12236, .swedish) == "12,2 %")
        #expect(ValueFormat.percent.format(0.12236, .english) == "12.2%")
        #expect(ValueFormat.count.format(59_747, .swedish) == "59 747")
        #expect(ValueFormat.count.format(1_234_567, .english) == "1,234,567")
        #expect(ValueFormat.minutes.format(7.25, .swedish) == "7,3 min")
        #expect(ValueFormat.number(decimals: 2).format(-0.5, .english) == "\u{2212}0.50")
        #expect(ValueFormat.number(decimals: 1).format(-0.04, .swedish) == "0,0")
    }

    @Test func oneMapPerSectionWithEscapedNamesAndSwedishNumbers() throws {
        let html = try Self.twoSectionReport().html()
        #expect(ReportFixtures.count("<svg", in: html) == 2)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("Östra &amp; Norra"))
        #expect(html.contains("12,2 %"))
        #expect(html.contains("12,5 min"))
        #expect(html.contains("<html lang=\"sv\">"))
        #expect(html.contains("Källor"))
        // The footer names the inputs by file name and the date in UTC.
        #expect(html.contains("5 januari 2025 kl. 10:00 UTC med atlas \(AreaReport.atlasVersion) från shares.geojson, minutes.geojson."))
        // Nothing is fetched: no external scripts, stylesheets, fonts or images.
        #expect(!html.contains("src=") && !html.contains("<link") && !html.contains("@import") && !html.contains("url(http"))
    }

    @Test func englishReport() throws {
        let html = try Self.twoSectionReport(language: .english).html()
        #expect(html.contains("12.2%"))
        #expect(!html.contains("12,2"))
        #expect(html.contains("<html lang=\"en\">"))
        #expect(html.contains("Made 5 January 2025, 10:00 UTC with atlas"))
        #expect(html.contains("Highest"))
    }

    @Test func theTableIsSortedByTheIndicatorWithMissingValuesLast() throws {
        let layer = ReportFixtures.layer(
            [
                ("A", "Mitt", 0.08, ReportFixtures.square(16.0, 59.0, 0.1)),
                ("B", "Söder", nil, ReportFixtures.square(16.0, 58.9, 0.1)),
                ("C", "Norr", 0.12, ReportFixtures.square(16.0, 59.1, 0.1)),
            ], suppression: true)
        let section = try ReportFixtures.section(layer)
        #expect(section.ranked.map(\.id) == ["C", "A", "B"])
        let html = AreaReport(title: "T", place: "P", sections: [section], generatedAt: Self.fixedDate).html()
        let table = try #require(html.range(of: "<tbody>").map { String(html[$0.upperBound...]) })
        let norr = try #require(table.range(of: ">Norr")), mitt = try #require(table.range(of: ">Mitt"))
        let soder = try #require(table.range(of: ">Söder"))
        #expect(norr.lowerBound < mitt.lowerBound && mitt.lowerBound < soder.lowerBound)
        #expect(html.contains("1 ej publicerade"))
    }

    @Test func sameInputSameBytes() throws {
        let first = try Self.twoSectionReport().html()
        let second = try Self.twoSectionReport().html()
        #expect(first == second)
        let folder = try TestData.temporaryFolder()
        let path = folder + "/report.html"
        try Self.twoSectionReport().write(to: path)
        #expect(FileManager.default.contents(atPath: path) == Data(first.utf8))
    }

    @Test func aMissingFieldIsAnErrorThatNamesIt() {
        let layer = ReportFixtures.layer([("A", "A", 0.1, ReportFixtures.square(16, 59, 0.1))])
        #expect(throws: AtlasError.self) {
            try ReportSection(
                title: "T", definition: "", sources: "", layer: layer, idField: "id", valueField: "share_near",
                format: .percent)
        }
        var projected = layer
        projected.crs = .sweref99TM
        #expect(throws: AtlasError.self) { try ReportFixtures.section(projected) }
    }

    /// The 21 counties with Kolada's 2021 share of children (0–19) in economically vulnerable
    /// households, joined by the county code (Kolada region `0004` = län `04`).
    static func countySection(nameField: String? = "lan") throws -> (ReportSection, [String: Double]) {
        var counties = try GeoJSONReader.read(path: TestData.shared("sweden/lan_wgs84.geojson"))
        let text = try String(contentsOfFile: TestData.shared("sweden/kolada_N02904_lan_2007-2021.csv"), encoding: .utf8)
        var share: [String: Double] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            // "kpi text, with a comma","0004",2021,12.236147,"Region Sörmland": the fields after the quoted kpi.
            let rest = line.split(separator: "\",", maxSplits: 1)[1].split(separator: ",")
            guard rest[1] == "2021" else { continue }
            share[String(rest[0].dropFirst(3).prefix(2))] = Double(rest[2])! / 100
        }
        let code = try counties.fieldIndex("lan_kod")
        counties.fields.append(Field("share", .real))
        for k in counties.features.indices {
            let id = counties.features[k].values[code].text!
            counties.features[k].values.append(share[id].map(Value.double) ?? .null)
        }
        let section = try ReportSection(
            title: "Barn i ekonomiskt utsatta hushåll 2021", definition: "Andel invånare 0–19 år.",
            sources: "Kolada N02904.", layer: counties, idField: "lan_kod", nameField: nameField, valueField: "share",
            format: .percent)
        return (section, share)
    }

    @Test func sormlandLeadsTheCountiesIn2021() throws {
        let (section, share) = try Self.countySection()
        #expect(share.count == 21)
        #expect(section.areas.allSatisfy { $0.value != nil })
        let ranked = section.ranked
        #expect(ranked.first?.name == "Södermanlands län")
        #expect(ranked.last?.name == "Norrbottens län")
        let html = AreaReport(title: "Barnfattigdom", place: "Sverige", sections: [section], generatedAt: Self.fixedDate).html()
        #expect(ReportFixtures.count("<path", in: html) == 21)
        // Kolada: Sörmland 12.236147 % and Norrbotten 4.245511 %, rounded to one decimal.
        #expect(html.contains("<span class=\"figure\">12,2 %</span> <span class=\"where\">Södermanlands län <span class=\"id\">04</span></span>"))
        #expect(html.contains("<span class=\"figure\">4,2 %</span> <span class=\"where\">Norrbottens län <span class=\"id\">25</span></span>"))
        // 160 kB of GeoJSON coordinates become a much smaller drawing at a tenth of a pixel.
        #expect(html.utf8.count < 120_000)
    }
}

@Suite struct ReportIndicatorSectionTests {
    static func layer(_ fields: [Field], _ rows: [[Value]]) -> Layer {
        let features = rows.enumerated().map { k, values in
            Feature(geometry: ReportFixtures.square(16 + Double(k) * 0.1, 59, 0.1), values: values)
        }
        return Layer(source: "indicator.geojson", format: "GeoJSON", crs: .wgs84, fields: fields, features: features)
    }

    @Test func aLowIncomeLayerShowsCountAndTotalAndWithheldAreas() throws {
        let layer = Self.layer(
            [Field("deso", .string), Field("count", .integer), Field("total", .integer), Field("share", .real),
             Field("suppressed", .boolean)],
            [
                [.string("A"), .int(41), .int(250), .double(0.164), .bool(false)],
                [.string("B"), .null, .int(12), .null, .bool(true)],
            ])
        let section = try ReportSection.forLayer(layer, valueField: "share", idField: "deso")
        // Without "atlas:run" nothing is claimed about who is counted.
        #expect(section.title == "share")
        #expect(section.columns.map(\.field) == ["count", "total"])
        let html = AreaReport(title: "T", place: "P", sections: [section], generatedAt: ReportTests.fixedDate).html()
        // 41 of 250 children is 16.4 %.
        #expect(html.contains("16,4 %</td><td class=\"num\">41</td><td class=\"num\">250</td>"))
        #expect(html.contains("Ej publicerat</td><td class=\"num\">–</td><td class=\"num\">12</td>"))
    }

    @Test func anAccessLayerListsItsThresholdsInOrder() throws {
        let layer = Self.layer(
            [Field("id", .string), Field("population", .integer), Field("mean_minutes", .real),
             Field("share_within_30", .real), Field("share_within_5", .real), Field("share_within_10", .real)],
            [[.string("A"), .int(1200), .double(6.4), .double(1), .double(0.42), .double(0.9)]])
        let section = try ReportSection.forLayer(layer, valueField: "mean_minutes", idField: "id", language: .english)
        #expect(section.columns.map(\.field) == ["population", "share_within_5", "share_within_10", "share_within_30"])
        #expect(section.format == .minutes)
        let html = AreaReport(title: "T", place: "P", language: .english, sections: [section]).html()
        #expect(html.contains("6.4 min</td><td class=\"num\">1,200</td><td class=\"num\">42.0%</td><td class=\"num\">90.0%</td><td class=\"num\">100.0%</td>"))
    }

    @Test func aTransitLayerIsDrawnInBlues() throws {
        let layer = Self.layer(
            [Field("id", .string), Field("share_near", .real)], [[.string("A"), .double(0.7)], [.string("B"), .double(0.2)]])
        let section = try ReportSection.forLayer(layer, valueField: "share_near", idField: "id")
        #expect(section.ramp == .blues)
        // Without "atlas:run" the report cannot know the radius, so it names none.
        #expect(section.title == "share_near")
        #expect(!section.definition.contains("500"))
    }
}
