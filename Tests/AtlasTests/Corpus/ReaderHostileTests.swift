import CShapelib
import Foundation
import Testing

@testable import Atlas

/// Inputs that used to be read without a word but wrongly: a stray byte that re-encoded a whole
/// file, ids rounded through a Double, a second DBF field hidden by the first, numbers that
/// are not numbers, a shape of another type than its file's, special files taken for files.
@Suite("Corpus: hostile reader input")
struct ReaderHostileTests {
    // MARK: CSV

    @Test("one byte that is not UTF-8 repairs its cell alone")
    func strayByteInUTF8() throws {
        let path = try TestData.temporaryFolder() + "/orter.csv"
        // "ort,lan\nGöteborg,Västra Götaland\nM\u{F6}lndal,…" with the ö of Mölndal as the single byte 0xF6.
        let bytes = Array("ort,län\nGöteborg,Västra Götaland\nM".utf8) + [0xF6] + Array("lndal,Västra Götaland\nÖrebro,Örebro\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let table = try CSVTable.read(path: path)
        #expect(table.encoding == "UTF-8")
        #expect(table.header == ["ort", "län"])
        #expect(table.rows == [["Göteborg", "Västra Götaland"], ["Mölndal", "Västra Götaland"], ["Örebro", "Örebro"]])
        #expect(table.repairs == [CSVTable.Repair(record: 2, field: "ort", line: 3)])
    }

    @Test("a file with no UTF-8 beyond ASCII is Windows-1252 throughout, without repairs")
    func windows1252Throughout() throws {
        let path = try TestData.temporaryFolder() + "/orter.csv"
        let bytes = Array("ort\nM".utf8) + [0xF6] + Array("lndal\n".utf8) + [0xC5] + Array("re\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let table = try CSVTable.read(path: path)
        #expect(table.encoding == "Windows-1252")
        #expect(table.rows == [["Mölndal"], ["Åre"]])
        #expect(table.repairs.isEmpty)
    }

    @Test("1e400 in a number column is null, and named")
    func numberBeyondDouble() throws {
        let table = try CSVTable.parse(text: "id,v\na,1.5\nb,1e400\nc,-2\n", source: "v.csv")
        let (fields, values, outOfRange) = table.typed()
        #expect(fields.map(\.type) == [.string, .real])
        #expect(values.map { $0[1] } == [.double(1.5), .null, .double(-2)])
        #expect(outOfRange == [CSVTable.OutOfRange(record: 2, column: 1, text: "1e400")])
    }

    @Test("a CSV that is a FIFO, a folder or a device is named for what it is")
    func specialCSVFiles() throws {
        let folder = try TestData.temporaryFolder()
        #expect(mkfifo(folder + "/pipe.csv", 0o644) == 0)
        try FileManager.default.createDirectory(atPath: folder + "/folder.csv", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: folder + "/zero.csv", withDestinationPath: "/dev/zero")
        let cases = [
            ("pipe.csv", "is a FIFO (named pipe), not a regular file"), ("folder.csv", "is a folder, not a regular file"),
            ("zero.csv", "is a device (character special file), not a regular file"),
        ]
        for (name, message) in cases {
            let error = CorpusFiles.error { _ = try LayerReader.read(path: folder + "/" + name) }
            #expect(error?.file == folder + "/" + name)
            #expect(error?.message == message)
        }
        #expect(mkfifo(folder + "/pipe.geojson", 0o644) == 0)
        #expect(CorpusFiles.error { _ = try GeoJSONReader.read(path: folder + "/pipe.geojson") }?.message
            == "is a FIFO (named pipe), not a regular file")
        #expect(mkfifo(folder + "/pipe.osm.pbf", 0o644) == 0)
        #expect(CorpusFiles.error { _ = try OSMPBFFile(path: folder + "/pipe.osm.pbf") }?.message
            == "is a FIFO (named pipe), not a regular file")
    }

    // MARK: JSON

    @Test("19-digit integers in GeoJSON properties are exact")
    func nineteenDigitJSON() throws {
        let text = #"{"type":"Feature","geometry":null,"properties":{"id":9007199254740993123,"min":-9223372036854775808,"big":12345678901234567890}}"#
        let layer = try GeoJSONReader.parse(try JSONParser.parse(Array(text.utf8)), source: "ids.geojson")
        #expect(layer.features[0].values[0] == .int(9_007_199_254_740_993_123))
        #expect(layer.features[0].values[1] == .int(Int.min))
        // Beyond 64 bits a JSON number is a Double, as in every JSON reader.
        #expect(layer.features[0].values[2] == .double(12_345_678_901_234_567_168))
    }

