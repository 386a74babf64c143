import Foundation

/// Reads GeoJSON (RFC 7946 and the 2008 form with a `crs` member): a FeatureCollection,
/// a single Feature, or a bare geometry. Properties become fields in order of first
/// appearance; a field whose values mix types is a string field, the values keep their own.
public enum GeoJSONReader {
    /// Reads a file mapped into memory; the features of a FeatureCollection are converted one
    /// at a time, so only the resulting layer is held, never the whole JSON tree (those of a
    /// large one on all cores, see `FeaturesAhead`).
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
        try read(bytes: data, source: path, splitting: .onAllCores).layer
    }

    /// How much of a large FeatureCollection is scanned ahead on other cores.
    struct Splitting {
        /// Pieces the features array is cut into, each but the first scanned by a worker.
        var pieces: Int
        /// Documents shorter than this are read on one thread.
        var minimumBytes: Int

        static let onAllCores = Splitting(pieces: ProcessInfo.processInfo.activeProcessorCount, minimumBytes: 16 << 20)
        static let none = Splitting(pieces: 1, minimumBytes: .max)
    }

    /// The layer, and how many of its features were scanned ahead and taken over.
    static func read(bytes data: Data, source path: String, splitting: Splitting) throws -> (layer: Layer, adopted: Int) {
        guard !data.isEmpty else { throw AtlasError(file: path, "the file is empty") }
        do {
            return try data.withUnsafeBytes { bytes in
                var collector = FeatureCollector(source: path)
                let ahead = FeaturesAhead(bytes: bytes, source: path, splitting: splitting)
                defer { ahead.finish() }
                let root = try JSONParser.parse(bytes, streaming: "features") { (parser: inout JSONParser) in
                    if ahead.takeOver(at: &parser, into: &collector) { return }
                    try collector.add(from: &parser)
                }
                return (try collector.layer(root: root), ahead.adopted)
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
        /// The UTF-8 bytes of each field's name, to recognise a member name without making a String.
        var fieldNameBytes: [[UInt8]] = []
        /// The features so far; a feature's values stop at the fields known when it was read.
        var rows: [Feature] = []
        /// The properties of the feature being read, in document order: (field, value), where
        /// a field from `fields.count` on is a name in `newNames`, not yet a field.
        var pending: [(Int, Value)] = []
        var newNames: [String] = []
        /// Positions of the ring or line being scanned, reused from one to the next.
        var positions: [Coordinate] = []

        init(source: String) { self.source = source }

        /// The next element of the features array. A Feature of the usual shape is scanned
        /// straight into the layer (`JSONParser.scanFeature`); anything else, or anything that
        /// scan does not accept, is parsed again from the same byte as JSON and checked by
        /// `add(_:)`, which gives the errors. Both ways make the same feature from the same bytes.
        mutating func add(from parser: inout JSONParser) throws {
            let start = parser.i, depth = parser.depth
            if let scanned = parser.scanFeature(into: &self) {
                commit(geometry: scanned.geometry)
                return
            }
            parser.i = start
            parser.depth = depth
            pending.removeAll(keepingCapacity: true)
            newNames.removeAll(keepingCapacity: true)
            try add(try parser.parseValue())
        }

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
            switch object["properties"] {
            case .object(let members)?:
                for (key, json) in members { addProperty(field: field(named: key), propertyValue(json)) }
            case .null?, nil: break
            default: throw AtlasError(file: source, record: record, "\"properties\" must be an object or null")
            }
            commit(geometry: geometry)
        }

        /// The field of a member name: an existing one, or the next new one of this feature.
        mutating func field(named name: String) -> Int {
            if let existing = fieldIndex[name] { return existing }
            if let k = newNames.firstIndex(of: name) { return fields.count + k }
            newNames.append(name)
            return fields.count + newNames.count - 1
        }

        mutating func addProperty(field: Int, _ value: Value) {
            pending.append((field, value))
        }

        /// A new field, its type known once its values are.
        @discardableResult
        mutating func addField(named name: String) -> Int {
            fieldIndex[name] = fields.count
            fields.append(Field(name, .string))
            fieldTypes.append(nil)
            fieldNameBytes.append(Array(name.utf8))
            return fields.count - 1
        }

        /// Adds the feature read into `pending`: its new fields in order of appearance, the
        /// types merged value by value, and for a name given twice the last value.
        mutating func commit(geometry: Geometry?) {
            for name in newNames { addField(named: name) }
            var values = [Value](repeating: .null, count: fields.count)
            for (k, value) in pending {
                fieldTypes[k] = merge(fieldTypes[k], value)
                values[k] = value
            }
            rows.append(Feature(geometry: geometry, values: values))
            pending.removeAll(keepingCapacity: true)
            newNames.removeAll(keepingCapacity: true)
        }

        /// Appends the features `other` read from the bytes that follow the ones read here, as
        /// if they had been read here: its new fields after these, in its order of first
        /// appearance, each field's type joined with its type there.
        mutating func adopt(_ other: FeatureCollector) {
            var map: [Int] = []
            for (j, field) in other.fields.enumerated() {
                let k = fieldIndex[field.name] ?? addField(named: field.name)
                fieldTypes[k] = GeoJSONReader.merge(fieldTypes[k], other.fieldTypes[j])
                map.append(k)
            }
            if map.elementsEqual(map.indices) {
                rows.append(contentsOf: other.rows)
                return
            }
            for row in other.rows {
                var values = [Value](repeating: .null, count: fields.count)
                for (j, value) in row.values.enumerated() { values[map[j]] = value }
                rows.append(Feature(geometry: row.geometry, values: values))
            }
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
            for k in rows.indices where rows[k].values.count < width {
                rows[k].values.append(contentsOf: repeatElement(.null, count: width - rows[k].values.count))
            }
            var layer = Layer(
                source: source, format: "GeoJSON", crs: try GeoJSONReader.crs(of: root, source: source), fields: fields,
                features: rows, encoding: "UTF-8")
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
        switch value {
        case .null: type
        case .bool: merge(type, FieldType.boolean)
        case .int: merge(type, FieldType.integer)
        case .double: merge(type, FieldType.real)
        case .string: merge(type, FieldType.string)
        }
    }

    /// The type of a field holding values of both types: integers and reals make reals, any
    /// other mix strings; nil (only nulls so far) gives way. Merging value by value in any
    /// grouping gives the same type.
    static func merge(_ type: FieldType?, _ own: FieldType?) -> FieldType? {
        guard let own else { return type }
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

/// Features of a large FeatureCollection scanned ahead on other cores. The features array is
/// cut at guessed feature starts (the first feature's opening bytes found again after a comma
/// past each even share of the bytes); a worker scans from each cut with the fast path until
/// the next cut or the first feature the fast path leaves alone. The reading in order takes a
/// worker's features over only when it arrives at exactly that worker's first byte as the start
/// of an element of the same array, so a cut that was not at a feature (one inside a property
/// holding features, say) costs only the worker's time, and the layer is the same either way.
final class FeaturesAhead: @unchecked Sendable {
    private let bytes: UnsafeRawBufferPointer
    private let source: String
    private let splitting: GeoJSONReader.Splitting
    private var workers: [Worker] = []
    private var started = false
    /// The next worker whose features the reading in order may take over.
    private var next = 0
    /// Features taken over from workers.
    private(set) var adopted = 0

    private final class Worker: @unchecked Sendable {
        let start: Int
        let stop: Int
        let done = DispatchGroup()
        /// Set when the worker's features will not be taken over: it may stop early.
        let cancelled = CancellationFlag()
        var collector: GeoJSONReader.FeatureCollector
        /// Just after the last feature scanned (`start` when none was).
        var end: Int

        init(start: Int, stop: Int, source: String) {
            self.start = start
            self.stop = stop
            self.end = start
            collector = GeoJSONReader.FeatureCollector(source: source)
        }
    }

    init(bytes: UnsafeRawBufferPointer, source: String, splitting: GeoJSONReader.Splitting) {
        self.bytes = bytes
        self.source = source
        self.splitting = splitting
    }

    /// At the start of an element of the features array: when a worker began at this byte,
    /// its features are added to `collector` and the parser moved past them (true). The first
    /// call starts the workers.
    func takeOver(at parser: inout JSONParser, into collector: inout GeoJSONReader.FeatureCollector) -> Bool {
        if !started {
            started = true
            start(first: parser.i, depth: parser.depth)
        }
        // Workers whose first byte the reading has passed began inside something else.
        while next < workers.count, workers[next].start < parser.i {
            workers[next].cancelled.set()
            next += 1
        }
        guard next < workers.count, workers[next].start == parser.i else { return false }
        let worker = workers[next]
        next += 1
        worker.done.wait()
        guard worker.end > worker.start else { return false }
        adopted += worker.collector.rows.count
        collector.adopt(worker.collector)
        worker.collector = GeoJSONReader.FeatureCollector(source: source)
        parser.i = worker.end
        return true
    }

    /// Stops the workers and waits for them: none may outlive the bytes.
    func finish() {
        for worker in workers {
            worker.cancelled.set()
            worker.done.wait()
        }
    }

    private func start(first: Int, depth: Int) {
        guard splitting.pieces > 1, bytes.count >= splitting.minimumBytes, let needle = openingBytes(at: first) else { return }
        var starts: [Int] = []
        for piece in 1..<splitting.pieces {
            let from = first + (bytes.count - first) / splitting.pieces * piece
            if let cut = featureStart(matching: needle, from: max(from, (starts.last ?? first) + 1)) { starts.append(cut) }
        }
        for (k, cut) in starts.enumerated() {
            workers.append(Worker(start: cut, stop: k + 1 < starts.count ? starts[k + 1] : bytes.count, source: source))
        }
        for worker in workers {
            worker.done.enter()
            DispatchQueue.global().async { [self] in
                scan(worker, depth: depth)
                worker.done.leave()
            }
        }
    }

    /// Scans features from the worker's first byte, each followed by a comma, up to its stop.
    private func scan(_ worker: Worker, depth: Int) {
        var parser = JSONParser(bytes: bytes)
        parser.i = worker.start
        parser.depth = depth
        while parser.i < worker.stop, !worker.cancelled.isSet {
            guard let scanned = parser.scanFeature(into: &worker.collector) else { break }
            worker.collector.commit(geometry: scanned.geometry)
            worker.end = parser.i
            parser.skipWhitespace()
            guard parser.i < bytes.count, bytes[parser.i] == UInt8(ascii: ",") else { break }
            parser.i += 1
            parser.skipWhitespace()
        }
        worker.collector.pending.removeAll()
        worker.collector.newNames.removeAll()
    }

    /// The first feature's opening bytes (its first 16, `{"type":"Feature` in most files).
    private func openingBytes(at first: Int) -> [UInt8]? {
        guard first < bytes.count, bytes[first] == UInt8(ascii: "{") else { return nil }
        let length = min(16, bytes.count - first)
        guard length >= 8 else { return nil }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[first..<(first + length)]))
    }

    /// The first place from `from` on where `needle` (which starts with '{') follows a comma
    /// and whitespace.
    private func featureStart(matching needle: [UInt8], from: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var k = from
        while k + needle.count <= bytes.count {
            guard let brace = memchr(base + k, Int32(UInt8(ascii: "{")), bytes.count - k) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(brace))
            k = at + 1
            guard at + needle.count <= bytes.count,
                needle.withUnsafeBytes({ other in other.baseAddress.map { memcmp(base + at, $0, needle.count) == 0 } ?? false })
            else { continue }
            var before = at - 1
            while before > 0, bytes[before] == 0x20 || bytes[before] == 0x0A || bytes[before] == 0x0D || bytes[before] == 0x09 {
                before -= 1
            }
            if before > 0, bytes[before] == UInt8(ascii: ",") { return at }
        }
        return nil
    }
}

