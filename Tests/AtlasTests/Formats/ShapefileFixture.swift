import CShapelib
import Foundation

@testable import Atlas

/// Small shapefiles written with shapelib's own writer, for cases the real data lacks:
/// holes in several parts, Z/M, null shapes, every DBF type, nulls and bad bytes.
struct ShapefileFixture {
    struct Column {
        var name: String
        var type: Character
        var width: Int
        var decimals: Int = 0
    }

    /// Shape type (`SHPT_*`), each shape as parts of x/y points (nil: a null shape).
    var type: Int32
    var shapes: [[[Coordinate]]?]
    var columns: [Column] = []
    /// Raw DBF cell bytes per record (padded to the width here); fewer records than shapes is allowed.
    var records: [[[UInt8]]] = []
    /// Passed to `DBFCreateEx`: "UTF-8" writes a `.cpg`, "LDID/87" sets the header byte, nil neither.
    var codePage: String? = "UTF-8"
    var writesProjection = true

    /// Writes `<folder>/<name>.shp/.shx/.dbf(/.prj/.cpg)` and returns the `.shp` path.
    func write(in folder: String, name: String = "fixture") throws -> String {
        let base = folder + "/" + name
        guard let shp = SHPCreate(base, type) else { throw AtlasError(file: base, "SHPCreate failed") }
        for parts in shapes {
            let object: UnsafeMutablePointer<SHPObject>?
            if let parts {
                let points = parts.flatMap { $0 }
                var starts: [Int32] = []
                var offset: Int32 = 0
                for part in parts {
                    starts.append(offset)
                    offset += Int32(part.count)
                }
                var xs = points.map(\.x)
                var ys = points.map(\.y)
                var zs = points.map { _ in 100.0 }
                var ms = points.map { _ in 7.0 }
                object = SHPCreateObject(
                    type, -1, Int32(parts.count), &starts, nil, Int32(points.count), &xs, &ys, &zs, &ms)
            } else {
                object = SHPCreateObject(SHPT_NULL, -1, 0, nil, nil, 0, nil, nil, nil, nil)
            }
            guard let object else { throw AtlasError(file: base, "SHPCreateObject failed") }
            let written = SHPWriteObject(shp, -1, object)
            SHPDestroyObject(object)
            guard written >= 0 else { throw AtlasError(file: base, "SHPWriteObject failed") }
        }
        SHPClose(shp)

        guard let dbf = DBFCreateEx(base, codePage) else { throw AtlasError(file: base, "DBFCreate failed") }
        defer { DBFClose(dbf) }
        for column in columns {
            let added = DBFAddNativeFieldType(
                dbf, column.name, CChar(column.type.asciiValue!), Int32(column.width), Int32(column.decimals))
            guard added >= 0 else { throw AtlasError(file: base, field: column.name, "DBFAddField failed") }
        }
        if columns.isEmpty {
            guard DBFAddField(dbf, "id", FTInteger, 5, 0) >= 0 else { throw AtlasError("DBFAddField failed") }
        }
        let recordCount = columns.isEmpty ? shapes.count : records.count
        for i in 0..<recordCount {
            var tuple: [UInt8] = [UInt8(ascii: " ")]
            if columns.isEmpty {
                tuple += Array(String(i + 1).padding(toLength: 5, withPad: " ", startingAt: 0).utf8)
            }
            for (column, cell) in zip(columns, columns.isEmpty ? [] : records[i]) {
                precondition(cell.count <= column.width, "\(column.name): cell wider than the field")
                tuple += cell + [UInt8](repeating: UInt8(ascii: " "), count: column.width - cell.count)
            }
            guard DBFWriteTuple(dbf, Int32(i), &tuple) != 0 else { throw AtlasError("DBFWriteTuple failed") }
        }
        if writesProjection {
            try Self.sweref99TMWKT.write(toFile: base + ".prj", atomically: true, encoding: .utf8)
        }
        return base + ".shp"
    }

    /// The `.prj` that QGIS and GDAL write for EPSG:3006, as in the shared data.
    static let sweref99TMWKT =
        #"PROJCS["SWEREF99_TM",GEOGCS["GCS_SWEREF99",DATUM["D_SWEREF99",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",15.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#

    /// A closed axis-aligned square ring, clockwise (a shapefile exterior) unless `counterClockwise`.
    static func square(_ x: Double, _ y: Double, _ size: Double, counterClockwise: Bool = false) -> [Coordinate] {
        let ccw = [
            Coordinate(x, y), Coordinate(x + size, y), Coordinate(x + size, y + size), Coordinate(x, y + size),
            Coordinate(x, y),
        ]
        return counterClockwise ? ccw : ccw.reversed()
    }
}
