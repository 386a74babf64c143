import CShapelib
import Foundation
import Testing

@testable import Atlas

/// Broken shapefiles not covered by the format tests: each is a patched copy of the Dalarna
/// care points, whose layout is fixed: .shp records of 28 bytes from byte 100 (8-byte record
/// header, shape type, x, y), .shx entries of 8 bytes from byte 100.
@Suite("Corpus: shapefiles")
struct ShapefileCorpusTests {
    @Test("an index with the wrong file code")
    func indexWrongMagic() throws {
        let base = try CorpusFiles.carePoints()
        try CorpusFiles.patch(base + ".shx") { $0.replaceSubrange(0..<4, with: CorpusFiles.bigEndian(1234)) }
        let error = CorpusFiles.error { _ = try Shapefile.read(path: base) }
        #expect(error?.file == base + ".shx")
        #expect(error?.message == "not a shapefile index (no 9994 file code in a 100-byte header)")
    }

    @Test("an index cut inside an entry")
    func indexTruncated() throws {
        let base = try CorpusFiles.carePoints()
        // 420 bytes: a 100-byte header and 40 entries of 8; cutting 3 leaves 317 entry bytes.
        try CorpusFiles.patch(base + ".shx") { $0.removeLast(3) }
        let error = CorpusFiles.error { _ = try Shapefile.read(path: base) }
        #expect(error?.file == base + ".shx")
        #expect(error?.message == "truncated: 317 bytes of entries is not a multiple of 8")
    }

    @Test("an index entry pointing into the 100-byte header")
    func indexIntoHeader() throws {
        let base = try CorpusFiles.carePoints()
        // Entry 3 (bytes 116–123): offset 0 words.
        try CorpusFiles.patch(base + ".shx") { $0.replaceSubrange(116..<120, with: CorpusFiles.bigEndian(0)) }
        let error = CorpusFiles.error { _ = try Shapefile.read(path: base) }
        #expect(error?.file == base + ".shx")
        #expect(error?.record == 3)
        #expect(error?.message == "the index points at byte 0, inside the 100-byte header")
    }

    @Test("an index entry with a negative length")
    func indexNegativeLength() throws {
        let base = try CorpusFiles.carePoints()
        // Entry 2's length (bytes 112–115) as −4 words.
        try CorpusFiles.patch(base + ".shx") { $0.replaceSubrange(112..<116, with: CorpusFiles.bigEndian(-4)) }
        let error = CorpusFiles.error { _ = try Shapefile.read(path: base) }
        #expect(error?.record == 2)
        #expect(error?.message == "the index gives record 2 a negative length (-8 bytes)")
    }

    @Test("a record header whose length runs past the end of the .shp")
    func recordLengthPastEnd() throws {
        let base = try CorpusFiles.carePoints()
        // Record 4 starts at 100 + 3 × 28 = 184; its content length (bytes 188–191) becomes
        // 1 M words, far more than the 1,220-byte file.
        try CorpusFiles.patch(base + ".shp") { $0.replaceSubrange(188..<192, with: CorpusFiles.bigEndian(0x10_0000)) }
        let error = CorpusFiles.error { _ = try Shapefile.read(path: base) }
        #expect(error?.file == base + ".shp")
        #expect(error?.record == 4)
        #expect(error?.message == "the record header says 2097152 bytes, the index 20")
    }

    @Test("an infinite coordinate")
    func infiniteCoordinate() throws {
        let base = try CorpusFiles.carePoints()
        // Record 5's x: 100 + 4 × 28 + 8 (record header) + 4 (shape type) = 224.
        try CorpusFiles.patch(base + ".shp") { $0.replaceSubrange(224..<232, with: CorpusFiles.littleEndian(-Double.infinity)) }
        let error = CorpusFiles.error { _ = try Shapefile.read(path: base) }
        #expect(error?.file == base + ".shp")
        #expect(error?.record == 5)
        #expect(error?.message.hasPrefix("vertex 1 is not finite (-inf, ") == true)
    }