/// A flag set once from one thread and read from another: a worker's signal to stop.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

/// The fast path for the features of a FeatureCollection: a Feature whose `type`, `geometry`
/// and `properties` members appear once each, with a geometry other than a GeometryCollection,
/// read from the bytes into coordinates and values without building a JSON tree. On anything
/// else (an escape in a member name, a repeated member, a malformed or unusual value) it gives
/// up, returning nil wherever the parser stands, and the general path reads or rejects it.
extension JSONParser {
    struct ScannedFeature {
        var geometry: Geometry?
    }

    private enum GeometryKind {
        case point, multiPoint, lineString, multiLineString, polygon, multiPolygon
    }

    /// The feature at `i`, its properties left in `collector.pending` and `newNames`.
    mutating func scanFeature(into collector: inout GeoJSONReader.FeatureCollector) -> ScannedFeature? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{"), (try? enter()) != nil else { return nil }
        i += 1
        var sawType = false, sawGeometry = false, sawProperties = false
        var geometry: Geometry?
        skipWhitespace()
        var more: Bool?
        repeat {
            guard let name = scanRawString(), scanColon() else { return nil }
            if matches(name, "type") {
                guard !sawType, let type = scanRawString(), matches(type, "Feature") else { return nil }
                sawType = true
            } else if matches(name, "geometry") {
                guard !sawGeometry, i < bytes.count else { return nil }
                sawGeometry = true
                if bytes[i] == UInt8(ascii: "n") {
                    guard (try? expectLiteral("null")) != nil else { return nil }
                } else {
                    guard let scanned = scanGeometry(positions: &collector.positions) else { return nil }
                    geometry = scanned
                }
            } else if matches(name, "properties") {
                guard !sawProperties, i < bytes.count else { return nil }
                sawProperties = true
                if bytes[i] == UInt8(ascii: "n") {
                    guard (try? expectLiteral("null")) != nil else { return nil }
                } else {
                    guard scanProperties(into: &collector) else { return nil }
                }
            } else {
                guard (try? parseValue()) != nil else { return nil }
            }
            more = scanNextMember()
        } while more == true
        guard more == false, sawType, sawGeometry else { return nil }
        depth -= 1
        return ScannedFeature(geometry: geometry)
    }

