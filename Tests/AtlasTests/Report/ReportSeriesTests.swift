import Foundation
import Testing
@testable import Atlas

/// Following an indicator over time: Kolada's N02904 (residents 0–19 in economically vulnerable
/// households, per cent) for the 21 counties 2007–2021, joined by hand to the county polygons as
/// a low-income layer with one property per year would be written.
@Suite struct ReportSeriesTests {
    /// Kolada's values by region code (`0004`) and year, in per cent, straight from the CSV.
    static func koladaValues() throws -> [String: [String: Double]] {
        let text = try String(contentsOfFile: TestData.shared("sweden/kolada_N02904_lan_2007-2021.csv"), encoding: .utf8)
        var values: [String: [String: Double]] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            // "kpi text, with a comma","0004",2021,12.236147,"Region Sörmland": the fields after the quoted kpi.
            let rest = line.split(separator: "\",", maxSplits: 1)[1].split(separator: ",")
            let region = String(rest[0].dropFirst().dropLast())
            values[region, default: [:]][String(rest[1])] = Double(rest[2])!
        }
        return values
    }

    static let years = (2007...2021).map(String.init)

    /// The counties with `share_2007` … `share_2021` (0–1), `share` = 2021, and one reference
    /// series in `"atlas:references"`. The data hold no national row (Kolada's `0000`), so the
    /// reference is the plain mean of the 21 counties each year, worked out here and named so.
    static func seriesLayer() throws -> (path: String, values: [String: [String: Double]], mean: [String: Double]) {
        let kolada = try koladaValues()
        let counties = try GeoJSONReader.read(path: TestData.shared("sweden/lan_wgs84.geojson"))
        let code = try counties.fieldIndex("lan_kod")
        var fields = counties.fields
        fields += years.map { Field("share_\($0)", .real) } + [Field("share", .real), Field("status", .string)]
        var mean: [String: Double] = [:]
        for year in years { mean[year] = kolada.values.map { $0[year]! / 100 }.reduce(0, +) / Double(kolada.count) }
        let references: JSONValue = .array([
            .object([
                ("id", .string("mean")), ("name", .string("Medel av länen (ovägt)")),
                ("values", .object(years.map { ($0, .double(mean[$0]!)) })),
            ])
        ])
        let run: JSONValue = .object([
            ("indicator", .string("lowincome")),
            ("parameters", .object([("share", .string("value")), ("share-unit", .string("percent")), ("stats", .string("kolada_N02904_lan_2007-2021.csv"))])),
            ("inputs", .array([])), ("layer", .string("areas")), ("id", .string("lan_kod")), ("primary", .string("share")),
        ])
        let path = try TestData.temporaryFolder() + "/lan_series.geojson"
        let writer = try GeoJSONWriter(
            path: path, fields: fields, foreignMembers: [("atlas:run", run), ("atlas:references", references)])
        for feature in counties.features {
            let region = "00" + feature.values[code].text!
            let row = kolada[region]!
            var values = feature.values + years.map { Value.double(row[$0]! / 100) }
            values += [.double(row["2021"]! / 100), .string("ok")]
            try writer.write(Feature(geometry: feature.geometry, values: values))
        }
        try writer.finish()
        return (path, kolada, mean)
    }

    @Test func fifteenYearlyValuesPerCountyEqualTheKoladaTable() throws {
        let (path, kolada, mean) = try Self.seriesLayer()
        let layer = try GeoJSONReader.read(path: path)
        let section = try ReportSection.forLayer(layer)
        let series = try #require(section.series)
        #expect(series.field == "share")
        #expect(series.periods == Self.years)
        #expect(section.areas.count == 21)
        for area in section.areas {
            let row = try #require(kolada["00" + area.id])
            #expect(series.values[area.index].count == 15)
            // The layer holds value / 100 as GeoJSON writes it (shortest round-trip digits), so
            // back in per cent each year equals the table's eight-digit figure to 1e-12.
            for (k, year) in Self.years.enumerated() {
                let value = try #require(series.values[area.index][k])
                #expect(abs(value * 100 - row[year]!) < 1e-12, "\(area.id) \(year)")
            }
        }
        #expect(series.references.map(\.id) == ["mean"])
        for (k, year) in Self.years.enumerated() {
            #expect(abs((series.references[0].values[k] ?? .nan) - mean[year]!) < 1e-12, "mean \(year)")
        }
        // The mapped value is the latest year, and the value column says which.
        #expect(section.valueTitle == "Andel 2021")
    }

    @Test func theReportSaysWhoIsHighestSinceWhenAndHowItChanged() throws {
        let layer = try GeoJSONReader.read(path: try Self.seriesLayer().path)
        let section = try ReportSection.forLayer(layer)
        let series = try #require(section.series)
        let sentences = series.summary(areas: section.areas, format: section.format, language: .swedish)
        // Kolada: Södermanland (0004) is highest every year from 2013 (14.43 %) to 2021 (12.24 %);
        // Skåne (0012) was highest in 2012 (14.38 % against Södermanland's 14.22 %). Södermanland's
        // 12.21 % in 2007 rounds to the same 12.2 % as 2021; its peak is 15.88 % in 2009. The plain
        // mean of the counties is 7.98 % in 2021 and 10.03 % in 2007.
        #expect(sentences == [
            "Södermanlands län har den högsta andelen av de 21 områdena 2021 (12,2 %), och har haft det sedan 2013.",
            "Där är andelen densamma som 2007 (12,2 %); den var som högst 2009 (15,9 %).",
            "Som jämförelse: Medel av länen (ovägt) 2021: 8,0 % (10,0 % 2007).",
        ])
        let english = series.summary(areas: section.areas, format: section.format, language: .english)
        #expect(english[0] == "Södermanlands län has the highest share of the 21 areas in 2021 (12.2%), and has had it since 2013.")

        let ranks2012 = series.ranks(period: 5)
        let sormland = try #require(section.areas.first { $0.id == "04" })
        let skane = try #require(section.areas.first { $0.id == "12" })
        #expect(ranks2012[skane.index] == 1 && ranks2012[sormland.index] == 2)
    }

    @Test func eachRowHasItsSparklineAndTheRankTableItsYears() throws {
        let layer = try GeoJSONReader.read(path: try Self.seriesLayer().path)
        let section = try ReportSection.forLayer(layer)
        let html = AreaReport(title: "T", place: "Sverige", sections: [section], generatedAt: ReportTests.fixedDate).html()
        // 21 counties and the reference, one sparkline each.
        #expect(ReportFixtures.count("<svg class=\"spark\"", in: html) == 22)
        #expect(ReportFixtures.count("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"trend\"", in: html) == 1)
        #expect(html.contains("<th scope=\"col\">Utveckling 2007–2021</th>"))
        // Södermanland 2012: 14.22 %, second after Skåne.
        #expect(html.contains("title=\"Södermanlands län 2012: 14,2 %\">2</td>"))
        #expect(html.contains("title=\"Skåne län 2012: 14,4 %\">1</td>"))
        // The chart names the highest and the lowest county and the reference at their ends.
        #expect(html.contains(">Södermanlands län 12,2 %</text>"))
        #expect(html.contains(">Norrbottens län 4,2 %</text>"))
        #expect(html.contains(">Medel av länen (ovägt) 8,0 %</text>"))
        // The change column: Norrbotten 8.32 % (2007) to 4.25 % (2021).
        let norrbotten = try #require(html.range(of: "Norrbottens län <span class=\"id\">25</span></td>"))
        let row = html[norrbotten.upperBound...].prefix(while: { $0 != "\n" })
        #expect(row.contains("<td class=\"num change\">−4,1</td>"))
        #expect(html.contains("<th class=\"num\" scope=\"col\">Förändring, procentenheter</th>"))
        // The card carries the first sentence.
        #expect(html.contains("<p class=\"trend-note\">Södermanlands län har den högsta andelen av de 21 områdena 2021"))
    }

    @Test func malformedReferencesAreAnErrorNamingTheFileAndTheItem() throws {
        var layer = try GeoJSONReader.read(path: try Self.seriesLayer().path)
        layer.metadata["atlas:references"] = .array([.object([("id", .string("0000")), ("values", .array([]))])])
        #expect {
            try ReportSection.forLayer(layer)
        } throws: { error in
            let text = "\(error)"
            return text.contains("lan_series.geojson") && text.contains("item 1") && text.contains("0000")
        }
    }

    @Test func periodPropertiesAreRecognisedByTheirYear() {
        #expect(ReportSeries.baseField(of: "share_2019") == "share")
        #expect(ReportSeries.baseField(of: "count_2020") == "count")
        #expect(ReportSeries.baseField(of: "befolkning_65_plus_2024") == "befolkning_65_plus")
        #expect(ReportSeries.baseField(of: "share") == nil)
        #expect(ReportSeries.baseField(of: "share_within_30") == nil)
        #expect(ReportSeries.baseField(of: "objectid_1118") == nil)
    }
}
