import Foundation

/// What `atlas inspect` tells about a layer: format, CRS, count, schema, extent, encoding
/// and the geometries GEOS finds invalid, with GEOS's reason.
public struct LayerInspection: Sendable {
    public struct InvalidGeometry: Sendable, Equatable {
        public var record: Int
        public var reason: String
    }

    public var source: String
    public var format: String
    public var crsName: String?
    public var epsg: Int?
    public var featureCount: Int
    public var fields: [Field]
    public var geometryTypes: [String: Int]
    public var extent: Bounds?
    public var lonLatExtent: Bounds?
    public var encoding: String?
    public var invalid: [InvalidGeometry]
    public var nullGeometries: Int
    /// Coordinates that do not fit the CRS (`Layer.crsMismatch`), or the CRS they look like when
    /// the layer has none: a warning, as `inspect` describes what it finds.
    public var crsWarning: String?

    public init(layer: Layer) throws {
        source = layer.source
        format = layer.format
        featureCount = layer.features.count
        fields = layer.fields
        encoding = layer.encoding
        extent = layer.bounds
        if let crs = layer.crs {
            let info = try crs.info()
            crsName = info.name
            epsg = info.epsg
            if let mismatch = try layer.crsMismatch() {
                crsWarning = mismatch.message
            } else if let extent {
                let toLonLat = try Transformer(from: crs, to: .wgs84)
                lonLatExtent = try toLonLat.transform(Geometry.polygon([[
                    Coordinate(extent.minX, extent.minY), Coordinate(extent.maxX, extent.minY),
                    Coordinate(extent.maxX, extent.maxY), Coordinate(extent.minX, extent.maxY),
                    Coordinate(extent.minX, extent.minY),
                ]])).bounds
            }
        } else if let extent, let guess = CoordinateFit.guess(extent: extent) {
            crsWarning = "the layer has no CRS; the coordinates look like \(guess.description): pass --crs \(guess.code)"
        }
        var types: [String: Int] = [:]
        var invalid: [InvalidGeometry] = []
        var nulls = 0
        let context = try GEOSContext()
        for (n, feature) in layer.features.enumerated() {
            guard let geometry = feature.geometry else {
                nulls += 1
                continue
            }
            types[geometry.typeName, default: 0] += 1
            guard !geometry.polygons.isEmpty else { continue }
            let g = try GEOSGeometry(geometry, context: context)
            if try !g.isValid { invalid.append(InvalidGeometry(record: n + 1, reason: try g.validityReason)) }
        }
        geometryTypes = types
        self.invalid = invalid
        nullGeometries = nulls
    }

    /// A plain-text description for the terminal.
    public var report: String {
        var lines: [String] = []
        lines.append("file:       \(source)")
        lines.append("format:     \(format)")
        if let crsName {
            lines.append("crs:        \(crsName)" + (epsg.map { " (EPSG:\($0))" } ?? " (no EPSG code identified)"))
        } else {
            lines.append("crs:        unknown")
        }
        if let crsWarning { lines.append("warning:    \(crsWarning)") }
        if let encoding { lines.append("encoding:   \(encoding)") }
        lines.append("features:   \(featureCount)")
        let types = geometryTypes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        lines.append("geometry:   " + (types.isEmpty ? "none" : types.joined(separator: ", "))
            + (nullGeometries > 0 ? ", null \(nullGeometries)" : ""))
        if let extent {
            lines.append("extent:     \(format(extent))")
            if let lonLatExtent, epsg != 4326 { lines.append("lon/lat:    \(format(lonLatExtent))") }
        }
        lines.append("fields:     \(fields.count)")
        let width = fields.map(\.name.count).max() ?? 0
        for field in fields {
            lines.append("  \(field.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(field.type.rawValue)")
        }
        if invalid.isEmpty {
            lines.append("invalid:    none")
        } else {
            lines.append("invalid:    \(invalid.count) (repair with `atlas export --make-valid`)")
            for item in invalid.prefix(20) { lines.append("  record \(item.record): \(item.reason)") }
            if invalid.count > 20 { lines.append("  … and \(invalid.count - 20) more") }
        }
        return lines.joined(separator: "\n")
    }

    private func format(_ b: Bounds) -> String {
        func f(_ v: Double) -> String { String(format: "%.6f", v) }
        return "\(f(b.minX)), \(f(b.minY)) – \(f(b.maxX)), \(f(b.maxY))"
    }
}

extension Layer {
    /// The layer with every polygonal geometry made valid by GEOS (other geometries unchanged).
    public func madeValid(context: GEOSContext) throws -> Layer {
        var copy = self
        for k in copy.features.indices {
            guard let geometry = copy.features[k].geometry, !geometry.polygons.isEmpty else { continue }
            let g = try GEOSGeometry(geometry, context: context)
            guard try !g.isValid else { continue }
            // make-valid keeps collapsed parts (a spike becomes a stray line); a polygon layer
            // stays polygonal.
            let polygons = try g.makeValid().toGeometry().polygons
            copy.features[k].geometry = polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons)
        }
        return copy
    }

    /// Writes the layer as RFC 7946 GeoJSON, reprojecting to WGS 84 lon/lat when needed.
    /// Returns the number of features written.
    @discardableResult
    public func writeGeoJSON(
        to path: String, precision: Int = 6, foreignMembers: [(String, JSONValue)] = []
    ) throws -> Int {
        let lonLat = try reprojected(to: .wgs84)
        let writer = try GeoJSONWriter(path: path, fields: fields, precision: precision, foreignMembers: foreignMembers)
        try writer.write(contentsOf: lonLat.features)
        return try writer.finish()
    }
}