    /// The members of a properties object, each value as `GeoJSONReader.propertyValue` makes it.
    private mutating func scanProperties(into collector: inout GeoJSONReader.FeatureCollector) -> Bool {
        guard bytes[i] == UInt8(ascii: "{"), (try? enter()) != nil else { return false }
        i += 1
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return true
        }
        // Features usually give their properties in the same order: the field after the last
        // one is tried first, by its bytes.
        var guess = 0
        var more: Bool?
        repeat {
            let field: Int
            if let name = scanRawString() {
                if guess < collector.fieldNameBytes.count, matches(name, collector.fieldNameBytes[guess]) {
                    field = guess
                } else {
                    field = collector.field(named: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[name]), as: UTF8.self))
                }
            } else {
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let name = try? parseString() else { return false }
                field = collector.field(named: name)
            }
            guess = field + 1
            guard scanColon(), let value = scanPropertyValue() else { return false }
            collector.addProperty(field: field, value)
            more = scanNextMember()
        } while more == true
        guard more == false else { return false }
        depth -= 1
        return true
    }

    private mutating func scanPropertyValue() -> Value? {
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "\""): return (try? parseString()).map(Value.string)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            switch parsePlainNumber() {
            case .integer(let n)?: return .int(n)
            case .decimal(let d)?: return .double(d)
            case nil: return (try? parseNumber()).map(GeoJSONReader.propertyValue)
            }
        default: return (try? parseValue()).map(GeoJSONReader.propertyValue)
        }
    }

    /// A geometry object other than a GeometryCollection; its coordinates are scanned once the
    /// type is known, so a `coordinates` member before `type` is scanned again afterwards.
    private mutating func scanGeometry(positions: inout [Coordinate]) -> Geometry? {
        guard bytes[i] == UInt8(ascii: "{"), (try? enter()) != nil else { return nil }
        i += 1
        skipWhitespace()
        var kind: GeometryKind?
        var geometry: Geometry?
        var coordinatesAt: Int?
        var more: Bool?
        repeat {
            guard let name = scanRawString(), scanColon() else { return nil }
            if matches(name, "type") {
                guard kind == nil, let type = scanRawString(), let known = geometryKind(type) else { return nil }
                kind = known
            } else if matches(name, "coordinates") {
                guard coordinatesAt == nil else { return nil }
                coordinatesAt = i
                if let kind {
                    guard let scanned = scanCoordinates(kind, positions: &positions) else { return nil }
                    geometry = scanned
                } else {
                    guard (try? parseValue()) != nil else { return nil }
                }
            } else {
                guard (try? parseValue()) != nil else { return nil }
            }
            more = scanNextMember()
        } while more == true
        guard more == false, let kind, let coordinatesAt else { return nil }
        if geometry == nil {
            let end = i
            i = coordinatesAt
            geometry = scanCoordinates(kind, positions: &positions)
            i = end
        }
        depth -= 1
        return geometry
    }

    private func geometryKind(_ name: Range<Int>) -> GeometryKind? {
        if matches(name, "Polygon") { return .polygon }
        if matches(name, "MultiPolygon") { return .multiPolygon }
        if matches(name, "Point") { return .point }
        if matches(name, "LineString") { return .lineString }
        if matches(name, "MultiLineString") { return .multiLineString }
        if matches(name, "MultiPoint") { return .multiPoint }
        return nil
    }

    /// The coordinates of a geometry of `kind`, held to the rules `GeoJSONReader.parseGeometry` checks.
    private mutating func scanCoordinates(_ kind: GeometryKind, positions: inout [Coordinate]) -> Geometry? {
        switch kind {
        case .point: return scanPosition().map(Geometry.point)
        case .multiPoint: return scanPositions(&positions, minimum: 0).map(Geometry.multiPoint)
        case .lineString: return scanPositions(&positions, minimum: 2).map(Geometry.lineString)
        case .multiLineString:
            return scanList(&positions) { $0.scanPositions(&$1, minimum: 2) }.map(Geometry.multiLineString)
        case .polygon: return scanRings(&positions).map(Geometry.polygon)
        case .multiPolygon: return scanList(&positions) { $0.scanRings(&$1) }.map(Geometry.multiPolygon)
        }
    }

    /// A JSON array of elements read by `element`, empty allowed.
    private mutating func scanList<Element>(
        _ positions: inout [Coordinate], _ element: (inout JSONParser, inout [Coordinate]) -> Element?
    ) -> [Element]? {
        guard let empty = scanArrayStart() else { return nil }
        var elements: [Element] = []
        if empty { return elements }
        var more: Bool?
        repeat {
            guard let next = element(&self, &positions) else { return nil }
            elements.append(next)
            more = scanNextElement()
        } while more == true
        return more == false ? elements : nil
    }

    private mutating func scanRings(_ positions: inout [Coordinate]) -> [[Coordinate]]? {
        scanList(&positions) { parser, positions in
            guard let ring = parser.scanPositions(&positions, minimum: 4), ring.first == ring.last else { return nil }
            return ring
        }
    }

    /// At least `minimum` positions, collected in `scratch` and returned as an array of their own.
    private mutating func scanPositions(_ scratch: inout [Coordinate], minimum: Int) -> [Coordinate]? {
        guard let empty = scanArrayStart() else { return nil }
        scratch.removeAll(keepingCapacity: true)
        if !empty {
            var more: Bool?
            repeat {
                guard let position = scanPosition() else { return nil }
                scratch.append(position)
                more = scanNextElement()
            } while more == true
            guard more == false else { return nil }
        }
        return scratch.count >= minimum ? Array(scratch) : nil
    }

    /// [x, y] or [x, y, z], z dropped.
    private mutating func scanPosition() -> Coordinate? {
        guard scanArrayStart() == false, let x = scanCoordinateNumber(), scanNextElement() == true,
            let y = scanCoordinateNumber(), let more = scanNextElement()
        else { return nil }
        if more { guard scanCoordinateNumber() != nil, scanNextElement() == false else { return nil } }
        return Coordinate(x, y)
    }

    private mutating func scanCoordinateNumber() -> Double? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] &- 0x30 < 10 else { return nil }
        switch parsePlainNumber() {
        case .integer(let n)?: return Double(n)
        case .decimal(let d)?: return d
        case nil: return (try? parseNumber())?.number
        }
    }

    /// Consumes '[' and the whitespace after it: true when the array is empty (its ']' consumed
    /// too), nil when there is no '['.
    private mutating func scanArrayStart() -> Bool? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        skipWhitespace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "]") else { return false }
        i += 1
        return true
    }

    /// After an array element: consumes ',' and the whitespace after it (true) or ']' (false);
    /// nil when neither follows.
    private mutating func scanNextElement() -> Bool? {
        scanSeparator(closing: UInt8(ascii: "]"))
    }

    /// After an object member: consumes ',' and the whitespace after it (true) or '}' (false).
    private mutating func scanNextMember() -> Bool? {
        scanSeparator(closing: UInt8(ascii: "}"))
    }

    private mutating func scanSeparator(closing: UInt8) -> Bool? {
        skipWhitespace()
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: ",") {
            i += 1
            skipWhitespace()
            return true
        }
        guard bytes[i] == closing else { return nil }
        i += 1
        return false
    }

    /// Whitespace, ':' and whitespace after a member name.
    private mutating func scanColon() -> Bool {
        skipWhitespace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return false }
        i += 1
        skipWhitespace()
        return true
    }

    /// The bytes between the quotes of a string without escapes or control characters (what
    /// `parseString` would decode as they are); nil, with `i` unmoved, for any other string.
    private mutating func scanRawString() -> Range<Int>? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        var k = i + 1
        while k < bytes.count {
            let b = bytes[k]
            if b == UInt8(ascii: "\"") {
                defer { i = k + 1 }
                return (i + 1)..<k
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { return nil }
            k += 1
        }
        return nil
    }

    private func matches(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        matches(range, UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private func matches(_ range: Range<Int>, _ name: [UInt8]) -> Bool {
        name.withUnsafeBytes { matches(range, $0) }
    }

    private func matches(_ range: Range<Int>, _ name: UnsafeRawBufferPointer) -> Bool {
        guard range.count == name.count else { return false }
        guard let own = bytes.baseAddress, let other = name.baseAddress, range.count > 0 else { return true }
        return memcmp(own + range.lowerBound, other, range.count) == 0
    }
}
