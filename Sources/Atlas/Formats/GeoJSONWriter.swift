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
    private var buffer: [UInt8] = []
    private let scale: Double
    private let divisor: Int64
    private let encodedKeys: [String]

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
        self.scale = pow(10, Double(precision))
        var divisor: Int64 = 1
        for _ in 0..<precision { divisor *= 10 }
        self.divisor = divisor
        self.file = try AtomicFile(path: path)
        self.encodedKeys = fields.map { field in
            var key = ""
            JSONText.appendString(field.name, to: &key)
            return key + ":"
        }
        buffer.reserveCapacity(1 << 20)
        var head = "{\"type\":\"FeatureCollection\""
        for (name, value) in foreignMembers {
            head += ","
            JSONText.appendString(name, to: &head)
            head += ":"
            JSONText.append(value, to: &head)
        }
        head += ",\"features\":[\n"
        append(head)
    }

    /// Writes one feature whose geometry is already in WGS 84 lon/lat.
    public func write(_ feature: Feature) throws {
        guard feature.values.count == fields.count else {
            throw AtlasError(file: path, record: count + 1, "\(feature.values.count) values for \(fields.count) fields")
        }
        if count > 0 { emit(",\n") }
        emit("{\"type\":\"Feature\",\"properties\":{")
        for (k, value) in feature.values.enumerated() {
            if k > 0 { emit(",") }
            append(encodedKeys[k])
            switch value {
            case .null: emit("null")
            case .bool(let b): emit(b ? "true" : "false")
            case .int(let i): appendInteger(Int64(i))
            case .double(let d):
                append(JSONText.number(significantDigits.map { Self.rounded(d, significantDigits: $0) } ?? d))
            case .string(let s):
                var text = ""
                JSONText.appendString(s, to: &text)
                append(text)
            }
        }
        emit("},\"geometry\":")
        if let geometry = feature.geometry {
            try appendGeometry(geometry)
        } else {
            emit("null")
        }
        emit("}")
        count += 1
        if buffer.count > 1 << 20 { try flush() }
    }

    /// Closes the collection and moves the file into place; returns the number of features.
    @discardableResult
    public func finish() throws -> Int {
        append("\n]}\n")
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

    private func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    private func emit(_ text: StaticString) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private func appendInteger(_ value: Int64) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                n += 1
            } while magnitude > 0
            while n > 0 {
                n -= 1
                buffer.append(d[n])
            }
        }
    }

    private func flush() throws {
        try file.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func appendGeometry(_ geometry: Geometry) throws {
        switch geometry {
        case .point(let c):
            emit("{\"type\":\"Point\",\"coordinates\":")
            try appendPosition(c)
        case .multiPoint(let cs):
            emit("{\"type\":\"MultiPoint\",\"coordinates\":")
            try appendPositions(cs)
        case .lineString(let cs):
            emit("{\"type\":\"LineString\",\"coordinates\":")
            try appendPositions(cs)
        case .multiLineString(let lines):
            emit("{\"type\":\"MultiLineString\",\"coordinates\":[")
            for (k, line) in lines.enumerated() {
                if k > 0 { emit(",") }
                try appendPositions(line)
            }
            emit("]")
        case .polygon(let rings):
            emit("{\"type\":\"Polygon\",\"coordinates\":")
            try appendRings(rings)
        case .multiPolygon(let polygons):
            emit("{\"type\":\"MultiPolygon\",\"coordinates\":[")
            for (k, rings) in polygons.enumerated() {
                if k > 0 { emit(",") }
                try appendRings(rings)
            }
            emit("]")
        case .collection(let parts):
            emit("{\"type\":\"GeometryCollection\",\"geometries\":[")
            for (k, part) in parts.enumerated() {
                if k > 0 { emit(",") }
                try appendGeometry(part)
            }
            emit("]}")
            return
        }
        emit("}")
    }

    /// RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
    private func appendRings(_ rings: [[Coordinate]]) throws {
        emit("[")
        for (k, ring) in rings.enumerated() {
            if k > 0 { emit(",") }
            let counterClockwise = Ring.isCounterClockwise(ring)
            let wantCounterClockwise = k == 0
            try appendPositions(counterClockwise == wantCounterClockwise ? ring : ring.reversed())
        }
        emit("]")
    }

    private func appendPositions(_ cs: [Coordinate]) throws {
        emit("[")
        for (k, c) in cs.enumerated() {
            if k > 0 { emit(",") }
            try appendPosition(c)
        }
        emit("]")
    }

    private func appendPosition(_ c: Coordinate) throws {
        guard c.isFinite else {
            throw AtlasError(file: path, record: count + 1, "a coordinate is not a finite number")
        }
        emit("[")
        appendFixed(c.x)
        emit(",")
        appendFixed(c.y)
        emit("]")
    }

    /// Fixed-point text with trailing zeros trimmed, without going through printf.
    private func appendFixed(_ value: Double) {
        let scaled = (value * scale).rounded()
        guard abs(scaled) < 9e15 else {
            append(JSONText.number(value))
            return
        }
        var units = Int64(scaled)
        if units == 0 {
            emit("0")
            return
        }
        if units < 0 {
            emit("-")
            units = -units
        }
        appendInteger(units / divisor)
        var fraction = units % divisor
        guard fraction != 0 else { return }
        var digits = precision
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        emit(".")
        var width = 1
        var probe = fraction
        while probe >= 10 {
            probe /= 10
            width += 1
        }
        for _ in 0..<(digits - width) { emit("0") }
        appendInteger(fraction)
    }
}
