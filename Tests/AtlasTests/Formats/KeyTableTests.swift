import Foundation
import Testing
@testable import Atlas

/// Statistics mapped through a key table (DeSO → RegSO, DeSO → municipality) before the join:
/// counts summed per target code, shares recomputed from their totals.
@Suite struct KeyTableTests {
    static func table(_ text: String) throws -> StatisticsTable {
        try StatisticsTable.parse(text: text, source: "barn.csv")
    }

    static let key = try! KeyTable(
        source: "key.csv",
        pairs: [("0114A0010", "0114"), ("0114A0020", "0114"), ("0115A0010", "0115"), ("0115A0020", "0115")])

    @Test func countsAreSummedAndSharesRecomputedFromTheirTotals() throws {
        let table = try Self.table("""
            region,barn,lag,andel
            0114A0010_DeSO2025,100,10,10
            0114A0020_DeSO2025,300,60,20
            0115A0010_DeSO2025,50,..,..
            0115A0020_DeSO2025,40,4,10
            0117A0010_DeSO2025,20,2,10
            """)
        let (counts, unmapped) = try table.aggregated(through: Self.key, idColumn: "region", measure: .counts(count: "lag", total: "barn"))
        #expect(unmapped == ["0117A0010_DeSO2025"])
        #expect(counts.columns == ["region", "lag", "barn"])
        // 0114: 10 + 60 of 100 + 300; 0115: one of its DeSO is withheld, so its count is too.
        #expect(counts.rows == [["0114", "70", "400"], ["0115", "..", "90"]])
        #expect(counts.records == [2, 4])

        let (shares, _) = try table.aggregated(
            through: Self.key, idColumn: "region", measure: .share("andel", unit: .percent, total: "barn"))
        // 0114: (10 % × 100 + 20 % × 300) / 400 = 17.5 %, not the mean 15 %.
        #expect(shares.rows == [["0114", "17.5", "400"], ["0115", "..", "90"]])

        let (figures, report) = try LowIncome.join(
            areaIDs: ["0114", "0115"], table: counts, idColumn: "region", measure: .counts(count: "lag", total: "barn"))
        #expect(report.isComplete)
        #expect(figures[0] == AreaFigures(count: 70, total: 400, share: 0.175, suppressed: false))
        #expect(figures[1].suppressed && figures[1].total == 90)
    }

