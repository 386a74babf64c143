import Foundation
import Testing

@testable import Atlas

/// Malformed GeoPackages made from copies of the Dalarna file: each read fails with an
/// `AtlasError` naming the file, the layer and, for a feature, its record and fid.
@Suite("GeoPackage: bad input")
struct GeoPackageErrorTests {
    /// A copy of dalarna.gpkg changed by SQL (`||` makes text of blobs, hence the casts back to
    /// BLOB in the patches). GDAL's triggers call ST_ functions that only GDAL
    /// provides, so the copy's triggers are dropped first.
    static func patched(_ sql: String) throws -> String {
        let path = try TestData.temporaryFolder() + "/dalarna.gpkg"
        try FileManager.default.copyItem(atPath: GeoPackageWriterTests.dalarna, toPath: path)
        let database = try SQLiteDatabase(path: path, readOnly: false)
        let triggers = try database.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        var names: [String] = []
        while try triggers.step() { names.append(triggers.text(0)) }
        for name in names { try database.execute("DROP TRIGGER \(SQL.identifier(name))") }
        try database.execute(sql)
        return path
    }

    static func readError(_ path: String) throws -> AtlasError {
        try #require(throws: AtlasError.self) { try LayerReader.read(path: path) }
    }

    @Test("a .gpkg that is not SQLite says so")
    func notSQLite() throws {
        let path = try CorpusFiles.write(#"{"type":"FeatureCollection","features":[]}"#, name: "areas.gpkg")
        let error = try Self.readError(path)
        #expect(error.file == path)
        #expect(error.message == "not a GeoPackage: not an SQLite database (the file does not start with 'SQLite format 3')")
    }

    @Test("an SQLite database without the GeoPackage tables is not a GeoPackage")
    func plainSQLite() throws {
        let path = try TestData.temporaryFolder() + "/plain.gpkg"
        try SQLiteDatabase(path: path, readOnly: false).execute("CREATE TABLE t (x INTEGER)")
        #expect(try Self.readError(path).message == "not a GeoPackage: the SQLite database has no gpkg_contents table")
    }

    @Test("a truncated file is reported with the size its header declares")
    func truncated() throws {
        let path = try TestData.temporaryFolder() + "/dalarna.gpkg"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: GeoPackageWriterTests.dalarna))
        // The header (bytes 16–17 and 28–31, big-endian) gives the page size and count: the
        // file is exactly pages × page size long, here cut to its first 100,000 bytes.
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        let pages = bytes[28..<32].reduce(0) { $0 << 8 | Int($1) }
        #expect(pages * pageSize == bytes.count)
        try bytes.prefix(100_000).write(to: URL(fileURLWithPath: path))
        let error = try Self.readError(path + "|layername=deso_2025")
        #expect(error.file == path)
        #expect(error.message == "truncated: the SQLite header says \(pages) pages of \(pageSize) bytes (\(bytes.count) bytes), the file has 100000")

