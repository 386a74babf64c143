/// A zero-copy reader of the protocol buffers wire format over bytes owned by the caller.
/// OSM PBF needs only a handful of messages, so decoding them by hand is both simpler and
/// much faster than generated code. Every read is bounds-checked and throws on truncation.
struct ProtobufReader {
    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    struct Malformed: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "malformed protocol buffer at byte \(offset): \(reason)" }
    }

    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.position = 0
    }

    var isAtEnd: Bool { position >= bytes.count }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func nextField() throws -> (number: Int, wireType: WireType)? {
        guard !isAtEnd else { return nil }
        let key = try varint()
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw Malformed(offset: position, reason: "unsupported wire type \(key & 7)")
        }
        return (Int(key >> 3), wireType)
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift >= 64 { throw Malformed(offset: position, reason: "varint longer than 10 bytes") }
        }
        throw Malformed(offset: position, reason: "truncated varint")
    }

    mutating func int64() throws -> Int64 { Int64(bitPattern: try varint()) }

    /// A zigzag-encoded `sint32`/`sint64`.
    mutating func sint64() throws -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// A length-delimited field's bytes, a view into the same buffer.
    mutating func lengthDelimited() throws -> UnsafeRawBufferPointer {
        let length = try varint()
        guard length <= UInt64(bytes.count - position) else {
            throw Malformed(offset: position, reason: "field of \(length) bytes runs past the end")
        }
        let start = position
        position += Int(length)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<position])
    }

    mutating func skip(_ wireType: WireType) throws {
        switch wireType {
        case .varint: _ = try varint()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed64: try advance(8)
        case .fixed32: try advance(4)
        }
    }

    private mutating func advance(_ count: Int) throws {
        guard count <= bytes.count - position else {
            throw Malformed(offset: position, reason: "fixed-size field runs past the end")
        }
        position += count
    }

    /// The number of varints in a packed repeated field: the bytes that end one (a last byte
    /// cut off counts too; decoding reports it).
    static func packedCount(_ bytes: UnsafeRawBufferPointer) -> Int {
        var n = 0
        for byte in bytes where byte < 0x80 { n += 1 }
        return n
    }

    /// Calls `body` with each varint of a packed repeated field.
    static func forEachPackedVarint(_ bytes: UnsafeRawBufferPointer, _ body: (UInt64) throws -> Void) throws {
        var reader = ProtobufReader(bytes)
        while !reader.isAtEnd { try body(try reader.varint()) }
    }

    /// The running sums of a packed, delta-coded `sint64` field (ids, lats, lons, way refs).
    static func deltaDecoded(_ bytes: UnsafeRawBufferPointer, into values: inout [Int64]) throws {
        var reader = ProtobufReader(bytes)
        var running: Int64 = 0
        while !reader.isAtEnd {
            running &+= try reader.sint64()
            values.append(running)
        }
    }
}

/// Encodes protocol buffer messages; used to write small OSM PBF files (tests, fixtures).
public struct ProtobufWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func key(_ field: Int, wireType: UInt8) { varint(UInt64(field << 3) | UInt64(wireType)) }

    public mutating func varintField(_ field: Int, _ value: UInt64) {
        key(field, wireType: 0)
        varint(value)
    }

    public mutating func sint64Field(_ field: Int, _ value: Int64) {
        key(field, wireType: 0)
        varint(Self.zigzag(value))
    }

    public mutating func bytesField(_ field: Int, _ value: [UInt8]) {
        key(field, wireType: 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func stringField(_ field: Int, _ value: String) { bytesField(field, Array(value.utf8)) }

    public mutating func packedVarints(_ field: Int, _ values: [UInt64]) {
        var inner = ProtobufWriter()
        for v in values { inner.varint(v) }
        bytesField(field, inner.bytes)
    }

    /// Packed `sint64` values, delta-coded as OSM PBF stores ids and coordinates.
    public mutating func packedDeltaSint64(_ field: Int, _ values: [Int64]) {
        var previous: Int64 = 0
        var inner = ProtobufWriter()
        for v in values {
            inner.varint(Self.zigzag(v &- previous))
            previous = v
        }
        bytesField(field, inner.bytes)
    }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
}
