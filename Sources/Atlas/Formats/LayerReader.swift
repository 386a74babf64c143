import Foundation

/// How to read a layer whose file does not say everything itself.
public struct LayerOptions: Sendable {
    /// The CRS to assume when the file has none (a shapefile without `.prj`, a CSV).
    public var crs: CRS?
    /// Coordinate columns of a CSV point table.
    public var xField: String?
    public var yField: String?
    /// The SCB grid id column of a CSV grid table, and the cell size in metres (detected when nil).
    public var rutidField: String?
    public var cellSize: Double?

    public init(crs: CRS? = nil, xField: String? = nil, yField: String? = nil, rutidField: String? = nil, cellSize: Double? = nil) {
        self.crs = crs
        self.xField = xField
        self.yField = yField
        self.rutidField = rutidField
        self.cellSize = cellSize
    }
}

/// Reads any supported vector layer, choosing the reader from the file name.
public enum LayerReader {
    public static func read(path: String, options: LayerOptions = LayerOptions()) throws -> Layer {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AtlasError(file: path, "no such file")
        }
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "shp", "dbf", "shx":
            return try Shapefile.read(path: path, crs: options.crs)
        case "geojson", "json":
            var layer = try GeoJSONReader.read(path: path)
            if let crs = options.crs { layer.crs = crs }
            return layer
        case "csv", "txt", "tsv":
            return try readCSV(path: path, options: options)
        default:
            throw AtlasError(file: path, "unsupported file type: atlas reads .shp, .geojson, .json and .csv layers")
        }
    }

    static func readCSV(path: String, options: LayerOptions) throws -> Layer {
        let table = try CSVTable.read(path: path)
        let lowered = table.header.map { $0.lowercased() }
        if let rutid = options.rutidField ?? table.header.first(where: { $0.lowercased() == "rutid" }) {
            if options.xField == nil {
                return try SCBGrid.gridLayer(table: table, rutidColumn: rutid, cellSize: options.cellSize)
            }
        }
        // Columns named for lon/lat are WGS 84; other names need the CRS from the user.
        let pairs: [(String, String, CRS?)] = [
            ("lon", "lat", .wgs84), ("longitude", "latitude", .wgs84), ("lng", "lat", .wgs84),
            ("x", "y", nil), ("e", "n", nil), ("easting", "northing", nil),
        ]
        var x = options.xField, y = options.yField, crs = options.crs
        if x == nil || y == nil {
            guard let (px, py, pcrs) = pairs.first(where: { lowered.contains($0.0) && lowered.contains($0.1) }) else {
                throw AtlasError(file: path, "no coordinate columns found: name them with --x and --y, or give an SCB --rutid column")
            }
            x = table.header[lowered.firstIndex(of: px)!]
            y = table.header[lowered.firstIndex(of: py)!]
            crs = crs ?? pcrs
        }
        guard let crs else {
            throw AtlasError(file: path, "the CRS of columns \(x!)/\(y!) is unknown: pass --crs EPSG:N")
        }
        return try CSVTable.pointLayer(table: table, x: x!, y: y!, crs: crs)
    }
}
