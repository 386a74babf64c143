import Foundation

/// An input layer of a request: the file and how to read what the file does not say itself
/// (the CRS of a shapefile without `.prj`, the columns of a CSV).
///
/// Decodes from a path (`areas: deso.shp`) or a mapping (`{path: cells.csv, crs: EPSG:3006,
/// rutid: Rutid}`); encodes as the file's name alone, since provenance records inputs by name
/// and fingerprint rather than by where they happened to lie.
public struct LayerSource: Sendable, Hashable, Codable, CustomStringConvertible {
    public var path: String
    public var options: LayerOptions

    public init(_ path: String, options: LayerOptions = LayerOptions()) {
        self.path = path
        self.options = options
    }

    public var fileName: String { URL(fileURLWithPath: path).lastPathComponent }
    public var description: String { path }

    enum CodingKeys: String, CodingKey {
        case path, crs, x, y, rutid
        case cellSize = "cell-size"
    }

    public init(from decoder: any Decoder) throws {
        if let path = try? decoder.singleValueContainer().decode(String.self) {
            self.init(path)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var options = LayerOptions()
        options.crs = try c.decodeIfPresent(CRS.self, forKey: .crs)
        options.xField = try c.decodeIfPresent(String.self, forKey: .x)
        options.yField = try c.decodeIfPresent(String.self, forKey: .y)
        options.rutidField = try c.decodeIfPresent(String.self, forKey: .rutid)
        options.cellSize = try c.decodeIfPresent(Double.self, forKey: .cellSize)
        self.init(try c.decode(String.self, forKey: .path), options: options)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(fileName)
    }
}


extension CRS: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch let error as AtlasError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// "EPSG:3006", "3006" or a PROJ/WKT definition.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let code = Int(trimmed) {
            self.init(epsg: code)
            return
        }
        guard !trimmed.isEmpty else { throw AtlasError("a CRS needs a value such as EPSG:3006") }
        self.init(definition: trimmed)
    }
}
