import Foundation
import Testing
@testable import Atlas

@Suite struct LowIncomeTableTests {
    static func table(_ text: String) throws -> StatisticsTable {
        let csv = try CSVTable.parse(text: text, source: "test.csv")
        return StatisticsTable(source: "test.csv", columns: csv.header, rows: csv.rows, records: csv.lines)
    }

    @Test func koladaShareJoinedToCountiesPutsSormlandFirst() throws {
        let counties = try GeoJSONReader.read(path: TestData.shared("sweden/lan_wgs84.geojson"))
        let ids = try counties.values(of: "lan_kod").map { $0.text ?? "" }
        let table = try StatisticsTable.read(path: TestData.shared("sweden/kolada_N02904_lan_2007-2021.csv"))
            .filtered([StatisticsFilter(parsing: "year=2021")])
        let (figures, report) = try LowIncome.join(
            areaIDs: ids, table: table, idColumn: "municipality_id", measure: .share("value", unit: .percent, total: nil))
        #expect(report.isComplete)
        #expect(figures.count == 21)
        // The file's 2021 row for Kolada id 0004 (Region Sörmland) says 12.236147 %.
        let sormland = try #require(ids.firstIndex(of: "04"))
        #expect(abs(figures[sormland].share! - 0.12236147) < 1e-12)
        #expect(figures[sormland].count == nil && figures[sormland].total == nil)
        let first = figures.indices.max { figures[$0].share! < figures[$1].share! }
        #expect(first == sormland)
    }

    @Test func rawPxWebLongTableNeedsAFilterAndThenJoinsEveryDeSO() throws {
        let deso = try GeoJSONReader.read(path: TestData.shared("dalarna/deso_2025_dalarna.geojson"))
        let ids = try deso.values(of: "desokod").map { $0.text ?? "" }
        let raw = try StatisticsTable.read(path: TestData.shared("dalarna/folkmangd_deso_2024_raw.csv"))
        let measure = LowIncomeMeasure.counts(count: "000007Y7 2024", total: "000007Y7 2024")
        do {
            _ = try LowIncome.join(areaIDs: ids, table: raw, idColumn: "Region", measure: measure)
            Issue.record("several rows per DeSO must be an error")
        } catch let error as AtlasError {
            #expect(error.message.contains("Alder"))
            #expect(error.message.contains("--where"))
        }
        let totals = try raw.filtered([StatisticsFilter(column: "Alder", value: "totalt")])
        let (figures, report) = try LowIncome.join(areaIDs: ids, table: totals, idColumn: "Region", measure: measure)
        #expect(report.isComplete)
        // `2021A0010_DeSO2025` matched `2021A0010`; the DeSO layer's own befolkning_2024 sums to
        // 286,546 (GeoJSONTests), and SCB's table must agree with it.
        #expect(figures.compactMap(\.total).reduce(0, +) == 286_546)
        #expect(figures[ids.firstIndex(of: "2021A0010")!].total == 1402)
    }

    @Test func notPublishedCellsAreNullNeverZero() throws {
        let table = try Self.table("""
            region;barn;lag
            0114;1200;..
            0115;.;40
            0117;-;
            0120;300;30
            """)
        let ids = ["0114", "0115", "0117", "0120"]
        let (f, _) = try LowIncome.join(areaIDs: ids, table: table, idColumn: "region", measure: .counts(count: "lag", total: "barn"))
        #expect(f[0] == AreaFigures(count: nil, total: 1200, share: nil, suppressed: true))
        #expect(f[1] == AreaFigures(count: 40, total: nil, share: nil, suppressed: false))
        #expect(f[2] == AreaFigures(count: nil, total: nil, share: nil, suppressed: false))
        #expect(f[3] == AreaFigures(count: 30, total: 300, share: 0.1, suppressed: false))
        #expect(DisclosureControl().apply(f[0]) == .withheld)
    }

    @Test func textThatIsNotANumberNamesTheLineAndColumn() throws {
        let table = try Self.table("region,barn,lag\n0114,1200,12\n0115,many,3\n")
        do {
            _ = try LowIncome.join(areaIDs: ["0114", "0115"], table: table, idColumn: "region", measure: .counts(count: "lag", total: "barn"))
            Issue.record("'many' must be an error")
        } catch let error as AtlasError {
            #expect(error.record == 3)
            #expect(error.field == "barn")
        }
    }

    @Test func missingKeysAreReportedBothWays() throws {
        let table = try Self.table("region,barn,lag\n0114,100,10\n0999,50,5\n")
        let (figures, report) = try LowIncome.join(
            areaIDs: ["0114", "0115"], table: table, idColumn: "region", measure: .counts(count: "lag", total: "barn"))
        #expect(report.areasWithoutRow == ["0115"])
        #expect(report.rowsWithoutArea == ["0999"])
        #expect(figures[1] == .unknown)
        #expect(report.summary.contains("1 areas without a row in the table (0115)"))
    }

    @Test func regionCodesAreNormalisedToTheAreaIds() {
        let municipalities = RegionKey(areaIDs: ["0114", "0180", "2080"])
        #expect(municipalities.normalise("114") == "0114")
        #expect(municipalities.normalise("0180 Stockholm") == "0180")
        #expect(municipalities.normalise("2080") == "2080")
        let counties = RegionKey(areaIDs: ["01", "04", "20"])
        #expect(counties.normalise("0004") == "04")
        #expect(counties.normalise("4") == "04")
        #expect(counties.normalise("0114") == "0114")
        let deso = RegionKey(areaIDs: ["0484C1010", "2080C1190"])
        #expect(deso.normalise("0484C1010_DeSO2025") == "0484C1010")
        #expect(deso.normalise(" 2080C1190 ") == "2080C1190")
    }

    @Test func suppressionWithholdsEverySmallArea() {
        let control = DisclosureControl(minimumTotal: 10)
        #expect(control.apply(AreaFigures(count: 2, total: 9, share: 2.0 / 9)) == .withheld)
        #expect(control.apply(AreaFigures(count: 2, total: 10, share: 0.2)) == AreaFigures(count: 2, total: 10, share: 0.2))
        // A share published without a total cannot be checked, so it stays as published.
        #expect(control.apply(AreaFigures(count: nil, total: nil, share: 0.12)).share == 0.12)
    }
}
