import Foundation

/// SCB's statistical grid: a cell is named by its `rutid`, the 6-digit easting followed by
/// the 7-digit northing of its south-west corner in SWEREF 99 TM (EPSG:3006), e.g.
/// `3520006860000` is the cell whose corner is at E 352000, N 6860000.
public enum SCBGrid {
    /// Cell sizes SCB publishes, largest first: detection picks the largest that fits.
    public static let cellSizes: [Double] = [1000, 250, 100]

    /// The corner of a rutid, which may have spaces (any Unicode space) around its 13 digits.
    public static func corner(rutid: String) throws -> Coordinate {
        var rutid = rutid
        if let corner = rutid.withUTF8(corner(digits:)) { return corner }
        let id = rutid.trimmingCharacters(in: .whitespaces)
        var trimmed = id
        guard trimmed != rutid, let corner = trimmed.withUTF8(corner(digits:)) else {
            throw AtlasError("rutid '\(rutid)' is not 13 digits (6-digit easting + 7-digit northing)")
        }
        return corner
    }

    /// The corner of exactly 13 ASCII digits, nil for anything else.
    private static func corner(digits: UnsafeBufferPointer<UInt8>) -> Coordinate? {
        guard digits.count == 13 else { return nil }
        var easting = 0, northing = 0
        for (k, byte) in digits.enumerated() {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            if k < 6 { easting = easting * 10 + Int(digit) } else { northing = northing * 10 + Int(digit) }
        }
        return Coordinate(Double(easting), Double(northing))
    }

    /// The largest of `cellSizes` that divides every corner; nil when none does or when no
    /// rutid is valid. A single 1 km cell cannot be told from a 250 m cell on a 1 km corner,
    /// which is why the size can also be given.
    public static func detectCellSize(rutids: [String]) -> Double? {
        detectCellSize(corners: rutids.compactMap { try? corner(rutid: $0) })
    }

    static func detectCellSize(corners: [Coordinate]) -> Double? {
        guard !corners.isEmpty else { return nil }
        // A rutid's corner is whole metres below 10^7: the sizes divide it as integers.
        var remaining = cellSizes.map { Int($0) }
        for corner in corners {
            let x = Int(corner.x), y = Int(corner.y)
            remaining.removeAll { x % $0 != 0 || y % $0 != 0 }
            if remaining.isEmpty { return nil }
        }
        return remaining.first.map(Double.init)
    }

    /// The square cell, counter-clockwise from the south-west corner.
    public static func cellPolygon(rutid: String, size: Double) throws -> Geometry {
        let sw = try corner(rutid: rutid)
        return cellPolygon(corner: sw, size: size)
    }

    static func cellPolygon(corner sw: Coordinate, size: Double) -> Geometry {
        let e = sw.x + size
        let n = sw.y + size
        return .polygon([[sw, Coordinate(e, sw.y), Coordinate(e, n), Coordinate(sw.x, n), sw]])
    }

    /// One polygon per row in EPSG:3006; the other columns become typed fields, the rutid
    /// column stays text. `cellSize` nil means detect it from the corners.
    public static func gridLayer(table: CSVTable, rutidColumn: String, cellSize: Double?) throws -> Layer {
        let column = try table.column(rutidColumn)
        let field = table.header[column]
        var corners: [Coordinate] = []
        corners.reserveCapacity(table.rowCount)
        for i in 0..<table.rowCount {
            do {
                corners.append(try corner(rutid: table.cell(i, column)))
            } catch let error as AtlasError {
                throw AtlasError(file: table.source, record: i + 1, field: field, error.message + " (line \(table.lines[i]))")
            }
        }
        guard let size = cellSize ?? detectCellSize(corners: corners) else {
            throw AtlasError(
                file: table.source, field: field,
                "cannot tell the cell size from the rutid corners; give it (250 or 1000 metres)")
        }
        guard size > 0, size.isFinite else {
            throw AtlasError(file: table.source, "cell size must be a positive number of metres, not \(size)")
        }
        let (fields, values, warnings) = table.typedColumnsWithWarnings(keepingAsText: [column])
        var features: [Feature] = []
        features.reserveCapacity(corners.count)
        for (i, sw) in corners.enumerated() {
            features.append(Feature(geometry: cellPolygon(corner: sw, size: size), values: values[i]))
        }
        var layer = Layer(
            source: table.source, format: "CSV", crs: .sweref99TM, fields: fields, features: features,
            encoding: table.encoding)
        layer.warnings = warnings
        return layer
    }
}
