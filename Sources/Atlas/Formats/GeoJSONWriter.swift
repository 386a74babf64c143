import Foundation

/// Streams an RFC 7946 FeatureCollection to disk: WGS 84 lon/lat coordinates rounded to
/// `precision` decimals, exterior rings counter-clockwise and holes clockwise, properties in
/// the order of `fields`. The file appears only when `finish()` succeeds.
public final class GeoJSONWriter {
    public let path: String
    public let fields: [Field]
    public let precision: Int
    /// Significant digits of real-valued properties (nil: full precision); integers stay whole.
    public let significantDigits: Int?
    public private(set) var count = 0

    private let file: AtomicFile
    /// Text not yet written, flushed in chunks of about a megabyte.
    private var buffer: [UInt8] = []
    private let text: FeatureText

    /// - Parameter foreignMembers: extra top-level members as (name, value), e.g. legend breaks.
    /// - Parameter significantDigits: rounds real-valued properties to this many significant
    ///   digits (1–17), so that 1682.46733084311 is written 1682 with 4.
    public init(
        path: String, fields: [Field], precision: Int = 6, foreignMembers: [(String, JSONValue)] = [],
        significantDigits: Int? = nil
    ) throws {
        guard (0...15).contains(precision) else {
            throw AtlasError(file: path, "precision must be between 0 and 15 decimals, got \(precision)")
        }
        if let significantDigits, !(1...17).contains(significantDigits) {
            throw AtlasError(file: path, "significant digits must be between 1 and 17, got \(significantDigits)")
        }
        self.path = path
        self.fields = fields
        self.precision = precision
        self.significantDigits = significantDigits
        self.text = FeatureText(path: path, fields: fields, precision: precision, significantDigits: significantDigits)
        self.file = try AtomicFile(path: path)
        buffer.reserveCapacity(Self.flushSize + (1 << 16))
        JSONText.append("{\"type\":\"FeatureCollection\"", to: &buffer)
        for (name, value) in foreignMembers {
            buffer.append(UInt8(ascii: ","))
            JSONText.appendString(name, to: &buffer)
            buffer.append(UInt8(ascii: ":"))
            JSONText.append(value, to: &buffer)
        }
        JSONText.append(",\"features\":[\n", to: &buffer)
    }

    /// The buffered text is written out once it is this long.
    private static let flushSize = 1 << 20

    /// Writes one feature whose geometry is already in WGS 84 lon/lat.
    public func write(_ feature: Feature) throws {
        guard feature.values.count == fields.count else {
            throw AtlasError(file: path, record: count + 1, "\(feature.values.count) values for \(fields.count) fields")
        }
        try text.append(feature, record: count + 1, to: &buffer)
        count += 1
        if buffer.count > Self.flushSize { try flush() }
    }

    /// Closes the collection and moves the file into place; returns the number of features.
    @discardableResult
    public func finish() throws -> Int {
        JSONText.append("\n]}\n", to: &buffer)
        try flush()
        try file.commit()
        return count
    }

    /// `value` rounded to `digits` significant digits. Scaling by an exact power of ten and
    /// dividing (or multiplying) by another keeps the result the double nearest the decimal.
    static func rounded(_ value: Double, significantDigits digits: Int) -> Double {
        guard value.isFinite, value != 0 else { return value }
        let exponent = Int(log10(abs(value)).rounded(.down))
        let shift = digits - 1 - exponent
        guard abs(shift) <= 22 else { return Double(String(format: "%.\(digits - 1)e", value)) ?? value }
        let power = pow(10, Double(abs(shift)))
        return shift >= 0 ? (value * power).rounded() / power : (value / power).rounded() * power
    }

    private func flush() throws {
        try file.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The text of one feature of a FeatureCollection, appended to a byte buffer: the writer's
/// settings as values, so that the text is made on a local buffer without the run-time
/// exclusivity checks that a class's stored properties cost on every byte.
struct FeatureText {
    let path: String
    let precision: Int
    let significantDigits: Int?
    /// 10^precision, as a double to scale coordinates and as an integer to split them.
    private let scale: Double
    private let divisor: Int64
    /// Each field's name as JSON text with its colon.
    private let encodedKeys: [[UInt8]]

    init(path: String, fields: [Field], precision: Int, significantDigits: Int?) {
        self.path = path
        self.precision = precision
        self.significantDigits = significantDigits
        self.scale = pow(10, Double(precision))
        var divisor: Int64 = 1
        for _ in 0..<precision { divisor *= 10 }
        self.divisor = divisor
        self.encodedKeys = fields.map { field in
            var key: [UInt8] = []
            JSONText.appendString(field.name, to: &key)
            key.append(UInt8(ascii: ":"))
            return key
        }
    }

    /// Appends `feature` (the `record`-th, counting from 1), after a separator from the one
    /// before; on an error `out` is left as it was.
    func append(_ feature: Feature, record: Int, to out: inout [UInt8]) throws {
        let start = out.count
        do {
            if record > 1 { JSONText.append(",\n", to: &out) }
            JSONText.append("{\"type\":\"Feature\",\"properties\":{", to: &out)
            for (k, value) in feature.values.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: encodedKeys[k])
                appendValue(value, to: &out)
            }
            JSONText.append("},\"geometry\":", to: &out)
            if let geometry = feature.geometry {
                try appendGeometry(geometry, record: record, to: &out)
            } else {
                JSONText.append("null", to: &out)
            }
            out.append(UInt8(ascii: "}"))
        } catch {
            out.removeSubrange(start...)
            throw error
        }
    }