    @Test func aKeyGivingACodeTwoTargetsIsAnError() {
        #expect(throws: AtlasError(
            file: "key.csv", record: 3, "0114A0010 belongs to 0115 here and to 0114 in record 1: a key gives each code one target")) {
            try KeyTable(source: "key.csv", pairs: [("0114A0010", "0114"), ("0114A0020", "0114"), ("0114A0010", "0115")])
        }
    }

    @Test func aShareWithoutItsTotalOrALongTableCannotBeAggregated() throws {
        let table = try Self.table("region,alder,barn,andel\n0114A0010,0-17,100,10\n0114A0010,18-64,300,20\n")
        #expect(throws: AtlasError(
            file: "barn.csv", "a share without its --total cannot be aggregated through a key: shares are recomputed from counts, never averaged")) {
            try table.aggregated(through: Self.key, idColumn: "region", measure: .share("andel", unit: .percent, total: nil))
        }
        #expect(throws: AtlasError(
            file: "barn.csv", record: 3,
            "region 0114A0010 has more than one row; they differ in alder ('0-17' or '18-64'), andel ('10' or '20'): choose one with --where COLUMN=VALUE")) {
            try table.aggregated(through: Self.key, idColumn: "region", measure: .counts(count: "barn", total: "barn"))
        }
    }

    @Test func aTableNoneOfWhoseCodesIsInTheKeyIsAnError() throws {
        let table = try Self.table("region,barn\nFlen,100\nGnesta,40\n")
        #expect(throws: AtlasError(
            file: "barn.csv", field: "region",
            "no region in the table is in the key key.csv: the table has 'Flen', 'Gnesta', the key '0114A0010', '0114A0020', '0115A0010'")) {
            try table.aggregated(through: Self.key, idColumn: "region", measure: .counts(count: "barn", total: "barn"))
        }
    }

    /// Population 2024 per municipality summed straight from the export's lines, by the first
    /// four characters of each `totalt` row's DeSO code.
    static func municipalSums() throws -> [String: Int] {
        let text = try String(contentsOfFile: TestData.shared("dalarna/folkmangd_deso_2024_raw.csv"), encoding: .utf8)
        var sums: [String: Int] = [:]
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let cells = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            guard cells[1] == "totalt" else { continue }
            sums[String(cells[0].prefix(4)), default: 0] += Int(cells[3])!
        }
        return sums
    }

    @Test func dalarnaDeSOPopulationAggregatedToItsFifteenMunicipalities() throws {
        let raw = try StatisticsTable.read(path: TestData.shared("dalarna/folkmangd_deso_2024_raw.csv"))
            .filtered([StatisticsFilter(column: "Alder", value: "totalt")])
        let codes = raw.rows.map { RegionKey.stripped($0[0]) }
        let key = try KeyTable(source: "DeSO → kommun", pairs: codes.map { ($0, String($0.prefix(4))) })
        let column = "000007Y7 2024"
        let (table, unmapped) = try raw.aggregated(through: key, idColumn: "Region", measure: .counts(count: column, total: column))
        #expect(unmapped.isEmpty)
        let expected = try Self.municipalSums()
        #expect(expected.count == 15 && expected["2080"] == 59_945 && expected["2021"] == 6_752)
        #expect(table.rows.count == 15)
        for row in table.rows { #expect(Int(row[1]) == expected[row[0]], "\(row[0])") }

        // Joined to the national municipality layer's Dalarna part (codes 20NN): every area has a row.
        let kommun = try GeoJSONReader.read(path: TestData.shared("sweden/kommun_wgs84.geojson"))
        let dalarna = try kommun.values(of: "kommun_kod").compactMap(\.text).filter { $0.hasPrefix("20") }
        let (figures, report) = try LowIncome.join(
            areaIDs: dalarna, table: table, idColumn: "Region", measure: .counts(count: column, total: column))
        #expect(dalarna.count == 15 && report.isComplete)
        #expect(figures.compactMap(\.total).reduce(0, +) == 286_546)
    }

    @Test func scbsDeSOToRegSOKeyMapsEveryDalarnaDeSO() throws {
        let path = TestData.shared("sweden/deso2018_regso2020.csv")
        let key = try KeyTable.read(path: path, from: "DeSO_2018", to: "RegSOkod_2020")
        #expect(key.count == 5984)
        #expect(key.target(of: "2021A0010_DeSO2025") == "2021R001")
        let raw = try StatisticsTable.read(path: TestData.shared("dalarna/folkmangd_deso_2024_raw.csv"))
            .filtered([StatisticsFilter(column: "Alder", value: "totalt")])
        let column = "000007Y7 2024"
        let (table, unmapped) = try raw.aggregated(through: key, idColumn: "Region", measure: .counts(count: column, total: column))
        #expect(unmapped.isEmpty)

        // The same sums from the key's lines and the table's rows, without the key table.
        let keyText = try String(contentsOfFile: path, encoding: .utf8)
        var regso: [String: String] = [:]
        for line in keyText.split(whereSeparator: \.isNewline).dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            regso[cells[2]] = cells[4]
        }
        var expected: [String: Int] = [:]
        for row in raw.rows { expected[regso[String(row[0].prefix(9))]!, default: 0] += Int(row[3])! }
        #expect(expected.count == 119)
        #expect(table.rows.count == 119)
        for row in table.rows { #expect(Int(row[1]) == expected[row[0]], "\(row[0])") }
        #expect(table.rows.map { Int($0[1])! }.reduce(0, +) == 286_546)
    }
}
