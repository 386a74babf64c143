import Foundation
import Testing
@testable import Atlas

/// A table that does not fit the areas is an error, or a warning when it mostly does not;
/// shares outside their unit's range are errors naming the record.
@Suite struct JoinCheckTests {
    static func ids(_ relative: String, _ field: String) throws -> [String] {
        try GeoJSONReader.read(path: TestData.shared(relative)).values(of: field).map { $0.text ?? "" }
    }

    static func error(_ body: () throws -> Void) -> AtlasError? {
        do {
            try body()
            return nil
        } catch {
            return error as? AtlasError
        }
    }

    @Test func namesWhereCodesWereExpectedAreAnErrorShowingBothSides() throws {
        let path = TestData.shared("sweden/sormland_folkmangd_2018_aldersgrupp.csv")
        let table = try StatisticsTable.read(path: path)
        let ids = try Self.ids("sweden/sormland_kommun_wgs84.geojson", "kommun_kod")
        let error = Self.error {
            _ = try LowIncome.join(areaIDs: ids, table: table, idColumn: "region", measure: .counts(count: "age_0_15", total: "total"))
        }
        #expect(error == AtlasError(
            file: path, field: "region",
            "no region in the table matches an area: the table has 'Eskilstuna', 'Flen', 'Gnesta', the areas '0428', '0461', '0480'; is --stats-id the column of region codes (not names), and are the table and the areas the same geography?"))
        // The code column of the same table joins all nine (its rows 00 and 04, Sweden and the county, find no area).
        let (_, report) = try LowIncome.join(areaIDs: ids, table: table, idColumn: "kod", measure: .counts(count: "age_0_15", total: "total"))
        #expect(report.areasWithoutRow.isEmpty && report.matchedRows == 9 && report.tableRows == 11)
        #expect(!report.isPoorMatch)
    }

    @Test func deSOFiguresForMunicipalitiesPointToAKeyTable() throws {
        let path = TestData.shared("dalarna/deso_befolkning_2024.csv")
        let table = try StatisticsTable.read(path: path)
        let error = Self.error {
            _ = try LowIncome.join(
                areaIDs: try Self.ids("sweden/kommun_wgs84.geojson", "kommun_kod"), table: table, idColumn: "desokod",
                measure: .counts(count: "befolkning_65_plus_2024", total: "befolkning_2024"))
        }
        #expect(error?.message == "no region in the table matches an area: the table has '2021A0010', '2021A0020', '2021B2010', the areas '0114', '0115', '0117'; the table's regions lie within the areas: aggregate the table to them through a key table")
    }

    @Test func aTableMostlyForOtherAreasIsAWarningWithExamples() throws {
        // All 175 Dalarna DeSO against Falun's 37: 138 rows find no area.
        let table = try StatisticsTable.read(path: TestData.shared("dalarna/deso_befolkning_2024.csv"))
        let ids = try Self.ids("falun/falun_deso_2025_pop2024.geojson", "desokod")
        let (figures, report) = try LowIncome.join(
            areaIDs: ids, table: table, idColumn: "desokod", measure: .counts(count: "befolkning_65_plus_2024", total: "befolkning_2024"))
        #expect(report.matchedRows == 37 && report.tableRows == 175 && report.isPoorMatch)
        #expect(report.areasWithoutRow.isEmpty && report.rowsWithoutArea.count == 138)
        #expect(report.summary.hasPrefix(
            "only 37 of the table's 175 rows match an area: table codes such as '2021A0010', '2021A0020', '2021B2010' found no area; 138 table rows without an area (2021A0010, "))
        // Falun's population 2024 is what the DeSO layer itself says (SOURCES.md: 59,747 in the grid 2025).
        let falun = try GeoJSONReader.read(path: TestData.shared("falun/falun_deso_2025_pop2024.geojson"))
        let own = try falun.values(of: "befolkning_2024").compactMap(\.number).reduce(0, +)
        #expect(figures.compactMap(\.total).reduce(0, +) == own)
    }

    @Test func aPercentageReadAsAFractionIsAnErrorNamingTheRecord() throws {
        let path = TestData.shared("sweden/kolada_N02904_lan_2007-2021.csv")
        let table = try StatisticsTable.read(path: path).filtered([StatisticsFilter(parsing: "year=2021")])
        let ids = try Self.ids("sweden/lan_wgs84.geojson", "lan_kod")
        let error = Self.error {
            _ = try LowIncome.join(areaIDs: ids, table: table, idColumn: "municipality_id", measure: .share("value", unit: .fraction, total: nil))
        }
        // Line 296 is the first 2021 row matched (Kolada 0001, Region Stockholm, 5.62132 %).
        #expect(error == AtlasError(
            file: path, record: 296, field: "value",
            "the share '5.62132' is outside 0–1, the range of a fraction: if the column is in percent, pass --share-unit percent"))
    }

    @Test func aPercentageAbove100IsAnError() throws {
        let csv = try CSVTable.parse(text: "region,andel\n0114,12.5\n0115,112.5\n", source: "andel.csv")
        let table = StatisticsTable(source: "andel.csv", columns: csv.header, rows: csv.rows, records: csv.lines)
        let error = Self.error {
            _ = try LowIncome.join(areaIDs: ["0114", "0115"], table: table, idColumn: "region", measure: .share("andel", unit: .percent, total: nil))
        }
        #expect(error == AtlasError(file: "andel.csv", record: 3, field: "andel", "the share '112.5' is outside 0–100, the range of a percentage"))
    }

    @Test func aShareAttributeOfTheAreasIsCheckedToo() throws {
        let path = TestData.shared("dalarna/deso_2025_dalarna.geojson")
        let deso = try GeoJSONReader.read(path: path)
        // andel_65_plus_2024 is a fraction (0.302096 for the first DeSO, 2080C1190): valid as such.
        let figures = try LowIncome.figures(fromLayer: deso, measure: .share("andel_65_plus_2024", unit: .fraction, total: "befolkning_2024"))
        #expect(figures[0].share == 0.302096)
        #expect(abs(figures[0].count! - 0.302096 * 1622) < 1e-9)
        // area_km2 is no share: the first DeSO above 100 km² is record 32, 2061A0020, 235.028 km².
        let error = Self.error {
            _ = try LowIncome.figures(fromLayer: deso, measure: .share("area_km2", unit: .percent, total: nil))
        }
        #expect(error == AtlasError(file: path, record: 32, field: "area_km2", "the share '235.028' is outside 0–100, the range of a percentage"))
    }
}
