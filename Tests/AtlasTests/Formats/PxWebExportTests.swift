import Foundation
import Testing
@testable import Atlas

/// SCB's PxWeb exports "with heading" carry a title above the table and notes below it; they are
/// skipped and reported, and the rows keep the line numbers of the file.
@Suite struct PxWebExportTests {
    static let title = "\"Folkmängden per region efter region, ålder, kön och år\""
    static let notes = [
        "\"Databas: Statistikdatabasen\"", "\"Intern referenskod: BE0101N1\"",
        "\"Fotnot: Från och med 2025 skyddas uppgifterna med Cell Key Method.\"",
    ]

    /// The real DeSO population export with SCB's title line and footer around it.
    static func framedExport(delimiter: String = ",", lineEnd: String = "\n", padNotes: Bool = false) throws -> String {
        let raw = try String(contentsOfFile: TestData.shared("dalarna/folkmangd_deso_2024_raw.csv"), encoding: .utf8)
        var lines = raw.split(whereSeparator: \.isNewline).map(String.init)
        if delimiter != "," { lines = lines.map { $0.replacingOccurrences(of: ",", with: delimiter) } }
        // Padded, every line has the table's four cells, blank lines too (",,,"): read as rows,
        // two such lines would be two rows for the region "".
        let pad = padNotes ? String(repeating: delimiter, count: 3) : ""
        let text = ([title + pad, pad] + lines + [pad] + notes.map { $0 + pad }).joined(separator: lineEnd) + lineEnd
        let path = try TestData.temporaryFolder() + "/BE0101N1.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: [(",", "\n", false), (";", "\r\n", true), ("\t", "\n", true)])
    func theRealDeSOExportWithTitleAndFooterReadsAsTheTable(delimiter: String, lineEnd: String, padNotes: Bool) throws {
        let table = try StatisticsTable.read(path: try Self.framedExport(delimiter: delimiter, lineEnd: lineEnd, padNotes: padNotes))
        #expect(table.columns == ["Region", "Alder", "Kon", "000007Y7 2024"])
        #expect(table.rows.count == 875)
        #expect(table.skippedLines == [
            "Folkmängden per region efter region, ålder, kön och år", "Databas: Statistikdatabasen",
            "Intern referenskod: BE0101N1", "Fotnot: Från och med 2025 skyddas uppgifterna med Cell Key Method.",
        ])
        // Title, blank line, header: the first row is line 4 of the file, the last line 878.
        #expect(table.records.first == 4 && table.records.last == 878)
        #expect(table.rows.last == ["2085C1090_DeSO2025", "80-", "1+2", "198"])

        let deso = try GeoJSONReader.read(path: TestData.shared("dalarna/deso_2025_dalarna.geojson"))
        let ids = try deso.values(of: "desokod").map { $0.text ?? "" }
        let totals = try table.filtered([StatisticsFilter(column: "Alder", value: "totalt")])
        let (figures, report) = try LowIncome.join(
            areaIDs: ids, table: totals, idColumn: "Region", measure: .counts(count: "000007Y7 2024", total: "000007Y7 2024"))
        #expect(report.isComplete)
        #expect(figures.compactMap(\.total).reduce(0, +) == 286_546)
    }

    @Test func aLastRowWithEmptyCellsStaysARowUnlessANoteComesFirst() throws {
        let adjacent = try StatisticsTable.parse(text: "region,barn,lag\n0114,100,10\n0115,,\n", source: "t.csv")
        #expect(adjacent.rows == [["0114", "100", "10"], ["0115", "", ""]])
        #expect(adjacent.skippedLines.isEmpty)
        let afterBlank = try StatisticsTable.parse(text: "region,barn,lag\n0114,100,10\n0115,,\n\n\"Källa: SCB\",,\n", source: "t.csv")
        #expect(afterBlank.rows.count == 2)
        #expect(afterBlank.skippedLines == ["Källa: SCB"])
    }

    @Test func aBadRowUnderATitleIsNamedByItsLineInTheFile() throws {
        let text = "\"Barn i hushåll med låg inkomststandard\"\n\nregion,barn,lag\n0114,100,10\n0115,40\n0117,300,30\n"
        do {
            _ = try StatisticsTable.parse(text: text, source: "t.csv")
            Issue.record("a row of 2 cells under a header of 3 must be an error")
        } catch let error as AtlasError {
            #expect(error == AtlasError(file: "t.csv", "line 5: 2 columns, the header has 3"))
        }
    }

    @Test func aTableWithoutFramingIsReadAsBefore() throws {
        let kolada = try StatisticsTable.read(path: TestData.shared("sweden/kolada_N02904_lan_2007-2021.csv"))
        #expect(kolada.skippedLines.isEmpty)
        #expect(kolada.rows.count == 315)
        #expect(kolada.records.first == 2)
        let key = try StatisticsTable.read(path: TestData.shared("sweden/deso2018_regso2020.csv"))
        #expect(key.columns.first == "Kommun")
        #expect(key.rows.count == 5984)
    }
}
