import Foundation

/// A parsed JSON value. Objects keep their members in document order, so GeoJSON
/// properties come out in the order the file gives them.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.double(let x), .double(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public var string: String? {
        if case .string(let text) = self { text } else { nil }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    public var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Compact JSON text of the value.
    public var serialized: String {
        var out = ""
        JSONText.append(self, to: &out)
        return out
    }
}

/// A strict RFC 8259 parser over UTF-8 bytes that reports the line of an error.
public struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    /// The offset of the next byte to read.
    var i = 0
    /// Objects and arrays open around `i`.
    var depth = 0
    /// A member of the top-level object whose array elements go to `streamedElement` one by
    /// one instead of into the tree, so a large FeatureCollection is never held whole.
    private var streamedKey: String?
    /// Reads one element of the streamed array, the parser placed at its first byte.
    private var streamedElement: (inout JSONParser) throws -> Void = { _ in }

    public static func parse(_ data: [UInt8]) throws -> JSONValue {
        try data.withUnsafeBytes { try parse($0) }
    }

    public static func parse(_ buffer: UnsafeRawBufferPointer, streaming key: String? = nil, element: (JSONValue) throws -> Void = { _ in }) throws -> JSONValue {
        try parse(buffer, streaming: key) { (parser: inout JSONParser) in try element(try parser.parseValue()) }
    }

    /// Like `parse(_:streaming:element:)`, with each element of the streamed array read by
    /// `element` from the parser itself: it must consume exactly one JSON value.
    static func parse(_ buffer: UnsafeRawBufferPointer, streaming key: String?, elementAt element: (inout JSONParser) throws -> Void) throws -> JSONValue {
        try withoutActuallyEscaping(element) { element in
            var parser = JSONParser(bytes: buffer)
            parser.streamedKey = key
            parser.streamedElement = element
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { parser.i = 3 }
            parser.skipWhitespace()
            let value = try parser.parseValue()
            parser.skipWhitespace()
            guard parser.i == buffer.count else { throw parser.error("unexpected text after the JSON value") }
            return value
        }
    }

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func error(_ message: String) -> AtlasError {
        var line = 1
        for k in 0..<min(i, bytes.count) where bytes[k] == 0x0A { line += 1 }
        return AtlasError("invalid JSON at line \(line): \(message)")
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < bytes.count {
            let b = bytes[i]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            i += 1
        }
    }

    mutating func parseValue() throws -> JSONValue {
        guard i < bytes.count else { throw error("unexpected end of file") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[i])))'")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws {
        let n = literal.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw error("unexpected end of file") }
        for k in 0..<n where bytes[i + k] != literal.utf8Start[k] { throw error("expected \(literal)") }
        i += n
    }

    mutating func enter() throws {
        depth += 1
        if depth > 512 { throw error("nesting deeper than 512 levels") }
    }

    private mutating func parseObject() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        i += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after \"\(key)\"") }
            i += 1
            skipWhitespace()
            if depth == 1, key == streamedKey, i < bytes.count, bytes[i] == UInt8(ascii: "[") {
                try streamArray()
                members.append((key, .array([])))
            } else {
                members.append((key, try parseValue()))
            }
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of file inside an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        i += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of file inside an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func streamArray() throws {
        try enter()
        defer { depth -= 1 }
        i += 1
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return }
        while true {
            skipWhitespace()
            let element = streamedElement
            try element(&self)
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of file inside an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return }
            throw error("expected ',' or ']' in an array")
        }
    }

    /// A number: an integer within 64 bits as `.int`, anything else as the nearest `.double`
    /// (as strtod rounds), "-0" as `.int(0)`.
    mutating func parseNumber() throws -> JSONValue {
        switch parsePlainNumber() {
        case .integer(let n)?: return .int(n)
        case .decimal(let d)?: return .double(d)
        case nil: return try parseNumberWithStrtod()
        }
    }

    /// A number read without strtod, as `parseNumber` gives it.
    enum PlainNumber {
        case integer(Int)
        case decimal(Double)
    }

    /// Powers of ten that are exact doubles (5^22 < 2^53).
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// The number at `i` when its value needs no strtod, else nil with `i` unmoved: integers of
    /// up to 18 digits, and decimals of at most 19 significant digits, an integer m scaled by
    /// 10^e. With m ≤ 2^53 and |e| ≤ 22 both are exact doubles, and one IEEE multiplication or
    /// division rounds their exact product or quotient to the nearest double, as strtod does
    /// (Clinger's fast path); other decimals go through `nearestDouble` (Eisel-Lemire). Syntax
    /// errors, longer numbers and what `nearestDouble` leaves are left to
    /// `parseNumberWithStrtod`, which also reports the errors.
    mutating func parsePlainNumber() -> PlainNumber? {
        let end = bytes.count
        var k = i
        let negative = bytes[k] == UInt8(ascii: "-")
        if negative { k += 1 }
        guard k < end, bytes[k] &- 0x30 < 10 else { return nil }
        // The digits are taken into the mantissa with wrapping arithmetic and counted after:
        // more than 19 significant ones go to strtod, so a wrapped mantissa is never used.
        var mantissa: UInt64 = 0
        var significant: Int
        if bytes[k] == 0x30 {
            k += 1
            significant = 0
        } else {
            significant = digits(from: &k, into: &mantissa)
        }
        let integerDigits = significant
        var fractionDigits = 0
        var isInteger = true
        if k < end, bytes[k] == UInt8(ascii: ".") {
            isInteger = false
            k += 1
            let fractionStart = k
            // Zeros after "0." only scale the value.
            if mantissa == 0 { while k < end, bytes[k] == 0x30 { k += 1 } }
            significant += digits(from: &k, into: &mantissa)
            fractionDigits = k - fractionStart
            guard fractionDigits > 0 else { return nil }
        }
        guard significant <= 19 else { return nil }
        var exponent = 0
        if k < end, bytes[k] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            k += 1
            var exponentNegative = false
            if k < end, bytes[k] == UInt8(ascii: "+") || bytes[k] == UInt8(ascii: "-") {
                exponentNegative = bytes[k] == UInt8(ascii: "-")
                k += 1
            }
            let first = k
            while k < end, case let digit = bytes[k] &- 0x30, digit < 10, k - first < 4 {
                exponent = exponent * 10 + Int(digit)
                k += 1
            }
            guard k > first else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        // The general scan takes every byte that may belong to a number, so "1.5.2", "0-1" or
        // a fifth exponent digit is an error or another value there; it also limits a number
        // to 63 bytes.
        if k < end {
            let b = bytes[k]
            if b &- 0x30 < 10 || b == UInt8(ascii: ".") || b | 0x20 == UInt8(ascii: "e") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") {
                return nil
            }
        }
        guard k - i < 64 else { return nil }
        if isInteger {
            guard integerDigits <= 18 else { return nil }
            i = k
            return .integer(negative ? -Int(mantissa) : Int(mantissa))
        }
        let scale = exponent - fractionDigits
        let magnitude: Double
        if mantissa == 0 {
            magnitude = 0
        } else if mantissa <= 1 << 53, scale >= -22, scale <= 22 {
            let power = Self.exactPowersOfTen[scale < 0 ? -scale : scale]
            magnitude = scale < 0 ? Double(mantissa) / power : Double(mantissa) * power
        } else {
            guard let nearest = Self.nearestDouble(mantissa, timesTenTo: scale) else { return nil }
            magnitude = nearest
        }
        i = k
        return .decimal(negative ? -magnitude : magnitude)
    }

    /// The double nearest to w · 10^q (ties to even) for a nonzero w that holds all of a number's
    /// digits, by the Eisel-Lemire algorithm (Lemire, "Number Parsing at a Gigabyte per Second",
    /// 2021, as fast_float has it): w, shifted to fill 64 bits, times the 128-bit significand of
    /// 5^q from `DecimalPowers` (the second half only when the first cannot settle the top 55
    /// bits); the top bits of the product are the binary significand, rounded once, and the
    /// binary exponent follows from q·log2(10) and the shifts. Nil where strtod is to decide: q
    /// outside the table, a result that overflows, and the product fast_float's earlier versions
    /// could not round with certainty.
    static func nearestDouble(_ w: UInt64, timesTenTo q: Int) -> Double? {
        guard q >= DecimalPowers.first, q <= DecimalPowers.last else { return nil }
        let leadingZeros = w.leadingZeroBitCount
        let w = w << UInt64(leadingZeros)
        let index = 2 * (q - DecimalPowers.first)
        var (high, low) = w.multipliedFullWidth(by: DecimalPowers.significands[index])
        // The 55 bits kept (52, the hidden bit, one to round and one the product's top may lack)
        // are certain unless the nine below them are all ones: then the carry from the low half.
        if high & 0x1FF == 0x1FF {
            let (carry, _) = w.multipliedFullWidth(by: DecimalPowers.significands[index + 1])
            let (sum, overflow) = low.addingReportingOverflow(carry)
            low = sum
            if overflow { high &+= 1 }
            if high & 0x1FF == 0x1FF, low == .max, q < -27 || q > 55 { return nil }
        }
        let upperBit = Int(high >> 63)
        let shift = UInt64(upperBit + 9)
        var significand = high >> shift
        // floor(q · log2(10)) + 63 is ((217706 · q) >> 16) + 63 over the table's range.
        var exponent = ((217_706 * q) >> 16) + 63 + upperBit - leadingZeros + 1023
        if exponent <= 0 {
            // Subnormal (or zero): shifted to the fixed exponent, then rounded half up, as no
            // tie can arise this far from 10^0.
            guard -exponent + 1 < 64 else { return 0 }
            significand >>= UInt64(-exponent + 1)
            significand += significand & 1
            significand >>= 1
            exponent = significand < 1 << 52 ? 0 : 1
            return Double(bitPattern: UInt64(exponent) << 52 | significand)
        }
        // A product with nothing below the kept bits, exactly halfway: a tie, rounded to even.
        // Only 10^-4 … 10^23 can make one.
        if low <= 1, q >= -4, q <= 23, significand & 3 == 1, significand << shift == high {
            significand &= ~1
        }
        significand += significand & 1
        significand >>= 1
        if significand >= 2 << 52 {
            significand = 1 << 52
            exponent += 1
        }
        guard exponent < 0x7FF else { return nil }
        return Double(bitPattern: UInt64(exponent) << 52 | (significand & ~(1 << 52)))
    }

    /// 10^0 … 10^8.
    private static let smallPowersOfTen: [UInt64] = [1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// Reads the decimal digits from `k` on into `mantissa` (mantissa · 10^n + their value,
    /// wrapping) and returns how many there were. Eight bytes are looked at a time where the
    /// buffer has them: a digit is a byte b with b − '0' and b + 0x46 both below 0x80, which
    /// flags the first non-digit correctly whatever follows it, and up to eight digits are
    /// combined in three multiplications (pairs, quadruples, octets).
    @inline(__always)
    private func digits(from k: inout Int, into mantissa: inout UInt64) -> Int {
        let start = k
        while k + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: k, as: UInt64.self))
            let flags = ((word &- 0x3030_3030_3030_3030) | (word &+ 0x4646_4646_4646_4646)) & 0x8080_8080_8080_8080
            let n = flags == 0 ? 8 : flags.trailingZeroBitCount >> 3
            guard n > 0 else { return k - start }
            // The n digits moved to the top bytes, zeros (leading digits 0) below them.
            var value = (word << UInt64(8 * (8 - n))) & 0x0F0F_0F0F_0F0F_0F0F
            value = (value &* 2561) >> 8
            value = ((value & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
            value = ((value & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
            mantissa = mantissa &* Self.smallPowersOfTen[n] &+ value
            k += n
            if n < 8 { return k - start }
        }
        while k < bytes.count, case let digit = bytes[k] &- 0x30, digit < 10 {
            mantissa = mantissa &* 10 &+ UInt64(digit)
            k += 1
        }
        return k - start
    }

    /// Any number, through strtod; the errors of malformed ones.
    private mutating func parseNumberWithStrtod() throws -> JSONValue {
        let start = i
        var isInteger = true
        var negative = false
        var magnitude: UInt64 = 0
        var overflow = false
        var digits = 0
        if bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        while i < bytes.count {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 {
                if isInteger {
                    let (shifted, o1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = shifted.addingReportingOverflow(UInt64(b - 0x30))
                    magnitude = sum
                    overflow = overflow || o1 || o2
                    digits += 1
                }
                i += 1
                continue
            }
            if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
            {
                isInteger = false
                i += 1
                continue
            }
            break
        }
        let leadingZero = digits > 1 && bytes[start + (negative ? 1 : 0)] == 0x30
        // Whole numbers within 64 bits are exact (19-digit ids too), never through a Double.
        if isInteger, digits > 0, !overflow, !leadingZero {
            if !negative, magnitude <= UInt64(Int.max) { return .int(Int(magnitude)) }
            if negative, magnitude <= UInt64(Int.max) + 1 { return .int(Int(truncatingIfNeeded: 0 &- magnitude)) }
        }
        // strtod on a terminated copy: the mapped file need not end in a NUL byte.
        let length = i - start
        guard length > 0, length < 64 else { throw error("invalid number") }
        let value: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            for k in 0..<length { buffer[k] = CChar(bitPattern: bytes[start + k]) }
            buffer[length] = 0
            var end: UnsafeMutablePointer<CChar>?
            let d = strtod(buffer.baseAddress!, &end)
            return end == buffer.baseAddress! + length ? d : nil
        }
        guard let value, value.isFinite, isValidNumberSyntax(start, length) else {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            throw error("invalid number '\(text)'")
        }
        if isInteger, let exact = Int(exactly: value) { return .int(exact) }
        return .double(value)
    }

    /// RFC 8259 number grammar, which strtod is more lenient than (it takes "1.", ".5", "0x1").
    private func isValidNumberSyntax(_ start: Int, _ length: Int) -> Bool {
        var k = start
        let end = start + length
        func isDigit(_ k: Int) -> Bool { k < end && bytes[k] >= 0x30 && bytes[k] <= 0x39 }
        if bytes[k] == UInt8(ascii: "-") { k += 1 }
        guard isDigit(k) else { return false }
        if bytes[k] == 0x30 { k += 1 } else { while isDigit(k) { k += 1 } }
        if k < end, bytes[k] == UInt8(ascii: ".") {
            k += 1
            guard isDigit(k) else { return false }
            while isDigit(k) { k += 1 }
        }
        if k < end, bytes[k] == UInt8(ascii: "e") || bytes[k] == UInt8(ascii: "E") {
            k += 1
            if k < end, bytes[k] == UInt8(ascii: "+") || bytes[k] == UInt8(ascii: "-") { k += 1 }
            guard isDigit(k) else { return false }
            while isDigit(k) { k += 1 }
        }
        return k == end
    }

    mutating func parseString() throws -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character inside a string") }
            i += 1
        }
        var scalars = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: scalars, as: UTF8.self)
            }
            if b < 0x20 { throw error("control character inside a string") }
            if b != UInt8(ascii: "\\") {
                scalars.append(b)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): scalars.append(0x22)
            case UInt8(ascii: "\\"): scalars.append(0x5C)
            case UInt8(ascii: "/"): scalars.append(0x2F)
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800..<0xDC00).contains(code), i + 1 < bytes.count,
                    bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u")
                {
                    i += 2
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
            }
        }
        throw error("unterminated string")
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt8
            switch b {
            case 0x30...0x39: d = b - 0x30
            case 0x41...0x46: d = b - 0x41 + 10
            case 0x61...0x66: d = b - 0x61 + 10
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }
}