    // MARK: DBF

    private static let origin = [[Coordinate(500_000, 6_700_000)]]

    private func dbfLayer(_ columns: [ShapefileFixture.Column], _ records: [[String]]) throws -> Layer {
        let folder = try TestData.temporaryFolder()
        let fixture = ShapefileFixture(
            type: SHPT_POINT, shapes: records.map { _ in Self.origin }, columns: columns,
            records: records.map { $0.map { Array($0.utf8) } })
        return try Shapefile.read(path: fixture.write(in: folder))
    }

    @Test("a 19-digit id in a DBF number field is exact")
    func nineteenDigitDBF() throws {
        let layer = try dbfLayer([.init(name: "id", type: "N", width: 19)], [["9007199254740993123"], ["-42"]])
        #expect(layer.fields.map(\.type) == [.integer])
        #expect(layer.features.map { $0.values[0] } == [.int(9_007_199_254_740_993_123), .int(-42)])
    }

    @Test("two DBF fields named NAME become NAME and NAME_2")
    func duplicateFieldNames() throws {
        let folder = try TestData.temporaryFolder()
        let fixture = ShapefileFixture(
            type: SHPT_POINT, shapes: [Self.origin],
            columns: [
                .init(name: "NAME", type: "C", width: 8), .init(name: "NAMX", type: "C", width: 8),
                .init(name: "NAME_2", type: "C", width: 8),
            ],
            records: [[Array("Falun".utf8), Array("Mora".utf8), Array("Rättvik".utf8)]])
        let path = try fixture.write(in: folder)
        // Rename the second field to "name" in its descriptor (the field name is the first
        // 11 bytes of descriptor 2, at byte 64): shapelib's writer refuses duplicates itself.
        try CorpusFiles.patch(folder + "/fixture.dbf") { $0.replaceSubrange(64..<68, with: Array("name".utf8)) }
        let layer = try Shapefile.read(path: path)
        #expect(layer.fields.map(\.name) == ["NAME", "name_2", "NAME_2_2"])
        #expect(try layer.values(of: "name_2") == [.string("Mora")])
        #expect(try layer.values(of: "NAME") == [.string("Falun")])
    }

    @Test("nan, inf and 1e999 in DBF numbers are null; a hex float is an error")
    func nonFiniteDBFNumbers() throws {
        let layer = try dbfLayer(
            [.init(name: "v", type: "N", width: 12, decimals: 2), .init(name: "n", type: "N", width: 8)],
            [["1.25", "7"], ["nan", "inf"], ["1e999", "-1.#IND"], ["-INF", "3"]])
        #expect(layer.features.map { $0.values[0] } == [.double(1.25), .null, .null, .null])
        #expect(layer.features.map { $0.values[1] } == [.int(7), .null, .null, .int(3)])
        let error = CorpusFiles.error {
            _ = try dbfLayer([.init(name: "v", type: "N", width: 12, decimals: 2)], [["1.5"], ["0x1p3"]])
        }
        #expect(error?.record == 2)
        #expect(error?.field == "v")
        #expect(error?.message == "'0x1p3' is not a number")
    }

    // MARK: Shapefile geometry

    @Test("a record whose shape type differs from the header's")
    func shapeTypeMismatch() throws {
        let base = try CorpusFiles.carePoints()
        // The headers' shape type (byte 32, little-endian) says multipoint; the records are points.
        try CorpusFiles.patch(base + ".shp") { $0.replaceSubrange(32..<36, with: CorpusFiles.littleEndian(Int32(8))) }
        let mismatch = CorpusFiles.error { _ = try Shapefile.read(path: base + ".shp") }
        #expect(mismatch?.file == base + ".shx")
        #expect(mismatch?.message == "the header says point (1), the .shp header multipoint (8)")
        try CorpusFiles.patch(base + ".shx") { $0.replaceSubrange(32..<36, with: CorpusFiles.littleEndian(Int32(8))) }
        let error = CorpusFiles.error { _ = try Shapefile.read(path: base + ".shp") }
        #expect(error?.file == base + ".shp")
        #expect(error?.record == 1)
        #expect(error?.message == "the shape is a point (1), the file's header says multipoint (8)")
    }

