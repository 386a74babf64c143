import Foundation

/// Reads GeoJSON (RFC 7946 and the 2008 form with a `crs` member): a FeatureCollection,
/// a single Feature, or a bare geometry. Properties become fields in order of first
/// appearance; a field whose values mix types is a string field, the values keep their own.
public enum GeoJSONReader {
    /// Reads a file mapped into memory; the features of a FeatureCollection are converted one
    /// at a time, so only the resulting layer is held, never the whole JSON tree.
    public static func read(path: String) throws -> Layer {
        let data: Data
        try InputFile.requireRegularFile(path)
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw AtlasError(file: path, "cannot read: \(error.localizedDescription)")
        }
        return try read(bytes: data, source: path)
    }

    /// A layer from the bytes of a GeoJSON document; `source` names it in errors.
    public static func read(bytes data: Data, source path: String) throws -> Layer {
        guard !data.isEmpty else { throw AtlasError(file: path, "the file is empty") }
        do {
            return try data.withUnsafeBytes { bytes in
                var collector = FeatureCollector(source: path)
                let root = try JSONParser.parse(bytes, streaming: "features") { try collector.add($0) }
                return try collector.layer(root: root)
            }
        } catch let error as AtlasError {
            throw error.inFile(path)
        }
    }

    public static func parse(_ root: JSONValue, source: String) throws -> Layer {
        var collector = FeatureCollector(source: source)
        if case .array(let features)? = root["features"] {
            for feature in features { try collector.add(feature) }
        }
        return try collector.layer(root: root)
    }

    /// Builds the layer's schema and features from Feature objects as they arrive.
    struct FeatureCollector {
        let source: String
        var fieldIndex: [String: Int] = [:]
        var fields: [Field] = []
        var fieldTypes: [FieldType?] = []
        var rows: [(Geometry?, [(Int, Value)])] = []

        init(source: String) { self.source = source }

        mutating func add(_ object: JSONValue) throws {
            let record = rows.count + 1
            guard case .object = object, object["type"] == .string("Feature") else {
                throw AtlasError(file: source, record: record, "expected a Feature object")
            }
            guard let geometryValue = object["geometry"] else {
                throw AtlasError(file: source, record: record, "the Feature has no \"geometry\" member (use null for none)")
            }
            let geometry: Geometry?
            do {
                geometry = try parseGeometry(geometryValue)
            } catch let error as AtlasError {
                throw AtlasError(file: source, record: record, error.message)
            }
            var values: [(Int, Value)] = []
            switch object["properties"] {
            case .object(let members)?:
                for (key, json) in members {
                    let value = propertyValue(json)
                    let k: Int
                    if let existing = fieldIndex[key] {
                        k = existing
                    } else {
                        k = fields.count
                        fieldIndex[key] = k
                        fields.append(Field(key, .string))
                        fieldTypes.append(nil)
                    }
                    fieldTypes[k] = merge(fieldTypes[k], value)
                    values.append((k, value))
                }
            case .null?, nil: break
            default: throw AtlasError(file: source, record: record, "\"properties\" must be an object or null")
            }
            rows.append((geometry, values))
        }

        /// The layer, once the whole document is read (`root` without its streamed features).
        mutating func layer(root: JSONValue) throws -> Layer {
            guard case .object = root, case .string(let type)? = root["type"] else {
                throw AtlasError(file: source, "not GeoJSON: the top level must be an object with a \"type\"")
            }
            switch type {
            case "FeatureCollection":
                guard case .array? = root["features"] else {
                    throw AtlasError(file: source, "a FeatureCollection needs a \"features\" array")
                }
            case "Feature":
                try add(root)
            default:
                try add(.object([("type", .string("Feature")), ("geometry", root), ("properties", .null)]))
            }
            for k in fields.indices { fields[k].type = fieldTypes[k] ?? .string }
            let width = fields.count
            let features = rows.map { geometry, pairs in
                var values = [Value](repeating: .null, count: width)
                for (k, v) in pairs { values[k] = v }
                return Feature(geometry: geometry, values: values)
            }
            var layer = Layer(
                source: source, format: "GeoJSON", crs: try GeoJSONReader.crs(of: root, source: source), fields: fields,
                features: features, encoding: "UTF-8")
            if case .object(let members) = root {
                for (name, value) in members where name.hasPrefix("atlas:") { layer.metadata[name] = value }
            }
            return layer
        }
    }

    /// RFC 7946 is always WGS 84; the 2008 specification allowed a named `crs`.
    static func crs(of root: JSONValue, source: String) throws -> CRS {
        guard let member = root["crs"], member != .null else { return .wgs84 }
        guard case .string(let name)? = member["properties"]?["name"] else {
            throw AtlasError(file: source, "the \"crs\" member has no properties.name")
        }
        // "urn:ogc:def:crs:OGC:1.3:CRS84" is lon/lat WGS 84; "urn:ogc:def:crs:EPSG::3006" is an EPSG code.
        if name.hasSuffix("CRS84") { return .wgs84 }
        if let code = name.split(separator: ":").last.flatMap({ Int($0) }) { return CRS(epsg: code) }
        return CRS(definition: name)
    }

    static func propertyValue(_ json: JSONValue) -> Value {
        switch json {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .array, .object: .string(json.serialized)
        }
    }

    static func merge(_ type: FieldType?, _ value: Value) -> FieldType? {
        let own: FieldType
        switch value {
        case .null: return type
        case .bool: own = .boolean
        case .int: own = .integer
        case .double: own = .real
        case .string: own = .string
        }
        guard let type, type != own else { return own }
        if (type == .integer && own == .real) || (type == .real && own == .integer) { return .real }
        return .string
    }

    static func parseGeometry(_ json: JSONValue) throws -> Geometry? {
        if json == .null { return nil }
        guard case .object = json, case .string(let type)? = json["type"] else {
            throw AtlasError("a geometry must be an object with a \"type\"")
        }
        if type == "GeometryCollection" {
            guard case .array(let parts)? = json["geometries"] else {
                throw AtlasError("a GeometryCollection needs a \"geometries\" array")
            }
            return .collection(try parts.compactMap { try parseGeometry($0) })
        }
        guard let coordinates = json["coordinates"] else {
            throw AtlasError("the \(type) has no \"coordinates\"")
        }
        switch type {
        case "Point": return .point(try position(coordinates))
        case "MultiPoint": return .multiPoint(try positions(coordinates))
        case "LineString": return .lineString(try line(coordinates))
        case "MultiLineString": return .multiLineString(try array(coordinates).map(line))
        case "Polygon": return .polygon(try rings(coordinates))
        case "MultiPolygon": return .multiPolygon(try array(coordinates).map(rings))
        default: throw AtlasError("unknown geometry type \"\(type)\"")
        }
    }

    private static func array(_ json: JSONValue) throws -> [JSONValue] {
        guard case .array(let elements) = json else { throw AtlasError("expected an array of coordinates, found \(json.kind)") }
        return elements
    }

    private static func position(_ json: JSONValue) throws -> Coordinate {
        let numbers = try array(json)
        guard numbers.count == 2 || numbers.count == 3 else {
            throw AtlasError("a position needs 2 or 3 numbers, found \(numbers.count)")
        }
        guard let x = numbers[0].number, let y = numbers[1].number else {
            throw AtlasError("a position must hold numbers")
        }
        return Coordinate(x, y)
    }

    private static func positions(_ json: JSONValue) throws -> [Coordinate] {
        try array(json).map(position)
    }

    private static func line(_ json: JSONValue) throws -> [Coordinate] {
        let points = try positions(json)
        guard points.count >= 2 else { throw AtlasError("a LineString needs at least 2 positions, found \(points.count)") }
        return points
    }

    private static func rings(_ json: JSONValue) throws -> [[Coordinate]] {
        try array(json).map { ringJSON in
            let ring = try positions(ringJSON)
            guard ring.count >= 4 else { throw AtlasError("a polygon ring needs at least 4 positions, found \(ring.count)") }
            guard ring.first == ring.last else { throw AtlasError("a polygon ring is not closed (first and last positions differ)") }
            return ring
        }
    }
}