    private func appendValue(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .null: JSONText.append("null", to: &out)
        case .bool(let b): JSONText.append(b ? "true" : "false", to: &out)
        case .int(let i): JSONText.appendInteger(Int64(i), to: &out)
        case .double(let d):
            JSONText.appendNumber(significantDigits.map { GeoJSONWriter.rounded(d, significantDigits: $0) } ?? d, to: &out)
        case .string(let s): JSONText.appendString(s, to: &out)
        }
    }

    private func appendGeometry(_ geometry: Geometry, record: Int, to out: inout [UInt8]) throws {
        switch geometry {
        case .point(let c):
            JSONText.append("{\"type\":\"Point\",\"coordinates\":", to: &out)
            try appendPosition(c, record: record, to: &out)
        case .multiPoint(let cs):
            JSONText.append("{\"type\":\"MultiPoint\",\"coordinates\":", to: &out)
            try appendPositions(cs, reversed: false, record: record, to: &out)
        case .lineString(let cs):
            JSONText.append("{\"type\":\"LineString\",\"coordinates\":", to: &out)
            try appendPositions(cs, reversed: false, record: record, to: &out)
        case .multiLineString(let lines):
            JSONText.append("{\"type\":\"MultiLineString\",\"coordinates\":[", to: &out)
            for (k, line) in lines.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                try appendPositions(line, reversed: false, record: record, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .polygon(let rings):
            JSONText.append("{\"type\":\"Polygon\",\"coordinates\":", to: &out)
            try appendRings(rings, record: record, to: &out)
        case .multiPolygon(let polygons):
            JSONText.append("{\"type\":\"MultiPolygon\",\"coordinates\":[", to: &out)
            for (k, rings) in polygons.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                try appendRings(rings, record: record, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .collection(let parts):
            JSONText.append("{\"type\":\"GeometryCollection\",\"geometries\":[", to: &out)
            for (k, part) in parts.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                try appendGeometry(part, record: record, to: &out)
            }
            JSONText.append("]}", to: &out)
            return
        }
        out.append(UInt8(ascii: "}"))
    }

    /// RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
    private func appendRings(_ rings: [[Coordinate]], record: Int, to out: inout [UInt8]) throws {
        out.append(UInt8(ascii: "["))
        for (k, ring) in rings.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            let counterClockwise = Ring.isCounterClockwise(ring)
            let wantCounterClockwise = k == 0
            try appendPositions(ring, reversed: counterClockwise != wantCounterClockwise, record: record, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    private func appendPositions(_ cs: [Coordinate], reversed: Bool, record: Int, to out: inout [UInt8]) throws {
        out.append(UInt8(ascii: "["))
        for k in cs.indices {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            try appendPosition(cs[reversed ? cs.count - 1 - k : k], record: record, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    private func appendPosition(_ c: Coordinate, record: Int, to out: inout [UInt8]) throws {
        guard c.isFinite else {
            throw AtlasError(file: path, record: record, "a coordinate is not a finite number")
        }
        out.append(UInt8(ascii: "["))
        appendFixed(c.x, to: &out)
        out.append(UInt8(ascii: ","))
        appendFixed(c.y, to: &out)
        out.append(UInt8(ascii: "]"))
    }

    /// `value` rounded to `precision` decimals with trailing zeros trimmed ("-0" as "0"),
    /// without going through printf; beyond 9·10^15 units, as `JSONText.number` writes it.
    private func appendFixed(_ value: Double, to out: inout [UInt8]) {
        let scaled = (value * scale).rounded()
        guard abs(scaled) < 9e15 else { return JSONText.appendNumber(value, to: &out) }
        var units = Int64(scaled)
        if units == 0 { return out.append(UInt8(ascii: "0")) }
        if units < 0 {
            out.append(UInt8(ascii: "-"))
            units = -units
        }
        JSONText.appendDigits(UInt64(units / divisor), to: &out)
        var fraction = units % divisor
        guard fraction != 0 else { return }
        var digits = precision
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        out.append(UInt8(ascii: "."))
        JSONText.appendDigits(UInt64(fraction), minimumDigits: digits, to: &out)
    }
}
