import Foundation

/// Streams an RFC 7946 FeatureCollection to disk: WGS 84 lon/lat coordinates rounded to
/// `precision` decimals, exterior rings counter-clockwise and holes clockwise, properties in
/// the order of `fields`. The file appears only when `finish()` succeeds.
public final class GeoJSONWriter {
    public let path: String
    public let fields: [Field]
    public let precision: Int
    public private(set) var count = 0

    private let file: AtomicFile
    private var buffer: [UInt8] = []
    private let scale: Double
    private let encodedKeys: [String]

    /// - Parameter foreignMembers: extra top-level members as (name, value), e.g. legend breaks.
    public init(path: String, fields: [Field], precision: Int = 6, foreignMembers: [(String, JSONValue)] = []) throws {
        guard (0...15).contains(precision) else {
            throw AtlasError(file: path, "precision must be between 0 and 15 decimals, got \(precision)")
        }
        self.path = path
        self.fields = fields
        self.precision = precision
        self.scale = pow(10, Double(precision))
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
        var text = count == 0 ? "" : ",\n"
        text += "{\"type\":\"Feature\",\"properties\":{"
        for (k, value) in feature.values.enumerated() {
            if k > 0 { text += "," }
            text += encodedKeys[k]
            switch value {
            case .null: text += "null"
            case .bool(let b): text += b ? "true" : "false"
            case .int(let i): text += String(i)
            case .double(let d): text += JSONText.number(d)
            case .string(let s): JSONText.appendString(s, to: &text)
            }
        }
        text += "},\"geometry\":"
        if let geometry = feature.geometry {
            try appendGeometry(geometry, to: &text)
        } else {
            text += "null"
        }
        text += "}"
        append(text)
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

    private func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    private func flush() throws {
        try file.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func appendGeometry(_ geometry: Geometry, to text: inout String) throws {
        switch geometry {
        case .point(let c):
            text += "{\"type\":\"Point\",\"coordinates\":"
            try appendPosition(c, to: &text)
        case .multiPoint(let cs):
            text += "{\"type\":\"MultiPoint\",\"coordinates\":"
            try appendPositions(cs, to: &text)
        case .lineString(let cs):
            text += "{\"type\":\"LineString\",\"coordinates\":"
            try appendPositions(cs, to: &text)
        case .multiLineString(let lines):
            text += "{\"type\":\"MultiLineString\",\"coordinates\":["
            for (k, line) in lines.enumerated() {
                if k > 0 { text += "," }
                try appendPositions(line, to: &text)
            }
            text += "]"
        case .polygon(let rings):
            text += "{\"type\":\"Polygon\",\"coordinates\":"
            try appendRings(rings, to: &text)
        case .multiPolygon(let polygons):
            text += "{\"type\":\"MultiPolygon\",\"coordinates\":["
            for (k, rings) in polygons.enumerated() {
                if k > 0 { text += "," }
                try appendRings(rings, to: &text)
            }
            text += "]"
        case .collection(let parts):
            text += "{\"type\":\"GeometryCollection\",\"geometries\":["
            for (k, part) in parts.enumerated() {
                if k > 0 { text += "," }
                try appendGeometry(part, to: &text)
            }
            text += "]}"
            return
        }
        text += "}"
    }

    /// RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
    private func appendRings(_ rings: [[Coordinate]], to text: inout String) throws {
        text += "["
        for (k, ring) in rings.enumerated() {
            if k > 0 { text += "," }
            let counterClockwise = Ring.isCounterClockwise(ring)
            let wantCounterClockwise = k == 0
            try appendPositions(counterClockwise == wantCounterClockwise ? ring : ring.reversed(), to: &text)
        }
        text += "]"
    }

    private func appendPositions(_ cs: [Coordinate], to text: inout String) throws {
        text += "["
        for (k, c) in cs.enumerated() {
            if k > 0 { text += "," }
            try appendPosition(c, to: &text)
        }
        text += "]"
    }

    private func appendPosition(_ c: Coordinate, to text: inout String) throws {
        guard c.isFinite else {
            throw AtlasError(file: path, record: count + 1, "a coordinate is not a finite number")
        }
        text += "["
        appendFixed(c.x, to: &text)
        text += ","
        appendFixed(c.y, to: &text)
        text += "]"
    }

    /// Fixed-point text with trailing zeros trimmed, without going through printf.
    private func appendFixed(_ value: Double, to text: inout String) {
        let scaled = (value * scale).rounded()
        guard abs(scaled) < 9e15 else {
            text += JSONText.number(value)
            return
        }
        var units = Int64(scaled)
        if units == 0 {
            text += "0"
            return
        }
        if units < 0 {
            text += "-"
            units = -units
        }
        var divisor: Int64 = 1
        for _ in 0..<precision { divisor *= 10 }
        let whole = units / divisor
        var fraction = units % divisor
        text += String(whole)
        guard fraction != 0 else { return }
        var digits = precision
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let fractionText = String(fraction)
        text += "."
        if fractionText.count < digits { text += String(repeating: "0", count: digits - fractionText.count) }
        text += fractionText
    }
}