/// A growable run of bytes written through a pointer, for text made a few bytes at a time:
/// where `[UInt8].append` checks uniqueness and capacity and goes through generic copying, an
/// append here is one comparison and a store.
struct ByteBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        if capacity - count < bytes.count { grow(toHold: bytes.count) }
        if bytes.count <= 16 {
            // A few bytes (a key, a bracket pair) cost less copied here than through memmove.
            for k in 0..<bytes.count { base[count + k] = source.load(fromByteOffset: k, as: UInt8.self) }
        } else {
            UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        }
        count += bytes.count
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) { append(UnsafeRawBufferPointer(bytes)) }

    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    @inline(__always)
    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Room for `n` more bytes, to be written through the pointer and then counted with `advance(by:)`.
    @inline(__always)
    mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if capacity - count < n { grow(toHold: n) }
        return base + count
    }

    @inline(__always)
    mutating func advance(by n: Int) { count += n }

    /// Drops the bytes from `length` on.
    mutating func truncate(to length: Int) { count = min(count, max(0, length)) }

    mutating func removeAll() { count = 0 }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    private mutating func grow(toHold n: Int) {
        let (needed, overflow) = count.addingReportingOverflow(n)
        precondition(!overflow, "a text buffer cannot hold more than Int.max bytes")
        let larger = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.initialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }
}

