import Foundation

/// How to read a layer whose file does not say everything itself.
public struct LayerOptions: Sendable, Hashable {
    /// The CRS to assume when the file has none (a shapefile without `.prj`, a CSV, a GeoJSON
    /// without a `crs` member holding projected coordinates); it overrides the one a file states.
    public var crs: CRS?
    /// Coordinate columns of a CSV point table.
    public var xField: String?
    public var yField: String?
    /// The SCB grid id column of a CSV grid table, and the cell size in metres (detected when nil).
    public var rutidField: String?
    public var cellSize: Double?
    /// Whether `LayerReader.read` rejects coordinates that do not fit the layer's CRS
    /// (`Layer.crsMismatch`); `atlas inspect` reads without and reports the mismatch instead.
    public var checksCoordinates = true

    public init(crs: CRS? = nil, xField: String? = nil, yField: String? = nil, rutidField: String? = nil, cellSize: Double? = nil) {
        self.crs = crs
        self.xField = xField
        self.yField = yField
        self.rutidField = rutidField
        self.cellSize = cellSize
    }
}

/// Reads any supported vector layer, choosing the reader from the file name. A file that holds
/// several layers (a GeoPackage, a zip of shapefiles) takes the layer in QGIS's data-source
/// form, `PATH|layername=NAME` (see `LayerPath`).
public enum LayerReader {
    /// The layer, its coordinates checked against its CRS (an `AtlasError` that names the extent
    /// found and, when one fits, the CRS they look like).
    public static func read(path: String, options: LayerOptions = LayerOptions()) throws -> Layer {
        let layer = try readAsStored(path: path, options: options)
        if options.checksCoordinates, let mismatch = try layer.crsMismatch() { throw mismatch.error }
        return layer
    }

    static func readAsStored(path: String, options: LayerOptions) throws -> Layer {
        let location = try LayerPath(parsing: path)
        let file = location.file
        guard FileManager.default.fileExists(atPath: file) else {
            throw AtlasError(file: file, "no such file")
        }
        let ext = URL(fileURLWithPath: file).pathExtension.lowercased()
        switch ext {
        case "gpkg":
            return try GeoPackage.read(path: file, layer: location.layer, crs: options.crs)
        case "zip":
            return try ZippedShapefile.read(path: file, layer: location.layer, crs: options.crs)
        default:
            break
        }
        if let layer = location.layer {
            throw AtlasError(file: file, "'|layername=\(layer)' names a layer, but only GeoPackages and zipped shapefiles hold several")
        }
        switch ext {
        case "shp", "dbf", "shx":
            return try Shapefile.read(path: file, crs: options.crs)
        case "geojson", "json":
            // RFC 7946 GeoJSON is WGS 84 unless a (2008-style) crs member says otherwise.
            var layer = try GeoJSONReader.read(path: file)
            if let crs = options.crs { layer.crs = crs }
            return layer
        case "csv", "txt", "tsv":
            return try readCSV(path: file, options: options)
        default:
            throw AtlasError(
                file: file,
                "unsupported file type: atlas reads .shp, .zip (zipped shapefiles), .gpkg, .geojson, .json and .csv layers")
        }
    }

    /// The layers a path holds, each as a path `read` takes: every layer of a GeoPackage or a zip
    /// of shapefiles, unless the path names one; otherwise the path itself.
    public static func layerPaths(_ path: String) throws -> [String] {
        let location = try LayerPath(parsing: path)
        guard location.layer == nil, FileManager.default.fileExists(atPath: location.file) else { return [path] }
        let names: [String]
        switch URL(fileURLWithPath: location.file).pathExtension.lowercased() {
        case "gpkg": names = try GeoPackage.layers(path: location.file).map(\.name)
        case "zip": names = try ZippedShapefile.layers(path: location.file)
        default: return [path]
        }
        guard names.count > 1 else { return [path] }
        return names.map { LayerPath(file: location.file, layer: $0).description }
    }

    /// Column pairs taken for coordinates; lon/lat names are WGS 84, others need `--crs`.
    static let coordinatePairs: [(x: String, y: String, crs: CRS?)] = [
        ("lon", "lat", .wgs84), ("longitude", "latitude", .wgs84), ("lng", "lat", .wgs84),
        ("x", "y", nil), ("e", "n", nil), ("easting", "northing", nil),
    ]

    /// Whether a CSV table holds points or grid cells (as opposed to a plain statistics table).
    public static func hasCoordinates(_ table: CSVTable, options: LayerOptions) -> Bool {
        options.xField != nil || options.rutidField != nil || rutidColumn(of: table) != nil
            || coordinatePair(of: table) != nil
    }

    static func readCSV(path: String, options: LayerOptions) throws -> Layer {
        try layer(csv: try CSVTable.read(path: path), options: options)
    }

    /// Points from x/y columns, or SCB grid cells from a `rutid` column.
    public static func layer(csv table: CSVTable, options: LayerOptions) throws -> Layer {
        if options.xField == nil, let rutid = options.rutidField ?? rutidColumn(of: table) {
            return try SCBGrid.gridLayer(table: table, rutidColumn: rutid, cellSize: options.cellSize)
        }
        var x = options.xField, y = options.yField, crs = options.crs
        if x == nil || y == nil {
            guard let pair = coordinatePair(of: table) else {
                throw AtlasError(file: table.source, "no coordinate columns found: name them with --x and --y, or give an SCB --rutid column")
            }
            (x, y) = (pair.x, pair.y)
            crs = crs ?? pair.crs
        }
        guard let crs else {
            throw AtlasError(file: table.source, "the CRS of columns \(x!)/\(y!) is unknown: pass --crs EPSG:N")
        }
        return try CSVTable.pointLayer(table: table, x: x!, y: y!, crs: crs)
    }

    static func rutidColumn(of table: CSVTable) -> String? {
        table.header.first { $0.lowercased() == "rutid" }
    }

    /// The first pair of `coordinatePairs` the header has, with the columns as the header spells them.
    static func coordinatePair(of table: CSVTable) -> (x: String, y: String, crs: CRS?)? {
        func column(_ name: String) -> String? { table.header.first { $0.lowercased() == name } }
        for pair in coordinatePairs {
            if let x = column(pair.x), let y = column(pair.y) { return (x, y, pair.crs) }
        }
        return nil
    }
}
