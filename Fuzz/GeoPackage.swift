import Atlas
import CSQLite
import Foundation

/// Three kinds of input, chosen by the first byte (modulo 3), the rest being:
/// 0 — a whole `.gpkg` file: every layer read and inspected as `atlas inspect` does;
/// 1 — one geometry blob, stored as the geometry of the one feature of a GeoPackage made once
///     per process, then read: the GeoPackageBinary header and WKB parser without SQLite's
///     page checks in the way;
/// 2 — a zip holding shapefiles, read as `LayerReader` reads `X.zip`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count >= 1 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let rest = UnsafeRawBufferPointer(rebasing: input[1...])
    switch input[0] % 3 {
    case 0:
        let path = FuzzInput.write(rest, name: "input.gpkg")
        FuzzInput.expectAtlasError {
            for layer in try GeoPackage.layers(path: path) {
                _ = try LayerInspection(layer: try LayerReader.read(path: path + "|layername=" + layer.name)).report
            }
        }
    case 1:
        BlobTemplate.shared.store(rest)
        FuzzInput.expectAtlasError { _ = try LayerReader.read(path: BlobTemplate.shared.path) }
    default:
        let path = FuzzInput.write(rest, name: "input.zip")
        FuzzInput.expectAtlasError {
            for layer in try ZippedShapefile.layers(path: path) {
                _ = try LayerReader.read(path: path + "|layername=" + layer, options: LayerOptions(crs: .sweref99TM))
            }
        }
    }
    return 0
}

/// A GeoPackage with one point feature written by atlas, whose geometry each input replaces.
final class BlobTemplate: @unchecked Sendable {
    static let shared = BlobTemplate()
    let path = FuzzInput.folder + "/blob.gpkg"
    private var database: OpaquePointer?
    private var update: OpaquePointer?

    private init() {
        unlink(path)
        let writer = try! GeoPackageWriter(path: path, layer: "blob", fields: [Field("namn", .string)], crs: .sweref99TM)
        try! writer.write(Feature(geometry: .point(Coordinate(15.63, 60.6)), values: [.string("Falun")]))
        try! writer.finish()
        precondition(sqlite3_open(path, &database) == SQLITE_OK)
        // The R-tree triggers call ST_ functions that only GeoPackage readers such as GDAL provide.
        for n in 1...4 { sqlite3_exec(database, "DROP TRIGGER rtree_blob_geom_update\(n)", nil, nil, nil) }
        precondition(sqlite3_prepare_v2(database, "UPDATE blob SET geom = ? WHERE fid = 1", -1, &update, nil) == SQLITE_OK)
    }

    func store(_ blob: UnsafeRawBufferPointer) {
        let transient = unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self)
        sqlite3_bind_blob(update, 1, blob.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(blob.count), transient)
        precondition(sqlite3_step(update) == SQLITE_DONE)
        sqlite3_reset(update)
    }
}
