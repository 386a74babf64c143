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
    /// Text not yet written: the head, the tail, and the features made on this thread.
    private var buffer = ByteBuffer(capacity: 1 << 16)
    private let text: FeatureText
    /// Features accepted but not yet made into text, made a batch at a time on all cores.
    private var pending: [Feature] = []
    private let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// The batch being written on another thread while the next one is made into text, and
    /// the error writing it met.
    private let writing = DispatchGroup()
    private let writeFailure = WriteFailure()

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
        buffer.append("{\"type\":\"FeatureCollection\"")
        for (name, value) in foreignMembers {
            buffer.append(UInt8(ascii: ","))
            JSONText.appendString(name, to: &buffer)
            buffer.append(UInt8(ascii: ":"))
            JSONText.append(value, to: &buffer)
        }
        buffer.append(",\"features\":[\n")
    }

    /// An unfinished file goes with the writer, once its last batch is written.
    deinit { writing.wait() }

    /// Features made into text by one worker at a time.
    private static let chunkSize = 2048
    /// Features made into text at once: a chunk per worker.
    private var batchSize: Int { Self.chunkSize * workers }

    /// Writes one feature whose geometry is already in WGS 84 lon/lat. Its text is made with
    /// the next batch, so a coordinate that is not finite is reported (with its record number)
    /// by a later `write` or by `finish`.
    public func write(_ feature: Feature) throws {
        guard feature.values.count == fields.count else {
            try writePending()
            throw AtlasError(file: path, record: count + 1, "\(feature.values.count) values for \(fields.count) fields")
        }
        pending.append(feature)
        count += 1
        if pending.count >= batchSize { try writePending() }
    }

    /// Writes features whose geometries are already in WGS 84 lon/lat, as `write(_:)` one by
    /// one would, but made into text straight from `features`, without copying each one.
    public func write(contentsOf features: [Feature]) throws {
        try writePending()
        var start = 0
        while start < features.count {
            let end = min(start + batchSize, features.count)
            let wrong = features[start..<end].firstIndex { $0.values.count != fields.count }
            let good = start..<(wrong ?? end)
            count += good.count
            try writeBatch(features[good])
            if let wrong {
                throw AtlasError(file: path, record: count + 1, "\(features[wrong].values.count) values for \(fields.count) fields")
            }
            start = end
        }
    }

    /// Closes the collection and moves the file into place; returns the number of features.
    @discardableResult
    public func finish() throws -> Int {
        try writePending()
        buffer.append("\n]}\n")
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

    /// The pending features as text (see `writeBatch`).
    private func writePending() throws {
        guard !pending.isEmpty else { return }
        let features = pending
        pending.removeAll(keepingCapacity: true)
        try writeBatch(features[...])
    }

    /// `features`, the last ones counted, as text in order: in chunks on all cores when there
    /// are several chunks (the batch then written on another thread while the next is made),
    /// else here. On an error nothing of the batch is written and `count` is the number of
    /// features before the failing one.
    private func writeBatch(_ features: ArraySlice<Feature>) throws {
        guard !features.isEmpty else { return }
        let firstRecord = count - features.count + 1
        let base = features.startIndex
        guard workers > 1, features.count > Self.chunkSize else {
            do throws(FeatureText.Failure) {
                for k in features.indices { try text.append(features[k], record: firstRecord + k - base, to: &buffer) }
            } catch {
                count = error.record - 1
                throw error.error
            }
            if buffer.count > 1 << 20 { try flush() }
            return
        }
        let chunks = (features.count + Self.chunkSize - 1) / Self.chunkSize
        let texts = (0..<chunks).map { _ in ChunkText() }
        let text = self.text
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let chunk = texts[c]
            for k in base + c * Self.chunkSize..<min(base + (c + 1) * Self.chunkSize, features.endIndex) {
                do throws(FeatureText.Failure) { try text.append(features[k], record: firstRecord + k - base, to: &chunk.bytes) } catch {
                    chunk.failure = error
                    return
                }
            }
        }
        // The chunks in order: the first failure is the first failing record.
        if let failure = texts.lazy.compactMap(\.failure).first {
            count = failure.record - 1
            throw failure.error
        }
        try flush()
        nonisolated(unsafe) let file = self.file
        let failure = writeFailure
        DispatchQueue.global().async(group: writing) {
            do {
                for chunk in texts { try chunk.bytes.withUnsafeBytes { try file.write($0) } }
            } catch {
                failure.error = error
            }
        }
    }

    /// Writes the text made on this thread, once the batch before it is written.
    private func flush() throws {
        writing.wait()
        if let error = writeFailure.error { throw error }
        try buffer.withUnsafeBytes { try file.write($0) }
        buffer.removeAll()
    }
}