    @Test("a .dbf whose header promises more records than the file holds")
    func tableTruncated() throws {
        let base = try CorpusFiles.carePoints()
        let size = try ShapefileFiles.size(base + ".dbf")
        try CorpusFiles.patch(base + ".dbf") { $0.removeLast(100) }
        let header = try ShapefileFiles.prefix(base + ".dbf", count: 12)
        let recordLength = Int(header[10]) | Int(header[11]) << 8
        let headerLength = Int(header[8]) | Int(header[9]) << 8
        // The real table is its header, 40 records and the 0x1A end-of-file byte.
        let needed = headerLength + 40 * recordLength
        #expect(needed + 1 == size)
        let error = CorpusFiles.error { _ = try Shapefile.read(path: base) }
        #expect(error?.file == base + ".dbf")
        #expect(error?.message == "truncated: header says 40 records of \(recordLength) bytes (\(needed) bytes), file has \(size - 100)")
    }

    @Test("a .dbf with a zero header length is not a dBASE table")
    func tableHeaderLengthZero() throws {
        let base = try CorpusFiles.carePoints()
        try CorpusFiles.patch(base + ".dbf") { $0.replaceSubrange(8..<10, with: [0, 0]) }
        let error = CorpusFiles.error { _ = try Shapefile.read(path: base) }
        #expect(error?.file == base + ".dbf")
        #expect(error?.message.hasPrefix("not a dBASE table: header length 0, record length ") == true)
    }

    @Test("a .dbf of 10 bytes")
    func tableShorterThanHeader() throws {
        let base = try CorpusFiles.carePoints()
        try CorpusFiles.patch(base + ".dbf") { $0.removeLast($0.count - 10) }
        let error = CorpusFiles.error { _ = try Shapefile.read(path: base) }
        #expect(error?.message == "truncated: 10 bytes, shorter than the 32-byte header")
    }

    @Test("a .shp header with a version other than 1000")
    func wrongVersion() throws {
        let base = try CorpusFiles.carePoints()
        try CorpusFiles.patch(base + ".shp") { $0.replaceSubrange(28..<32, with: CorpusFiles.littleEndian(Int32(999))) }
        let error = CorpusFiles.error { _ = try Shapefile.read(path: base) }
        #expect(error?.message == "unsupported shapefile version 999, expected 1000")
    }

    @Test("self-intersecting polygons read as they are, are reported by inspection and repaired by make-valid")
    func selfIntersections() throws {
        // Record 2 is a bow-tie crossing itself at (1, 1); record 3 a square whose ring runs
        // back along its own edge (a spike from (2, 0) out to (3, 0) and back).
        let square = [Coordinate(0, 0), Coordinate(0, 2), Coordinate(2, 2), Coordinate(2, 0), Coordinate(0, 0)]
        let bowTie = [Coordinate(0, 0), Coordinate(2, 2), Coordinate(2, 0), Coordinate(0, 2), Coordinate(0, 0)]
        let spike = [
            Coordinate(0, 0), Coordinate(0, 2), Coordinate(2, 2), Coordinate(2, 0), Coordinate(3, 0), Coordinate(2, 0),
            Coordinate(0, 0),
        ]
        let fixture = ShapefileFixture(type: SHPT_POLYGON, shapes: [[square], [bowTie], [spike]])
        let layer = try Shapefile.read(path: fixture.write(in: TestData.temporaryFolder()))
        #expect(layer.features.count == 3)
        let inspection = try LayerInspection(layer: layer)
        #expect(inspection.invalid.map(\.record) == [2, 3])
        #expect(inspection.invalid.first?.reason.hasPrefix("Self-intersection") == true, "\(inspection.invalid)")

        let repaired = try layer.madeValid(context: try GEOSContext())
        #expect(try LayerInspection(layer: repaired).invalid.isEmpty)
        // The bow-tie becomes its two triangles of area 1 each; the spike encloses no area, so
        // the polygonal part left is the 2 × 2 square (GEOS's default method keeps the spike
        // itself as a line beside it, which is why only polygons are compared).
        guard case .multiPolygon(let triangles)? = repaired.features[1].geometry else {
            Issue.record("the bow-tie should become a MultiPolygon: \(String(describing: repaired.features[1].geometry))")
            return
        }
        #expect(triangles.count == 2)
        func polygons(_ geometry: Geometry?) -> [[[Coordinate]]] {
            switch geometry {
            case .polygon(let rings)?: [rings]
            case .multiPolygon(let parts)?: parts
            case .collection(let members)?: members.flatMap { polygons($0) }
            default: []
            }
        }
        let left = polygons(repaired.features[2].geometry)
        #expect(left.count == 1)
        #expect(left.first.map { Set($0[0]) } == Set(square))
    }
}
