import Foundation

/// Checks of output options made before anything is computed.
public enum OutputPath {
    /// A layer output must be in a format atlas writes (`LayerFormat`) and must not be a folder.
    public static func checkLayer(_ path: String, option: String) throws {
        let file: String
        do { file = try LayerFormat.parse(outputPath: path).file } catch let error as AtlasError {
            try checkNotFolder(path, option: option)
            throw OptionError(option, error.description)
        }
        try checkNotFolder(file, option: option)
    }

    public static func checkNotFolder(_ path: String, option: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw OptionError(option, "\(path) is a folder, not a file to write")
        }
    }

    public static func check(precision: Int) throws {
        guard (0...15).contains(precision) else { throw OptionError("precision", "must be between 0 and 15 decimals, got \(precision)") }
    }
}

/// Coordinates rounded to fewer decimals than the default can make small polygons cross
/// themselves or collapse. Polygons that rounding would break are snap-rounded by GEOS instead
/// (valid on the same grid); a precision that would collapse a polygon entirely is refused
/// before anything is written.
public enum PrecisionCheck {
    /// Below 6 decimals every layer is checked; at 6 (≈ 0.1 m, where only narrow necks of real
    /// boundaries can touch) layers up to this many features, so that large grids pay nothing.
    static let checkedAtDefaultPrecision = 100_000

    /// The layer with every polygon valid at `precision` decimals, and how many were repaired.
    public static func repaired(_ layer: Layer, precision: Int, session: Session) throws -> (layer: Layer, repaired: Int) {
        guard precision < 6 || (precision == 6 && layer.features.count <= checkedAtDefaultPrecision) else { return (layer, 0) }
        let grid = pow(10, -Double(precision)), scale = pow(10, Double(precision))
        var out = layer
        var repaired = 0
        var collapsed: [Int] = []
        for (i, feature) in layer.features.enumerated() {
            guard let geometry = feature.geometry, !geometry.polygons.isEmpty else { continue }
            let rounded = geometry.mapCoordinates { Coordinate(($0.x * scale).rounded() / scale, ($0.y * scale).rounded() / scale) }
            let g = try GEOSGeometry(rounded, context: session.geos)
            if try g.isValid && g.area > 0 { continue }
            let snapped = try GEOSGeometry(geometry, context: session.geos).snapRounded(gridSize: grid)
            let polygons = try snapped.toGeometry().polygons.filter { !$0.isEmpty && !$0[0].isEmpty }
            guard try snapped.area > 0, !polygons.isEmpty else {
                collapsed.append(i)
                continue
            }
            out.features[i].geometry = polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons)
            repaired += 1
        }
        guard collapsed.isEmpty else {
            let first = collapsed.prefix(5).map { String($0 + 1) }.joined(separator: ", ")
            throw OptionError(
                "precision",
                "\(precision) decimals would make \(collapsed.count) of \(layer.features.count) polygons collapse to nothing (first features: \(first)); use more decimals")
        }
        return (out, repaired)
    }
}
