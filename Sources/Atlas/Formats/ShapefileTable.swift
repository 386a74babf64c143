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
            case UInt8(ascii: "N"): kind = decimals == 0 && width <= 18 ? .integer : .real
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
        for column in columns {
            // Padding is spaces, and NULs from some writers; shapelib and GDAL trim both ends.
            var start = column.offset
            let fieldEnd = column.offset + column.width
            var end = fieldEnd
            while start < end, bytes[start] == 0x20 || bytes[start] == 0 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0 { end -= 1 }
            let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
            values.append(try value(text, filled: end == fieldEnd, column: column, record: number))
        }
        return values
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
            let real = try number(text, column: column, record: record)
            if real == real.rounded(), abs(real) < 9e15 { return .int(Int(real)) }
            return .double(real)
        case .real:
            if text[0] == UInt8(ascii: "*") { return .null }
            return .double(try number(text, column: column, record: record))
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

    private func number(_ text: UnsafeBufferPointer<UInt8>, column: Column, record: Int) throws -> Double {
        if let real = Self.real(text) { return real }
        let string = String(decoding: text, as: UTF8.self)
        if let real = NumberParsing.double(string) { return real }
        throw AtlasError(file: path, record: record, field: column.name, "'\(string)' is not a number")
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
