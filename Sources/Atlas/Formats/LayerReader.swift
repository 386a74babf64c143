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
            // RFC 7946 GeoJSON is WGS 84 unless a (2008-style) crs member says otherwise.
            return try GeoJSONReader.read(path: path)
        case "csv", "txt", "tsv":
            return try readCSV(path: path, options: options)
        default:
            throw AtlasError(file: path, "unsupported file type: atlas reads .shp, .geojson, .json and .csv layers")
        }
    }

    /// Column pairs taken for coordinates; lon/lat names are WGS 84, others need `--crs`.
    static let coordinatePairs: [(x: String, y: String, crs: CRS?)] = [
        ("lon", "lat", .wgs84), ("longitude", "latitude", .wgs84), ("lng", "lat", .wgs84),
        ("x", "y", nil), ("e", "n", nil), ("easting", "northing", nil),
    ]

    /// Whether a CSV file holds points or grid cells (as opposed to a plain statistics table).
    public static func hasCoordinates(csv path: String, options: LayerOptions) -> Bool {
        if options.xField != nil || options.rutidField != nil { return true }
        guard let table = try? CSVTable.read(path: path) else { return true }
        let lowered = Set(table.header.map { $0.lowercased() })
        return lowered.contains("rutid") || coordinatePairs.contains { lowered.contains($0.x) && lowered.contains($0.y) }
    }

    static func readCSV(path: String, options: LayerOptions) throws -> Layer {
        let table = try CSVTable.read(path: path)
        let lowered = table.header.map { $0.lowercased() }
        if let rutid = options.rutidField ?? table.header.first(where: { $0.lowercased() == "rutid" }) {
            if options.xField == nil {
                return try SCBGrid.gridLayer(table: table, rutidColumn: rutid, cellSize: options.cellSize)
            }
        }
        var x = options.xField, y = options.yField, crs = options.crs
        if x == nil || y == nil {
            guard let pair = coordinatePairs.first(where: { lowered.contains($0.x) && lowered.contains($0.y) }) else {
                throw AtlasError(file: path, "no coordinate columns found: name them with --x and --y, or give an SCB --rutid column")
            }
            x = table.header[lowered.firstIndex(of: pair.x)!]
            y = table.header[lowered.firstIndex(of: pair.y)!]
            crs = crs ?? pair.crs
        }
        guard let crs else {
            throw AtlasError(file: path, "the CRS of columns \(x!)/\(y!) is unknown: pass --crs EPSG:N")
        }
        return try CSVTable.pointLayer(table: table, x: x!, y: y!, crs: crs)
    }
}