/// JSON text output shared by the writers, made as UTF-8 bytes (the `String` forms wrap those).
enum JSONText {
    static func append(_ value: JSONValue, to out: inout String) {
        var bytes = ByteBuffer()
        append(value, to: &bytes)
        out += bytes.string
    }

    static func append(_ value: JSONValue, to out: inout ByteBuffer) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): appendInteger(Int64(i), to: &out)
        case .double(let d): appendNumber(d, to: &out)
        case .string(let s): appendString(s, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (k, e) in elements.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                append(e, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (k, (key, e)) in members.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(e, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Shortest text for a Double to 15 significant digits, so that a share computed as
    /// 7.368617 / 100 is written 0.07368617 rather than 0.07368617000000001; non-finite
    /// numbers are not JSON.
    static func number(_ d: Double) -> String {
        var bytes = ByteBuffer()
        appendNumber(d, to: &bytes)
        return bytes.string
    }

    /// `number(d)`'s text: whole numbers below 10^15 as integers; otherwise Swift's shortest
    /// round-trip text when it has at most 16 characters, else printf's "%.15g". Between 1e-13
    /// and 1e15 both come to "%.15g" (see `appendFifteenDigits`), which is made there without
    /// printf; elsewhere the two are called as they are.
    static func appendNumber(_ d: Double, to out: inout ByteBuffer) {
        guard d.isFinite else { return out.append("null") }
        if d == d.rounded(), abs(d) < 1e15 { return appendInteger(Int64(d), to: &out) }
        if appendFifteenDigits(d, to: &out) { return }
        var shortest = String(d)
        guard shortest.utf8.count > 16 else { return shortest.withUTF8 { out.append($0) } }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            guard let start = buffer.baseAddress else { return }
            let length = withVaList([d]) { vsnprintf(start, 32, "%.15g", $0) }
            out.append(UnsafeRawBufferPointer(start: start, count: Int(min(max(length, 0), 31))))
        }
    }

    /// 5^0 … 5^27, the powers of five that fit in 64 bits.
    private static let powersOfFive: [UInt64] = (0...27).reduce(into: []) { powers, k in
        powers.append(k == 0 ? 1 : powers[k - 1] * 5)
    }

    /// Writes "%.15g" of `d` when 1e-13 ≤ |d| < 1e15 and returns true (false, writing nothing,
    /// outside). There Swift's shortest text has 16 or more characters unless its digits are at
    /// most 15, and 15-digit decimals are further apart than the doubles near them, so a
    /// shortest text of at most 15 digits is the 15-digit rounding itself and prints as "%.15g"
    /// does: both ways of `number` give "%.15g". The value m·2^e is scaled by 10^p exactly as
    /// m·5^p·2^(e+p) in 128 bits and rounded half to even, as glibc's printf rounds.
    static func appendFifteenDigits(_ d: Double, to out: inout ByteBuffer) -> Bool {
        let a = abs(d)
        guard a >= 1e-13, a < 1e15 else { return false }
        let mantissa = a.significandBitPattern | (1 << 52)
        let binaryExponent = Int(a.exponentBitPattern) - 1075
        // The decimal exponent of the rounded value: log10 is a guess, the digit count decides.
        var exponent = Int(log10(a).rounded(.down))
        for _ in 0..<4 {
            let p = 14 - exponent
            guard (0...27).contains(p) else { return false }
            let digits = roundedHalfEven(mantissa, timesFiveToThe: p, timesTwoToThe: binaryExponent + p)
            if digits >= 1_000_000_000_000_000 {
                exponent += 1
            } else if digits < 100_000_000_000_000 {
                exponent -= 1
            } else {
                appendGeneral(digits: digits, exponent: exponent, negative: d < 0, to: &out)
                return true
            }
        }
        return false
    }

    /// m·5^p·2^s rounded to an integer, half to even; UInt64.max when it is 2^64 or more.
    private static func roundedHalfEven(_ m: UInt64, timesFiveToThe p: Int, timesTwoToThe s: Int) -> UInt64 {
        let (high, low) = m.multipliedFullWidth(by: powersOfFive[p])
        guard s < 0 else { return high == 0 && s == 0 ? low : .max }
        let r = -s
        guard r < 128 else { return 0 }
        let quotient: UInt64
        if r >= 64 {
            quotient = high >> UInt64(r - 64)
        } else {
            guard high >> UInt64(r) == 0 else { return .max }
            quotient = (high << UInt64(64 - r)) | (low >> UInt64(r))
        }
        // The bit worth one half, and whether any bit below it is set.
        let k = r - 1
        let half = k >= 64 ? (high >> UInt64(k - 64)) & 1 == 1 : (low >> UInt64(k)) & 1 == 1
        let below: Bool
        if k == 0 {
            below = false
        } else if k < 64 {
            below = low & ((1 << UInt64(k)) - 1) != 0
        } else {
            below = low != 0 || (k > 64 && high & ((1 << UInt64(k - 64)) - 1) != 0)
        }
        return half && (below || quotient & 1 == 1) ? quotient + 1 : quotient
    }

    /// printf's %g of the 15 digits `digits` (d₁…d₁₅ · 10^(exponent − 14)): trailing zeros
    /// dropped, e-notation with a sign and two digits or more below 1e-4 and from 1e15.
    private static func appendGeneral(digits: UInt64, exponent: Int, negative: Bool, to out: inout ByteBuffer) {
        var rest = digits
        var count = 15
        while rest % 10 == 0 {
            rest /= 10
            count -= 1
        }
        if negative { out.append(UInt8(ascii: "-")) }
        if exponent < -4 || exponent >= 15 {
            var tens: UInt64 = 1
            for _ in 1..<count { tens *= 10 }
            appendDigits(rest / tens, to: &out)
            if count > 1 {
                out.append(UInt8(ascii: "."))
                appendDigits(rest % tens, minimumDigits: count - 1, to: &out)
            }
            out.append(UInt8(ascii: "e"))
            out.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            appendDigits(UInt64(abs(exponent)), minimumDigits: 2, to: &out)
        } else if exponent >= 0 {
            let whole = exponent + 1
            if count <= whole {
                appendDigits(rest, to: &out)
                for _ in 0..<(whole - count) { out.append(UInt8(ascii: "0")) }
            } else {
                var tens: UInt64 = 1
                for _ in 0..<(count - whole) { tens *= 10 }
                appendDigits(rest / tens, to: &out)
                out.append(UInt8(ascii: "."))
                appendDigits(rest % tens, minimumDigits: count - whole, to: &out)
            }
        } else {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            for _ in 0..<(-exponent - 1) { out.append(UInt8(ascii: "0")) }
            appendDigits(rest, to: &out)
        }
    }

    /// Two-digit pairs "00" … "99", for writing integers two digits at a time.
    private static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    static func appendInteger(_ value: Int64, to out: inout ByteBuffer) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude, to: &out)
    }

    /// The decimal digits of `value`, at least `minimumDigits` of them (zeros in front).
    static func appendDigits(_ value: UInt64, minimumDigits: Int = 1, to out: inout ByteBuffer) {
        let width = max(digitCount(value), minimumDigits)
        writeDigits(value, count: width, to: out.reserve(width))
        out.advance(by: width)
    }

    /// How many decimal digits `value` has (1 for 0).
    @inline(__always)
    static func digitCount(_ value: UInt64) -> Int {
        var length = 1
        var limit: UInt64 = 10
        while length < 20, value >= limit {
            length += 1
            limit = limit &* 10
        }
        return length
    }

    /// The last `count` decimal digits of `value`, zeros in front, at `text`, two at a time;
    /// returns the digits before them, value / 10^count.
    @inline(__always) @discardableResult
    static func writeDigits(_ value: UInt64, count: Int, to text: UnsafeMutablePointer<UInt8>) -> UInt64 {
        let pairs = digitPairs.utf8Start
        var rest = value
        var end = count
        while end >= 2 {
            let pair = Int(rest % 100) * 2
            rest /= 100
            end -= 2
            text[end] = pairs[pair]
            text[end + 1] = pairs[pair + 1]
        }
        if end == 1 {
            text[0] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        return rest
    }

    static func appendString(_ s: String, to out: inout String) {
        var bytes = ByteBuffer()
        appendString(s, to: &bytes)
        out += bytes.string
    }

    /// A JSON string: '"' and '\\' escaped, \n, \r, \t and other control characters as
    /// \u00xx (lower-case hex); everything else, non-ASCII letters too, as it is.
    static func appendString(_ s: String, to out: inout ByteBuffer) {
        var s = s
        s.withUTF8 { text in
            out.append(UInt8(ascii: "\""))
            var plain = 0
            for (k, u) in text.enumerated() where u < 0x20 || u == 0x22 || u == 0x5C {
                out.append(UnsafeBufferPointer(rebasing: text[plain..<k]))
                plain = k + 1
                out.append(UInt8(ascii: "\\"))
                switch u {
                case 0x22, 0x5C: out.append(u)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    out.append("u00")
                    out.append(hex.utf8Start[Int(u >> 4)])
                    out.append(hex.utf8Start[Int(u & 0xF)])
                }
            }
            out.append(UnsafeBufferPointer(rebasing: text[plain...]))
            out.append(UInt8(ascii: "\""))
        }
    }
}
