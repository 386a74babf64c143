import Foundation
import Testing

@testable import Atlas

/// Broken CSV beyond the format tests (a short row, an unterminated quote, an empty file,
/// a non-numeric coordinate, a malformed rutid).
@Suite("Corpus: CSV")
struct CSVCorpusTests {
    private func layerError(_ text: String, options: LayerOptions = LayerOptions()) throws -> (String, AtlasError?) {
        let path = try CorpusFiles.write(text, name: "bad.csv")
        return (path, CorpusFiles.error { _ = try LayerReader.read(path: path, options: options) })
    }

    @Test("a row with more columns than the header")
    func longRow() throws {
        let (path, error) = try layerError("id,lon,lat\n1,15.6,60.6\n2,15.7,60.7,extra\n")
        #expect(error?.file == path)
        #expect(error?.message == "line 3: 4 columns, the header has 3")
    }

    @Test("a quote opened on line 2 and never closed, with more rows after it")
    func unterminatedQuoteSwallowsRows() throws {
        let (_, error) = try layerError("id,namn,lon,lat\n1,\"Falun,15.6,60.6\n2,Borlänge,15.4,60.5\n")
        #expect(error?.message == "line 2: a quoted field that starts here is never closed")
    }

    @Test("a table without coordinate columns")
    func noCoordinates() throws {
        let (_, error) = try layerError("id,namn\n1,Falun\n")
        #expect(error?.message == "no coordinate columns found: name them with --x and --y, or give an SCB --rutid column")
    }

    @Test("x/y columns without a CRS")
    func projectedWithoutCRS() throws {
        let (_, error) = try layerError("id,x,y\n1,535000,6720000\n")
        #expect(error?.message == "the CRS of columns x/y is unknown: pass --crs EPSG:N")
    }

    @Test("an empty coordinate cell names the row and column")
    func emptyCoordinate() throws {
        let (_, error) = try layerError("id,lon,lat\n1,15.6,60.6\n2,,60.7\n")
        #expect(error?.record == 2)
        #expect(error?.field == "lon")
        #expect(error?.message == "'' is not a number (line 3)")
    }

    @Test("coordinates that overflow or spell out NaN")
    func nonFiniteCoordinates() throws {
        let (_, overflow) = try layerError("id,lon,lat\n1,1e999,60.6\n")
        #expect(overflow?.message == "'1e999' is not a number (line 2)")
        let (_, nan) = try layerError("id,lon,lat\n1,15.6,60.6\n2,15.7,nan\n")
        #expect(nan?.record == 2)
        #expect(nan?.message == "'nan' is not a number (line 3)")
    }

    @Test("binary bytes read as a one-column table without coordinates")
    func binaryFile() throws {
        let path = try TestData.temporaryFolder() + "/bad.csv"
        try Data([0x00, 0xFF, 0xFE, 0x01, 0x0A, 0x80, 0x81]).write(to: URL(fileURLWithPath: path))
        let error = CorpusFiles.error { _ = try LayerReader.read(path: path) }
        #expect(error?.file == path)
        #expect(error?.message.hasPrefix("no coordinate columns found") == true)
    }

    @Test("rutid cells of mixed sizes that fit no SCB grid")
    func rutidOffGrid() throws {
        // 3520006860050 has a corner 50 m off every 100 m line: no SCB size divides it.
        let (_, error) = try layerError("rutid,pop\n3520006860000,10\n3520006860050,4\n")
        #expect(error?.field == "rutid")
        #expect(error?.message == "cannot tell the cell size from the rutid corners; give it (250 or 1000 metres)")
    }
}
