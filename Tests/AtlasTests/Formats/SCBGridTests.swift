import Foundation
import Testing

@testable import Atlas

@Suite("SCB grid cells from rutid")
struct SCBGridTests {
    private static let dalarnaCSV = TestData.shared("dalarna/befolkning_1km_2025_dalarna.csv")

    @Test("a rutid decodes to the south-west corner; the CSV's e/n are the cell centres")
    func cornerMatchesColumns() throws {
        let corner = try SCBGrid.corner(rutid: "3520006860000")
        #expect(corner == Coordinate(352_000, 6_860_000))
        // Spaces around the digits, ASCII or not, are trimmed.
        #expect(try SCBGrid.corner(rutid: " 3520006860000\t") == corner)
        #expect(try SCBGrid.corner(rutid: "\u{00A0}3520006860000\u{2009}") == corner)

        // Every one of the 4,004 rows: corner + 500 m is the centre SCB gives in e/n
        // (written with float noise, e.g. 352499.999).
        let table = try CSVTable.read(path: Self.dalarnaCSV)
        let rutid = try table.column("rutid")
        let e = try table.column("e")
        let n = try table.column("n")
        #expect(table.rows.count == 4004)
        var mismatches = 0
        for row in table.rows {
            let c = try SCBGrid.corner(rutid: row[rutid])
            if abs(c.x + 500 - Double(row[e])!) > 0.01 || abs(c.y + 500 - Double(row[n])!) > 0.01 { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("cell size: 1 km for the Dalarna grid, 250 m when corners fall between kilometres")
    func detectSize() throws {
        let table = try CSVTable.read(path: Self.dalarnaCSV)
        let rutids = table.rows.map { $0[0] }
        #expect(SCBGrid.detectCellSize(rutids: rutids) == 1000)
        #expect(SCBGrid.detectCellSize(rutids: ["3520006860000", "3522506860000"]) == 250)
        #expect(SCBGrid.detectCellSize(rutids: ["3520106860000"]) == nil)
        // 352100 is a multiple of 100 but not of 250; 6860050 of neither.
        #expect(SCBGrid.detectCellSize(rutids: ["3520006860000", "3521006860000", "3520006860000"]) == 100)
        #expect(SCBGrid.detectCellSize(rutids: ["3520006860000", "3520006860050"]) == nil)
        #expect(SCBGrid.detectCellSize(rutids: []) == nil)
    }

    @Test("a cell is a counter-clockwise square of 1,000,000 m²")
    func cellArea() throws {
        let cell = try SCBGrid.cellPolygon(rutid: "3520006860000", size: 1000)
        let ring = try #require(cell.polygons.first?.first)
        #expect(Ring.signedArea(ring) == 1_000_000)
        #expect(cell.bounds == Bounds(minX: 352_000, minY: 6_860_000, maxX: 353_000, maxY: 6_861_000))
    }

    @Test("a malformed rutid names the row")
    func malformed() throws {
        #expect(throws: AtlasError.self) { try SCBGrid.corner(rutid: "352000686000") }
        // Digits that are not ASCII, a space inside, a sign and a letter O are no rutid.
        for text in ["３５２０００６８６００００", "352000 6860000", "-352000686000", "35200068600O0", "35200068600000"] {
            #expect(throws: AtlasError.self, "\(text)") { try SCBGrid.corner(rutid: text) }
        }
        let table = try CSVTable.parse(text: "rutid,pop\n3520006860000,3\n35200068600x0,4\n", source: "grid.csv")
        #expect {
            _ = try SCBGrid.gridLayer(table: table, rutidColumn: "rutid", cellSize: nil)
        } throws: { error in
            let error = error as? AtlasError
            return error?.record == 2 && error?.field == "rutid" && error?.message.contains("(line 3)") == true
        }
    }

    @Test("the grid layer from the CSV matches SCB's own grid shapefile cell for cell")
    func gridLayerMatchesShapefile() throws {
        let layer = try SCBGrid.gridLayer(
            table: try CSVTable.read(path: Self.dalarnaCSV), rutidColumn: "rutid", cellSize: nil)
        #expect(layer.crs == .sweref99TM)
        #expect(layer.features.count == 4004)
        #expect(layer.fields[0] == Field("rutid", .string))
        #expect(layer.fields[try layer.fieldIndex("befolkning_2025")].type == .integer)
        // The same total as GDAL sums from the shapefile: 285,587.
        #expect(try layer.values(of: "befolkning_2025").compactMap(\.number).reduce(0, +) == 285_587)

        // SCB's shapefile holds the same cells; its corners went through WGS 84, so they agree
        // with the exact squares to within 10 cm.
        let shapefile = try Shapefile.read(path: TestData.shared("dalarna/shp/befolkning_1km_2025.shp"))
        let shapefileRutid = try shapefile.fieldIndex("rutid")
        var cells: [String: Bounds] = [:]
        for feature in shapefile.features { cells[feature.values[shapefileRutid].text!] = feature.geometry?.bounds }
        var matched = 0
        for feature in layer.features {
            guard let expected = cells[feature.values[0].text!], let b = feature.geometry?.bounds else { continue }
            if abs(b.minX - expected.minX) < 0.1, abs(b.maxY - expected.maxY) < 0.1, abs(b.maxX - expected.maxX) < 0.1,
                abs(b.minY - expected.minY) < 0.1
            {
                matched += 1
            }
        }
        #expect(matched == 4004)
    }
}