private final class WriteFailure: @unchecked Sendable {
    var error: Error?
}

/// The text of one chunk of a batch: written by the one worker that makes it, read once all
/// workers are done.
private final class ChunkText: @unchecked Sendable {
    var bytes = ByteBuffer(capacity: 1 << 19)
    var failure: FeatureText.Failure?
}

/// The text of one feature of a FeatureCollection, appended to a byte buffer: the writer's
/// settings as a value, so that chunks of features can be made into text on several threads.
struct FeatureText: @unchecked Sendable {
    let path: String
    let precision: Int
    let significantDigits: Int?
    /// 10^precision, to scale coordinates by.
    private let scale: Double
    /// The fields' names as JSON text with their colons (`key(_:)`), reached through pointers
    /// so that threads making text do not count references to a shared array per name.
    private let keys: EncodedKeys
    private let keyBytes: UnsafePointer<UInt8>
    private let keyEnds: UnsafePointer<Int>

    /// An error in the text of a feature, with the feature's record number.
    struct Failure: Error {
        var record: Int
        var error: Error
    }

    init(path: String, fields: [Field], precision: Int, significantDigits: Int?) {
        self.path = path
        self.precision = precision
        self.significantDigits = significantDigits
        self.scale = pow(10, Double(precision))
        self.keys = EncodedKeys(fields)
        self.keyBytes = UnsafePointer(keys.bytes.baseAddress!)
        self.keyEnds = UnsafePointer(keys.ends.baseAddress!)
    }

    /// Appends `feature` (the `record`-th, counting from 1), after a separator from the one
    /// before; on an error `out` is left as it was.
    func append(_ feature: borrowing Feature, record: Int, to out: inout ByteBuffer) throws(Failure) {
        let start = out.count
        do {
            if record > 1 { out.append(",\n") }
            out.append("{\"type\":\"Feature\",\"properties\":{")
            for k in feature.values.indices {
                let value = feature.values[k]
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out.append(key(k))
                appendValue(value, to: &out)
            }
            out.append("},\"geometry\":")
            if let geometry = feature.geometry {
                try appendGeometry(geometry, record: record, to: &out)
            } else {
                out.append("null")
            }
            out.append(UInt8(ascii: "}"))
        } catch {
            out.truncate(to: start)
            throw Failure(record: record, error: error)
        }
    }

    /// Field k's name as JSON text with its colon.
    @inline(__always)
    private func key(_ k: Int) -> UnsafeBufferPointer<UInt8> {
        let start = k == 0 ? 0 : keyEnds[k - 1]
        return UnsafeBufferPointer(start: keyBytes + start, count: keyEnds[k] - start)
    }

