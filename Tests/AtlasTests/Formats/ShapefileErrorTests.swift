import CShapelib
import Foundation
import Testing

@testable import Atlas

@Suite("Shapefile: bad input")
struct ShapefileErrorTests {
    /// A copy of the 40 Dalarna care points (1,220-byte .shp) in a fresh folder; returns the basename.
    private func carePointsCopy(skipping skipped: Set<String> = []) throws -> String {
        let folder = try TestData.temporaryFolder()
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] where !skipped.contains(ext) {
            try FileManager.default.copyItem(
                atPath: TestData.shared("dalarna/shp/vardcentraler_sjukhus.\(ext)"),
                toPath: folder + "/vardcentraler_sjukhus.\(ext)")
        }
        return folder + "/vardcentraler_sjukhus"
    }

    private func expectError(_ path: String, crs: CRS? = nil, _ check: (AtlasError) -> Bool) {
        #expect {
            _ = try Shapefile.read(path: path, crs: crs)
        } throws: { error in
            guard let error = error as? AtlasError else { return false }
            return check(error)
        }
    }

    @Test("a truncated .shp: the header's length against the file's")
    func truncated() throws {
        let base = try carePointsCopy()
        let handle = try #require(FileHandle(forWritingAtPath: base + ".shp"))
        try handle.truncate(atOffset: 1000)
        try handle.close()
        expectError(base + ".shp") { error in
            error.file == base + ".shp" && error.message == "truncated: header says 1220 bytes, file has 1000"
        }
    }

    @Test("an empty .shp is too short for its header; an empty .cpg is ignored")
    func emptyFiles() throws {
        let base = try carePointsCopy()
        try "".write(toFile: base + ".cpg", atomically: true, encoding: .utf8)
        // The care points' names have å/ä/ö in UTF-8, which the language driver 0 also means.
        #expect(try Shapefile.read(path: base).features.count == 40)
        try Data().write(to: URL(fileURLWithPath: base + ".shp"))
        expectError(base) { $0.message == "truncated: 0 bytes, shorter than the 100-byte header" }
    }

    @Test("missing .shx or .dbf names the missing file")
    func missingCompanions() throws {
        let noIndex = try carePointsCopy(skipping: ["shx"])
        expectError(noIndex) { $0.message.contains("missing \(noIndex).shx") }
        let noTable = try carePointsCopy(skipping: ["dbf"])
        expectError(noTable + ".shp") { $0.message.contains("missing \(noTable).dbf") }
        let nothing = try TestData.temporaryFolder() + "/nothing"
        expectError(nothing) { $0.file == nothing + ".shp" && $0.message == "no such shapefile" }
    }

    @Test("missing .prj is an error unless a CRS is given")
    func missingProjection() throws {
        let base = try carePointsCopy(skipping: ["prj"])
        expectError(base) { $0.message == "no .prj: pass --crs EPSG:N" }
        let layer = try Shapefile.read(path: base, crs: .sweref99TM)
        #expect(layer.crs == .sweref99TM)
        #expect(layer.features.count == 40)
    }

    @Test("an unknown .cpg encoding names the .cpg and its value")
    func unknownEncoding() throws {
        let base = try carePointsCopy()
        try "KOI8-R\n".write(toFile: base + ".cpg", atomically: true, encoding: .utf8)
        expectError(base) { $0.file == base + ".cpg" && $0.message.hasPrefix("unknown encoding 'KOI8-R'") }
    }

    @Test("a file that is not a shapefile: wrong file code")
    func wrongMagic() throws {
        let base = try carePointsCopy()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: base + ".shp"))
        bytes.replaceSubrange(0..<4, with: Array("PK\u{3}\u{4}".utf8))
        try bytes.write(to: URL(fileURLWithPath: base + ".shp"))
        expectError(base) { $0.message.hasPrefix("not a shapefile: file code is") }
    }

    @Test("an index entry that points past the end of the .shp names the record")
    func indexPastEnd() throws {
        let base = try carePointsCopy()
        var index = try Data(contentsOf: URL(fileURLWithPath: base + ".shx"))
        // Entry 7 starts at byte 100 + 6 * 8; its offset (in 16-bit words) now points 1 MB away.
        index.replaceSubrange(148..<152, with: [0x00, 0x08, 0x00, 0x00])
        try index.write(to: URL(fileURLWithPath: base + ".shx"))
        expectError(base) { $0.file == base + ".shx" && $0.record == 7 && $0.message.contains("past the end") }
    }

    @Test("fewer DBF records than shapes is an error")
    func fewerRecordsThanShapes() throws {
        let point = [[Coordinate(1, 2)]]
        let fixture = ShapefileFixture(
            type: SHPT_POINT, shapes: [point, point, point], columns: [.init(name: "id", type: "N", width: 4)],
            records: [[Array("1".utf8)], [Array("2".utf8)]])
        let path = try fixture.write(in: TestData.temporaryFolder())
        expectError(path) { $0.file?.hasSuffix("fixture.dbf") == true && $0.message == "holds 2 records for 3 shapes" }
    }
}