        try bytes.prefix(60).write(to: URL(fileURLWithPath: path))
        #expect(try Self.readError(path).message == "truncated: 60 bytes, shorter than the 100-byte SQLite header")
    }

    @Test("a layer that does not exist is named with the layers there are")
    func missingLayer() throws {
        let path = GeoPackageWriterTests.dalarna
        let error = try Self.readError(path + "|layername=kommun")
        #expect(error.file == path)
        #expect(error.message == "no layer 'kommun' in the GeoPackage; it holds: deso_2025, befolkning_1km_2025, vardcentraler_sjukhus")
    }

    @Test("a geometry blob without the GP magic names the layer, record and fid")
    func wrongMagic() throws {
        // Care point 7's blob with its first byte 'G' replaced by 'X'.
        let path = try Self.patched("UPDATE vardcentraler_sjukhus SET geom = CAST(CAST('X' AS BLOB) || substr(geom, 2) AS BLOB) WHERE fid = 7")
        let error = try Self.readError(path + "|layername=vardcentraler_sjukhus")
        #expect(error.file == path + "|layername=vardcentraler_sjukhus")
        #expect(error.record == 7)
        #expect(error.message == "feature fid 7: the geometry blob starts with 58 50, not the GeoPackage magic 'GP'")
    }

    @Test("an invalid envelope code and an extended geometry are refused")
    func badFlags() throws {
        // GDAL writes points with flags 0x01 (little-endian, no envelope); 0x0B is envelope code 5.
        var path = try Self.patched("UPDATE vardcentraler_sjukhus SET geom = CAST(substr(geom, 1, 3) || X'0B' || substr(geom, 5) AS BLOB) WHERE fid = 3")
        var error = try Self.readError(path + "|layername=vardcentraler_sjukhus")
        #expect(error.record == 3)
        #expect(error.message == "feature fid 3: invalid envelope code 5 in the geometry header (0–4 are defined)")
        path = try Self.patched("UPDATE vardcentraler_sjukhus SET geom = CAST(substr(geom, 1, 3) || X'21' || substr(geom, 5) AS BLOB) WHERE fid = 3")
        error = try Self.readError(path + "|layername=vardcentraler_sjukhus")
        #expect(error.message == "feature fid 3: extended GeoPackage geometries (flag X) are not supported")
    }

    @Test("truncated WKB: a point cut inside its coordinates, a polygon whose point count overruns the blob")
    func truncatedWKB() throws {
        // A point blob is 8 header bytes + 21 WKB bytes (1 byte order, 4 type, 16 x/y); 20 bytes
        // leave 12 of WKB, 7 short of the coordinate pair that starts at WKB byte 5.
        var path = try Self.patched("UPDATE vardcentraler_sjukhus SET geom = substr(geom, 1, 20) WHERE fid = 12")
        var error = try Self.readError(path + "|layername=vardcentraler_sjukhus")
        #expect(error.record == 12)
        #expect(error.message == "feature fid 12: the WKB ends at byte 12 inside a coordinate (truncated geometry)")

        // DeSO fid 1's polygon cut to 100 bytes: 40 header, 13 for the WKB header, ring count and
        // point count (46 points, hex 2E000000 in GDAL's blob), leaving 47 bytes for 46 × 16.
        path = try Self.patched("UPDATE deso_2025 SET geom = substr(geom, 1, 100) WHERE fid = 1")
        error = try Self.readError(path + "|layername=deso_2025")
        #expect(error.file == path + "|layername=deso_2025")
        #expect(error.record == 1)
        #expect(error.message == "feature fid 1: the WKB says 46 points at byte 9, more than the 47 bytes left can hold (truncated geometry)")
    }

    @Test("an EPSG code PROJ does not know, with no definition to fall back on, is an unknown CRS")
    func unknownCRS() throws {
        let path = try Self.patched(
            "UPDATE gpkg_spatial_ref_sys SET organization_coordsys_id = 999999, definition = 'undefined' WHERE srs_id = 3006")
        let error = try Self.readError(path + "|layername=deso_2025")
        #expect(error.file == path + "|layername=deso_2025")
        #expect(error.message.hasPrefix("unknown CRS EPSG:999999 (srs_id 3006 in gpkg_spatial_ref_sys): "))
    }

    @Test("an unknown code with a WKT definition is read through the definition")
    func definitionFallback() throws {
        let path = try Self.patched("UPDATE gpkg_spatial_ref_sys SET organization_coordsys_id = 999999 WHERE srs_id = 3006")
        let layer = try LayerReader.read(path: path + "|layername=vardcentraler_sjukhus")
        #expect(layer.crs?.definition.hasPrefix("PROJCS[\"SWEREF99 TM\"") == true)
        // The WKT carries AUTHORITY["EPSG","3006"], which PROJ reports.
        #expect(try layer.crs?.info().epsg == 3006)
    }

    @Test("a layer whose srs_id has no row in gpkg_spatial_ref_sys")
    func missingReferenceSystem() throws {
        let path = try Self.patched("DELETE FROM gpkg_spatial_ref_sys WHERE srs_id = 3006")
        let error = try Self.readError(path + "|layername=deso_2025")
        #expect(error.message == "srs_id 3006 is not in gpkg_spatial_ref_sys")
    }

    @Test("an unsupported curve type and a WKB type outside ISO's are named")
    func unsupportedTypes() throws {
        // WKB type 8 (CircularString) little-endian in place of the point's type 1.
        var path = try Self.patched("UPDATE vardcentraler_sjukhus SET geom = CAST(substr(geom, 1, 9) || X'08000000' || substr(geom, 14) AS BLOB) WHERE fid = 2")
        #expect(try Self.readError(path + "|layername=vardcentraler_sjukhus").message
            == "feature fid 2: CircularString geometries are not supported")
        path = try Self.patched("UPDATE vardcentraler_sjukhus SET geom = CAST(substr(geom, 1, 9) || X'39300000' || substr(geom, 14) AS BLOB) WHERE fid = 2")
        #expect(try Self.readError(path + "|layername=vardcentraler_sjukhus").message
            == "feature fid 2: unknown WKB geometry type 12345")
    }

    @Test("a blob in an attribute column names the field and feature")
    func blobAttribute() throws {
        let path = try Self.patched("UPDATE vardcentraler_sjukhus SET namn = X'00FF' WHERE fid = 5")
        let error = try Self.readError(path + "|layername=vardcentraler_sjukhus")
        #expect(error.record == 5 && error.field == "namn")
        #expect(error.message == "feature fid 5: a blob where the table declares TEXT(80)")
    }

    @Test("a zip without a shapefile says what it lacks")
    func zipWithoutShapefile() throws {
        let path = try TestData.temporaryFolder() + "/feed.zip"
        try FileManager.default.copyItem(atPath: TestData.shared("porto-alegre/poa_trensurb.zip"), toPath: path)
        #expect(try Self.readError(path).message == "the archive holds no shapefile (no .shp member)")
    }
}