    private func appendValue(_ value: Value, to out: inout ByteBuffer) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): JSONText.appendInteger(Int64(i), to: &out)
        case .double(let d):
            JSONText.appendNumber(significantDigits.map { GeoJSONWriter.rounded(d, significantDigits: $0) } ?? d, to: &out)
        case .string(let s): JSONText.appendString(s, to: &out)
        }
    }

    private func appendGeometry(_ geometry: Geometry, record: Int, to out: inout ByteBuffer) throws {
        switch geometry {
        case .point(let c):
            out.append("{\"type\":\"Point\",\"coordinates\":")
            try appendPosition(c, record: record, to: &out)
        case .multiPoint(let cs):
            out.append("{\"type\":\"MultiPoint\",\"coordinates\":")
            try appendPositions(cs, reversed: false, record: record, to: &out)
        case .lineString(let cs):
            out.append("{\"type\":\"LineString\",\"coordinates\":")
            try appendPositions(cs, reversed: false, record: record, to: &out)
        case .multiLineString(let lines):
            out.append("{\"type\":\"MultiLineString\",\"coordinates\":[")
            for (k, line) in lines.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                try appendPositions(line, reversed: false, record: record, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .polygon(let rings):
            out.append("{\"type\":\"Polygon\",\"coordinates\":")
            try appendRings(rings, record: record, to: &out)
        case .multiPolygon(let polygons):
            out.append("{\"type\":\"MultiPolygon\",\"coordinates\":[")
            for (k, rings) in polygons.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                try appendRings(rings, record: record, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .collection(let parts):
            out.append("{\"type\":\"GeometryCollection\",\"geometries\":[")
            for (k, part) in parts.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                try appendGeometry(part, record: record, to: &out)
            }
            out.append("]}")
            return
        }
        out.append(UInt8(ascii: "}"))
    }

    /// RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
    private func appendRings(_ rings: [[Coordinate]], record: Int, to out: inout ByteBuffer) throws {
        out.append(UInt8(ascii: "["))
        for (k, ring) in rings.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            let counterClockwise = Ring.isCounterClockwise(ring)
            let wantCounterClockwise = k == 0
            try appendPositions(ring, reversed: counterClockwise != wantCounterClockwise, record: record, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    private func appendPositions(_ cs: [Coordinate], reversed: Bool, record: Int, to out: inout ByteBuffer) throws {
        out.append(UInt8(ascii: "["))
        for k in cs.indices {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            try appendPosition(cs[reversed ? cs.count - 1 - k : k], record: record, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    private func appendPosition(_ c: Coordinate, record: Int, to out: inout ByteBuffer) throws {
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
    /// value · 10^precision is rounded half away from zero, as `rounded()` does.
    private func appendFixed(_ value: Double, to out: inout ByteBuffer) {
        let scaled = Self.roundedHalfAwayFromZero(value * scale)
        guard abs(scaled) < 9e15 else { return JSONText.appendNumber(value, to: &out) }
        let units = Int64(scaled)
        if units == 0 { return out.append(UInt8(ascii: "0")) }
        // "-", the whole part (at least one digit), "." and all `precision` decimals, written
        // from the right; then the decimals' trailing zeros, and a bare point, left off.
        let sign = units < 0 ? 1 : 0
        let magnitude = units.magnitude
        let whole = max(JSONText.digitCount(magnitude) - precision, 1)
        let length = sign + whole + (precision > 0 ? 1 + precision : 0)
        let text = out.reserve(length)
        if sign == 1 { text[0] = UInt8(ascii: "-") }
        var rest = magnitude
        if precision > 0 {
            rest = JSONText.writeDigits(rest, count: precision, to: text + sign + whole + 1)
            text[sign + whole] = UInt8(ascii: ".")
        }
        JSONText.writeDigits(rest, count: whole, to: text + sign)
        var used = length
        if precision > 0 {
            while text[used - 1] == UInt8(ascii: "0") { used -= 1 }
            if text[used - 1] == UInt8(ascii: ".") { used -= 1 }
        }
        out.advance(by: used)
    }

    /// `x.rounded()` for a finite or infinite x, with the conversion to a whole number done in
    /// registers rather than by a call: below 2^52 a double's whole part fits in an Int64 and
    /// x minus it is exact; from 2^52 on a double is whole already.
    @inline(__always)
    private static func roundedHalfAwayFromZero(_ x: Double) -> Double {
        guard abs(x) < 0x1p52 else { return x }
        let whole = Double(Int64(x))
        let fraction = x - whole
        if fraction >= 0.5 { return whole + 1 }
        if fraction <= -0.5 { return whole - 1 }
        return whole
    }
}

/// The field names of a layer as JSON text, each with its colon, end to end: name k ends at
/// `ends[k]` and starts where the one before it ends. The memory lives as long as this object.
private final class EncodedKeys: @unchecked Sendable {
    let bytes: UnsafeMutableBufferPointer<UInt8>
    let ends: UnsafeMutableBufferPointer<Int>

    init(_ fields: [Field]) {
        var text = ByteBuffer()
        ends = .allocate(capacity: max(fields.count, 1))
        for (k, field) in fields.enumerated() {
            JSONText.appendString(field.name, to: &text)
            text.append(UInt8(ascii: ":"))
            ends[k] = text.count
        }
        bytes = .allocate(capacity: max(text.count, 1))
        text.withUnsafeBytes { _ = bytes.initialize(from: $0) }
    }

    deinit {
        bytes.deallocate()
        ends.deallocate()
    }
}