    @Test("900 exteriors each with a hole pair up through the R-tree")
    func manyRingsAssemble() throws {
        var rings: [[Coordinate]] = []
        var expected: [[[Coordinate]]] = []
        for i in 0..<30 {
            for j in 0..<30 {
                let outer = ShapefileFixture.square(Double(i) * 10, Double(j) * 10, 8)
                let hole = ShapefileFixture.square(Double(i) * 10 + 2, Double(j) * 10 + 2, 3, counterClockwise: true)
                rings.append(outer)
                expected.append([outer, hole])
            }
        }
        // Holes last, in reverse: each still finds its own exterior.
        rings += expected.reversed().map { $0[1] }
        #expect(try ShapeConversion.assemblePolygons(rings) == .multiPolygon(expected))
    }

    @Test("rings nested too deep to assemble are refused")
    func ringsNestedTooDeep() throws {
        // 300 concentric counter-clockwise squares: each compares with every larger one.
        let rings = (0..<300).map { k in ShapefileFixture.square(Double(k), Double(k), Double(2 * (300 - k)), counterClockwise: true) }
        let error = CorpusFiles.error {
            _ = try ShapeConversion.assemblePolygons(rings, limits: .init(pairs: 10_000, vertexTests: 1_000_000))
        }
        #expect(error?.message == "its 300 rings nest too deeply to be assembled into polygons (over 10000 pairs of rings to compare)")
        // Two rings of 100,000 vertices around 100 holes: each hole tests the smaller ring first.
        let big = (0..<100_000).map { k -> Coordinate in
            let a = Double(k) / 100_000 * 2 * Double.pi
            return Coordinate(1000 * cos(a), -1000 * sin(a))
        }
        let outer = big + [big[0]], inner = big.map { Coordinate($0.x * 0.9, $0.y * 0.9) } + [Coordinate(900, 0)]
        let holes = (0..<100).map { k in ShapefileFixture.square(Double(k) - 50, 0, 0.5, counterClockwise: true) }
        let vertexError = CorpusFiles.error {
            _ = try ShapeConversion.assemblePolygons([outer, inner] + holes, limits: .init(pairs: 10_000, vertexTests: 10_000_000))
        }
        #expect(vertexError?.message == "its 102 rings are too many and too large to be assembled into polygons (over 10000000 vertex tests)")
        // Within the limit the nesting alternates: 150 polygons, each with its hole.
        guard case .multiPolygon(let polygons) = try ShapeConversion.assemblePolygons(rings) else {
            Issue.record("expected a multipolygon")
            return
        }
        #expect(polygons.count == 150)
        #expect(polygons.allSatisfy { $0.count == 2 })
    }

    // MARK: OSM PBF

    private func pbfError(_ fixture: PBFFixture) throws -> (String, AtlasError?) {
        let path = try fixture.write()
        return (path, CorpusFiles.error {
            let file = try OSMPBFFile(path: path)
            try file.forEachWay { _ in }
        })
    }

    @Test("a 5 KB block that inflates to a way of 5 million references")
    func wayReferenceBomb() throws {
        var fixture = PBFFixture()
        fixture.header()
        fixture.compressedWay(id: 7, references: 5_000_000)
        #expect(fixture.bytes.count < 10_000)
        let (path, error) = try pbfError(fixture)
        #expect(error?.file == path)
        #expect(error?.message.hasSuffix(
            "the blocks decode to more than 4194304 node references, nodes and tags, far beyond what a file of this size holds (compressed blocks of repeated bytes?)") == true)
    }

    @Test("a node at longitude 10⁹")
    func nodeOffTheEarth() throws {
        var fixture = PBFFixture()
        fixture.header()
        fixture.data(nodes: [(1, 16.5, 59.5), (2, 1e9, 59.5)], ways: [])
        let path = try fixture.write()
        let error = CorpusFiles.error { try OSMPBFFile(path: path).forEachNode { _, _, _ in } }
        #expect(error?.message.contains("node 2 lies at longitude 1000000000.") == true, "\(String(describing: error))")
        #expect(error?.message.hasSuffix(", outside −180…180") == true)
    }
}
