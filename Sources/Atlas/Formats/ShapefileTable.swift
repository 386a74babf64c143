import CShapelib
import Foundation

/// Decodes the records of a `.dbf` from their raw bytes: the field layout is worked out once,
/// then each record is one pass over its bytes with no lookups by name and no intermediate
/// strings for numbers.
struct AttributeTable {
    private enum Kind {
        case text, integer, real, logical, date
    }

    private struct Column {
        var name: String
        var offset: Int
        var width: Int
        var kind: Kind
    }

    let fields: [Field]
    let recordLength: Int
    private let columns: [Column]
    private let encoding: TextEncoding
    private let path: String
    /// Text values that were not valid in the encoding and were repaired (see `TextEncoding`).
    private(set) var repairs = 0
    private(set) var firstRepairedRecord: Int?
    /// Numbers that are not finite ("nan", "inf", "1e999"), read as null: per field, how many
    /// and the first record and text.
    private(set) var nonFinite: [String: (count: Int, record: Int, text: String)] = [:]
    /// Fields renamed because an earlier field has the same name: (as written, as read).
    private(set) var renamed: [(String, String)] = []
    /// Integer fields holding a whole number beyond 64 bits, which is kept as text.
    private(set) var wideIntegers: Set<Int> = []

    init(dbf: DBFHandle, encoding: TextEncoding, path: String) throws {
        self.encoding = encoding
        self.path = path
        recordLength = Int(dbf.pointee.nRecordLength)
        let count = Int(DBFGetFieldCount(dbf))
        let offsets = dbf.pointee.panFieldOffset
        if count > 0, offsets == nil { throw AtlasError(file: path, "shapelib returned no field layout") }
        var columns: [Column] = []
        columns.reserveCapacity(count)
        var ignored = 0
        for i in 0..<count {
            var nameBytes = [CChar](repeating: 0, count: 12)
            var width: Int32 = 0
            var decimals: Int32 = 0
            guard DBFGetFieldInfo(dbf, Int32(i), &nameBytes, &width, &decimals) != FTInvalid else {
                throw AtlasError(file: path, "field \(i + 1) has an invalid descriptor")
            }
            let nameLength = nameBytes.firstIndex(of: 0) ?? nameBytes.count
            let name = nameBytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: UInt8.self) {
                    encoding.decode(UnsafeBufferPointer(rebasing: $0[..<nameLength]), repairs: &ignored)
                }
            }
            let kind: Kind
            switch UInt8(bitPattern: DBFGetNativeFieldType(dbf, Int32(i))) {
            // Whole numbers of any width: a 19-digit id is read exactly, never through a Double.
            case UInt8(ascii: "N"): kind = decimals == 0 ? .integer : .real
            case UInt8(ascii: "F"): kind = .real
            case UInt8(ascii: "L"): kind = .logical
            case UInt8(ascii: "D"): kind = .date
            default: kind = .text
            }
            let offset = Int(offsets?[i] ?? 0)
            guard offset >= 1, offset + Int(width) <= recordLength else {
                throw AtlasError(file: path, field: name, "the field lies outside the \(recordLength)-byte record")
            }
            columns.append(Column(name: name, offset: offset, width: Int(width), kind: kind))
        }
        // Names are unique, ignoring case as field lookups do: a second NAME becomes NAME_2.
        var taken = Set<String>()
        for k in columns.indices {
            let written = columns[k].name
            var name = written
            var n = 2
            while taken.contains(name.lowercased()) {
                name = "\(written)_\(n)"
                n += 1
            }
            taken.insert(name.lowercased())
            if name != written {
                renamed.append((written, name))
                columns[k].name = name
            }
        }
        self.columns = columns
        fields = columns.map { column in
            switch column.kind {
            case .text: Field(column.name, .string)
            case .integer: Field(column.name, .integer)
            case .real: Field(column.name, .real)
            case .logical: Field(column.name, .boolean)
            case .date: Field(column.name, .date)
            }
        }
    }

    /// The values of one record (`bytes` starts with the deletion flag), aligned with `fields`.
    mutating func values(record bytes: UnsafeBufferPointer<UInt8>, number: Int) throws -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(columns.count)
        for (k, column) in columns.enumerated() {
            // Padding is spaces, and NULs from some writers; shapelib and GDAL trim both ends.
            var start = column.offset
            let fieldEnd = column.offset + column.width
            var end = fieldEnd
            while start < end, bytes[start] == 0x20 || bytes[start] == 0 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0 { end -= 1 }
            let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
            let value = try value(text, filled: end == fieldEnd, column: column, record: number)
            if column.kind == .integer, case .string = value { wideIntegers.insert(k) }
            values.append(value)
        }
        return values
    }

    /// Integer fields where some value is beyond 64 bits become text fields, every value
    /// written as the file has it, so that a 20-digit id keeps all its digits.
    func keepingWideIntegersAsText(_ features: inout [Feature]) -> [Field] {
        var fields = self.fields
        for k in wideIntegers {
            fields[k].type = .string
            for i in features.indices where !features[i].values[k].isNull {
                features[i].values[k] = .string(features[i].values[k].text ?? "")
            }
        }
        return fields
    }

    private mutating func value(
        _ text: UnsafeBufferPointer<UInt8>, filled: Bool, column: Column, record: Int
    ) throws -> Value {
        guard !text.isEmpty else { return .null }
        switch column.kind {
        case .text:
            let before = repairs
            let string = encoding.decode(text, mayBeCut: filled, repairs: &repairs)
            if repairs != before, firstRepairedRecord == nil { firstRepairedRecord = record }
            return .string(string)
        case .integer:
            if text[0] == UInt8(ascii: "*") { return .null }
            if let integer = Self.integer(text) { return .int(integer) }
            // Beyond 64 bits: kept as written rather than rounded.
            if Self.isDigits(text) { return .string(String(decoding: text, as: UTF8.self)) }
            guard let real = try number(text, column: column, record: record) else { return .null }
            if real == real.rounded(), abs(real) < 9e15 { return .int(Int(real)) }
            return .double(real)
        case .real:
            if text[0] == UInt8(ascii: "*") { return .null }
            guard let real = try number(text, column: column, record: record) else { return .null }
            return .double(real)
        case .logical:
            switch text[0] {
            case UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: "Y"), UInt8(ascii: "y"): return .bool(true)
            case UInt8(ascii: "F"), UInt8(ascii: "f"), UInt8(ascii: "N"), UInt8(ascii: "n"): return .bool(false)
            case UInt8(ascii: "?"): return .null
            default:
                throw AtlasError(
                    file: path, record: record, field: column.name,
                    "'\(String(decoding: text, as: UTF8.self))' is not a logical value (T, F, Y, N or ?)")
            }
        case .date:
            let digits = text.allSatisfy { $0 &- UInt8(ascii: "0") < 10 }
            if digits, text.allSatisfy({ $0 == UInt8(ascii: "0") }) { return .null }
            guard digits, text.count == 8 else {
                throw AtlasError(
                    file: path, record: record, field: column.name,
                    "'\(String(decoding: text, as: UTF8.self))' is not a date (YYYYMMDD)")
            }
            let s = String(decoding: text, as: UTF8.self)
            return .string("\(s.prefix(4))-\(s.dropFirst(4).prefix(2))-\(s.suffix(2))")
        }
    }

    /// A decimal number; nil (recorded for a warning) for one that is not finite: "nan",
    /// "inf" and "1e999" are written by some programs for a missing value. Hexadecimal floats
    /// and other text are errors.
    private mutating func number(_ text: UnsafeBufferPointer<UInt8>, column: Column, record: Int) throws -> Double? {
        let string = String(decoding: text, as: UTF8.self)
        if !Self.isNonFiniteWord(text) {
            guard Self.isDecimal(text), let value = Self.real(text) ?? NumberParsing.double(string) else {
                throw AtlasError(file: path, record: record, field: column.name, "'\(string)' is not a number")
            }
            if value.isFinite { return value }
        }
        let seen = nonFinite[column.name]
        nonFinite[column.name] = (count: (seen?.count ?? 0) + 1, record: seen?.record ?? record, text: seen?.text ?? string)
        return nil
    }

    /// Digits with an optional sign.
    private static func isDigits(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let body = text.first == UInt8(ascii: "-") || text.first == UInt8(ascii: "+") ? text.dropFirst() : text[...]
        return !body.isEmpty && body.allSatisfy { $0 &- UInt8(ascii: "0") < 10 }
    }

    /// Sign, digits, one `.` or `,`, an exponent: what a decimal number may hold (the exact
    /// syntax is left to strtod). No letters but `e`, so no hexadecimal and no "nan".
    private static func isDecimal(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var digits = false
        for byte in text {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits = true
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "e"),
                UInt8(ascii: "E"), UInt8(ascii: " "):
                continue
            default: return false
            }
        }
        return digits
    }

    /// "nan", "inf", "-infinity", "1.#INF", "-1.#IND" and the like, in any case.
    private static func isNonFiniteWord(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let word = String(decoding: text, as: UTF8.self).lowercased()
        let bare = word.hasPrefix("-") || word.hasPrefix("+") ? String(word.dropFirst()) : word
        return ["nan", "inf", "infinity", "1.#inf", "1.#ind", "1.#qnan", "1.#snan"].contains(bare)
    }

    /// Decimal digits with an optional sign; nil for anything else or on overflow.
    private static func integer(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        var negative = false
        if text[0] == UInt8(ascii: "-") || text[0] == UInt8(ascii: "+") {
            negative = text[0] == UInt8(ascii: "-")
            i = 1
        }
        guard i < text.count else { return nil }
        var value = 0
        while i < text.count {
            let digit = text[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = shifted.addingReportingOverflow(Int(digit))
            guard !o1, !o2 else { return nil }
            value = sum
            i += 1
        }
        return negative ? -value : value
    }

    /// A C-locale decimal number covering the whole text; nil otherwise.
    private static func real(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer in
            for i in 0..<text.count { buffer[i] = CChar(bitPattern: text[i]) }
            buffer[text.count] = 0
            let start = buffer.baseAddress!
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(start, &end)
            return end == start + text.count ? value : nil
        }
    }
}
