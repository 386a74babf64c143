import Foundation

/// The formats atlas writes layers in.
public enum LayerFormat: Hashable, Sendable {
    /// RFC 7946 GeoJSON (WGS 84 lon/lat).
    case geojson
    /// One layer (table) of a GeoPackage; other layers of an existing file are kept.
    case geopackage(layer: String)

    /// The file and format an output path names: `.geojson` or `.json` is GeoJSON; `.gpkg` is a
    /// GeoPackage layer named after the file's stem, `X.gpkg|layername=NAME` names it.
    public static func parse(outputPath: String) throws -> (file: String, format: LayerFormat) {
        let location = try LayerPath(parsing: outputPath)
        switch URL(fileURLWithPath: location.file).pathExtension.lowercased() {
        case "gpkg":
            let stem = URL(fileURLWithPath: location.file).deletingPathExtension().lastPathComponent
            return (location.file, .geopackage(layer: location.layer ?? stem))
        case "geojson", "json":
            if location.layer != nil {
                throw AtlasError(file: location.file, "a GeoJSON file holds one layer: '|layername=' applies to .gpkg outputs")
            }
            return (location.file, .geojson)
        default:
            throw AtlasError(
                file: outputPath,
                "atlas cannot write this file type: it writes GeoJSON (.geojson, .json) and GeoPackage"
                    + " (.gpkg, optionally .gpkg|layername=NAME)")
        }
    }
}

/// Writes a layer in the format its path names (see `LayerFormat.parse(outputPath:)`),
/// through `GeoJSONWriter` or `GeoPackageWriter`: features arrive in WGS 84 lon/lat; the file
/// appears (or the GeoPackage changes) only when `finish()` succeeds.
public final class LayerFileWriter {
    /// The path as given, with any `|layername=`.
    public let path: String
    /// The file written.
    public let file: String
    public let format: LayerFormat
    public let fields: [Field]

    private enum Backend {
        case geojson(GeoJSONWriter)
        case geopackage(GeoPackageWriter)
    }

    private let backend: Backend

    /// - Parameters:
    ///   - precision: decimals of GeoJSON coordinates; a GeoPackage stores full doubles.
    ///   - foreignMembers: top-level members of the GeoJSON FeatureCollection (`"atlas:run"`,
    ///     legend classes), or the GeoPackage layer's JSON metadata.
    ///   - crs: the CRS a GeoPackage layer is stored in (WGS 84 by default); GeoJSON is always
    ///     WGS 84, so another CRS is an error there.
    public init(
        path: String, fields: [Field], precision: Int = 6, foreignMembers: [(String, JSONValue)] = [],
        crs: CRS = .wgs84, significantDigits: Int? = nil
    ) throws {
        let (file, format) = try LayerFormat.parse(outputPath: path)
        guard (0...15).contains(precision) else {
            throw AtlasError(file: file, "precision must be between 0 and 15 decimals, got \(precision)")
        }
        self.path = path
        self.file = file
        self.format = format
        self.fields = fields
        switch format {
        case .geojson:
            guard crs == .wgs84 else {
                throw AtlasError(
                    file: file, "GeoJSON is always WGS 84 (RFC 7946); write a .gpkg to store the layer in \(crs.label)")
            }
            backend = .geojson(try GeoJSONWriter(
                path: file, fields: fields, precision: precision, foreignMembers: foreignMembers, significantDigits: significantDigits))
        case .geopackage(let layer):
            backend = .geopackage(try GeoPackageWriter(
                path: file, layer: layer, fields: fields, crs: crs, foreignMembers: foreignMembers))
        }
    }

    /// The number of features written so far.
    public var count: Int {
        switch backend {
        case .geojson(let writer): writer.count
        case .geopackage(let writer): writer.count
        }
    }

    /// Writes one feature whose geometry is in WGS 84 lon/lat.
    public func write(_ feature: Feature) throws {
        switch backend {
        case .geojson(let writer): try writer.write(feature)
        case .geopackage(let writer): try writer.write(feature)
        }
    }

    /// Writes features whose geometries are in WGS 84 lon/lat, in order.
    public func write(contentsOf features: [Feature]) throws {
        switch backend {
        case .geojson(let writer): try writer.write(contentsOf: features)
        case .geopackage(let writer): for feature in features { try writer.write(feature) }
        }
    }

    /// Completes the file and moves it into place; returns the number of features written.
    @discardableResult
    public func finish() throws -> Int {
        switch backend {
        case .geojson(let writer): try writer.finish()
        case .geopackage(let writer): try writer.finish()
        }
    }
}

extension Layer {
    /// Writes the layer to a GeoJSON or GeoPackage path (see `LayerFileWriter`): GeoJSON in WGS 84
    /// lon/lat, a GeoPackage layer in `crs` (transformed once, not at all when the layer is
    /// already in it). Returns the number of features written.
    @discardableResult
    public func write(
        to path: String, precision: Int = 6, foreignMembers: [(String, JSONValue)] = [], crs: CRS = .wgs84
    ) throws -> Int {
        let (file, format) = try LayerFormat.parse(outputPath: path)
        guard (0...15).contains(precision) else {
            throw AtlasError(file: file, "precision must be between 0 and 15 decimals, got \(precision)")
        }
        guard case .geopackage(let name) = format else {
            guard crs == .wgs84 else {
                throw AtlasError(
                    file: file, "GeoJSON is always WGS 84 (RFC 7946); write a .gpkg to store the layer in \(crs.label)")
            }
            return try writeGeoJSON(to: file, precision: precision, foreignMembers: foreignMembers)
        }
        let stored = try isStored(in: crs)
        let source = stored ? self : try reprojected(to: .wgs84)
        let writer = try GeoPackageWriter(
            path: file, layer: name, fields: fields, crs: crs, foreignMembers: foreignMembers,
            featureCRS: stored ? crs : .wgs84)
        for feature in source.features { try writer.write(feature) }
        return try writer.finish()
    }
}

extension Layer {
    /// Whether the layer's coordinates are already in `crs`: the same definition, or the same
    /// EPSG code (a shapefile's `.prj` WKT for SWEREF 99 TM is EPSG:3006).
    func isStored(in crs: CRS) throws -> Bool {
        guard let own = self.crs else { return false }
        if own == crs { return true }
        let context = try PROJContext()
        guard let code = try? own.info(context: context).epsg else { return false }
        return code == (try? crs.info(context: context).epsg)
    }
}
