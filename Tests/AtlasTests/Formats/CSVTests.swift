import Foundation
import Testing

@testable import Atlas

@Suite("CSV tables")
struct CSVTests {
    private func expectError(_ text: String, _ check: (AtlasError) -> Bool) {
        #expect {
            _ = try CSVTable.parse(text: text, source: "test.csv")
        } throws: { error in
            guard let error = error as? AtlasError else { return false }
            return check(error)
        }
    }

    @Test("RFC 4180 quoting: delimiters, doubled quotes and line breaks inside quotes")
    func quoting() throws {
        let table = try CSVTable.parse(
            text: "namn,beskrivning,antal\r\n\"Falun, centrum\",\"sa \"\"hej\"\"\",3\r\n\"två\nrader\",,4\r\n",
            source: "test.csv")
        #expect(table.delimiter == ",")
        #expect(table.header == ["namn", "beskrivning", "antal"])
        #expect(table.rows == [["Falun, centrum", "sa \"hej\"", "3"], ["två\nrader", "", "4"]])
        // Rows start on lines 2 and 3 (the quoted line break is inside the last row).
        #expect(table.lines == [2, 3])
    }

    @Test("the SCB key file: BOM stripped, 5,984 DeSO, names with å/ä/ö")
    func bomAndRealFile() throws {
        let table = try CSVTable.read(path: TestData.shared("sweden/deso2018_regso2020.csv"))
        #expect(table.header.first == "Kommun")
        #expect(table.rows.count == 5984)
        #expect(table.encoding == "UTF-8")
        let name = try table.column("Kommunnamn")
        #expect(table.rows[0][name] == "Upplands Väsby")
        // Codes with a leading zero stay text: "0114" is not the number 114.
        let (fields, values) = table.typedColumns()
        #expect(fields[try table.column("Kommun")].type == .string)
        #expect(values[0][try table.column("Kommun")] == .string("0114"))
    }

    @Test("semicolons and decimal commas, as Swedish Excel writes them")
    func semicolonsAndDecimalComma() throws {
        let table = try CSVTable.parse(
            text: "namn;x;y;andel\nEskilstuna C;16,5097;59,3688;0,25\nNyköping C;17,0042;58,7528;1 234,5\n",
            source: "stationer.csv")
        #expect(table.delimiter == ";")
        let layer = try CSVTable.pointLayer(table: table, x: "x", y: "y", crs: .wgs84)
        #expect(layer.format == "CSV")
        #expect(layer.features.map(\.geometry) == [.point(Coordinate(16.5097, 59.3688)), .point(Coordinate(17.0042, 58.7528))])
        #expect(layer.fields.map(\.type) == [.string, .real, .real, .real])
        #expect(layer.features.map { $0.values[3] } == [.double(0.25), .double(1234.5)])
    }

    @Test("a tab-separated file with a quoted semicolon in the header")
    func tabs() throws {
        let table = try CSVTable.parse(text: "\"a;b\"\tc\n1\t2\n", source: "t.tsv")
        #expect(table.delimiter == "\t")
        #expect(table.header == ["a;b", "c"])
    }

    @Test("a row with too few columns names the line and both counts")
    func tooFewColumns() {
        expectError("kod,namn,antal\n0180,Stockholm,984748\n0181,Södertälje\n") {
            $0.file == "test.csv" && $0.message == "line 3: 2 columns, the header has 3"
        }
    }

    @Test("an unterminated quote names the line where the field started")
    func unterminatedQuote() {
        expectError("kod,namn\n0180,Stockholm\n0181,\"Södertälje\n0182,Nacka\n") {
            $0.message == "line 3: a quoted field that starts here is never closed"
        }
    }

    @Test("an empty file and an unknown column are errors that say what exists")
    func emptyAndUnknown() throws {
        expectError("") { $0.message == "empty file: no header line" }
        let table = try CSVTable.parse(text: "e,n\n1,2\n", source: "p.csv")
        #expect {
            _ = try table.column("x")
        } throws: { error in
            (error as? AtlasError)?.description == "p.csv: field 'x': no such column; the table has: e, n"
        }
    }

    @Test("non-numeric coordinates name the row and column")
    func badCoordinate() throws {
        let table = try CSVTable.parse(text: "id,e,n\na,500000,6700000\nb,500100,saknas\n", source: "p.csv")
        #expect {
            _ = try CSVTable.pointLayer(table: table, x: "e", y: "n", crs: .sweref99TM)
        } throws: { error in
            let error = error as? AtlasError
            return error?.record == 2 && error?.field == "n" && error?.message == "'saknas' is not a number (line 3)"
        }
    }

    @Test("bytes that are not UTF-8 are read as Windows-1252")
    func windows1252() throws {
        let path = try TestData.temporaryFolder() + "/kommuner.csv"
        // "kommun;invånare\nÅre;11 000\n" with å = 0xE5 and Å = 0xC5, as Excel saves "CSV (semikolonavgränsad)".
        let bytes: [UInt8] = Array("kommun;inv".utf8) + [0xE5] + Array("nare\n".utf8) + [0xC5] + Array("re;11 000\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let table = try CSVTable.read(path: path)
        #expect(table.encoding == "Windows-1252")
        #expect(table.header == ["kommun", "invånare"])
        #expect(table.rows == [["Åre", "11 000"]])
    }

    @Test("column types: Kolada ids stay text, years integer, values real")
    func typedKolada() throws {
        let table = try CSVTable.read(path: TestData.shared("sweden/kolada_N02904_lan_2007-2021.csv"))
        let (fields, values) = table.typedColumns()
        #expect(fields.map(\.type) == [.string, .string, .integer, .real, .string])
        // 21 regions × 15 years.
        #expect(values.count == 315)
        let sormland2021 = values.first { $0[1] == .string("0004") && $0[2] == .int(2021) }
        // Sörmland is the highest region in 2021: 12.236147 in the file (SOURCES.md: 12.24 %).
        #expect(sormland2021?[3] == .double(12.236147))
        let highest2021 = values.filter { $0[2] == .int(2021) }.max { $0[3].number! < $1[3].number! }
        #expect(highest2021?[1] == .string("0004"))
    }
}
