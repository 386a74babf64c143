import Foundation

/// A delimited text table as read: RFC 4180 quoting, `,` `;` or tab detected from the header
/// line, UTF-8 (BOM stripped) or, when the bytes are not valid UTF-8, Windows-1252 as some
/// SCB and Excel exports are.
public struct CSVTable: Sendable {
    public var header: [String]
    public var rows: [[String]]
    public var delimiter: Character
    /// The path (or name) the table was read from, used in error messages.
    public var source: String
    /// The line (1-based) on which each row starts, for error messages.
    public var lines: [Int]
    /// "UTF-8" or "Windows-1252".
    public var encoding: String

    public init(
        header: [String], rows: [[String]], delimiter: Character, source: String, lines: [Int]? = nil,
        encoding: String = TextEncoding.utf8.name
    ) {
        self.header = header
        self.rows = rows
        self.delimiter = delimiter
        self.source = source
        self.lines = lines ?? rows.indices.map { $0 + 2 }
        self.encoding = encoding
    }

    public static func read(path: String) throws -> CSVTable {
        let data: Data
        try InputFile.requireRegularFile(path)
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AtlasError(file: path, "cannot read: \(error.localizedDescription)")
        }
        return try data.withUnsafeBytes { raw in
            var bytes = raw.bindMemory(to: UInt8.self)
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: bytes[3...]) }
            if TextEncoding.utf8.isValid(bytes) {
                return try parse(bytes: bytes, source: path, encoding: .utf8)
            }
            var repairs = 0
            var text = TextEncoding.windows1252.decode(bytes, repairs: &repairs)
            return try text.withUTF8 { try parse(bytes: $0, source: path, encoding: .windows1252) }
        }
    }

    public static func parse(text: String, source: String) throws -> CSVTable {
        var text = text
        return try text.withUTF8 { utf8 in
            var bytes = utf8
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: bytes[3...]) }
            return try parse(bytes: bytes, source: source, encoding: .utf8)
        }
    }

    /// The index of a column: exact name first, then ignoring case and surrounding spaces.
    public func column(_ name: String) throws -> Int {
        if let i = header.firstIndex(of: name) { return i }
        let key = name.trimmingCharacters(in: .whitespaces).lowercased()
        if let i = header.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).lowercased() == key }) {
            return i
        }
        throw AtlasError(file: source, field: name, "no such column; the table has: \(header.joined(separator: ", "))")
    }

    /// Points from two coordinate columns (decimal comma accepted). Every column becomes a
    /// field, typed integer or real when all its non-empty values are numbers (see `typedColumns`).
    public static func pointLayer(table: CSVTable, x: String, y: String, crs: CRS) throws -> Layer {
        let xi = try table.column(x)
        let yi = try table.column(y)
        let (fields, values) = table.typedColumns()
        var features: [Feature] = []
        features.reserveCapacity(table.rows.count)
        for (i, row) in table.rows.enumerated() {
            let point = Coordinate(
                try table.coordinate(row[xi], row: i, column: table.header[xi]),
                try table.coordinate(row[yi], row: i, column: table.header[yi]))
            features.append(Feature(geometry: .point(point), values: values[i]))
        }
        return Layer(
            source: table.source, format: "CSV", crs: crs, fields: fields, features: features,
            encoding: table.encoding)
    }

    private func coordinate(_ text: String, row: Int, column: String) throws -> Double {
        guard let value = NumberParsing.double(text), value.isFinite else {
            throw AtlasError(
                file: source, record: row + 1, field: column, "'\(text)' is not a number (line \(lines[row]))")
        }
        return value
    }

    /// Fields and values for every column. A column is integer when every non-empty value is
    /// a whole number, real when every one is a decimal number ("12,5" and "1 234" too), else
    /// string. Codes with a leading zero ("0484") and integers longer than 15 digits stay
    /// strings, so that ids keep their form. Empty cells are null.
    public func typedColumns(keepingAsText textColumns: Set<Int> = []) -> (fields: [Field], values: [[Value]]) {
        var types = [FieldType](repeating: .string, count: header.count)
        for column in header.indices where !textColumns.contains(column) {
            var type: FieldType? = nil
            for row in rows {
                let cell = row[column]
                if cell.isEmpty { continue }
                switch NumberSyntax.classify(cell) {
                case .integer: type = type ?? .integer
                case .real: type = .real
                case .text: type = .string
                }
                if type == .string { break }
            }
            types[column] = type ?? .string
        }
        let fields = zip(header, types).map { Field($0, $1) }
        let values = rows.map { row in
            row.indices.map { column -> Value in
                let cell = row[column]
                if cell.isEmpty { return .null }
                switch types[column] {
                case .integer: return .int(Int(cell) ?? Int(NumberParsing.double(cell)!))
                case .real: return .double(NumberParsing.double(cell)!)
                default: return .string(cell)
                }
            }
        }
        return (fields, values)
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>, source: String, encoding: TextEncoding) throws
        -> CSVTable
    {
        var parser = CSVParser(bytes: bytes, delimiter: CSVParser.detectDelimiter(bytes), source: source)
        guard let header = try parser.nextRecord() else {
            throw AtlasError(file: source, "empty file: no header line")
        }
        var rows: [[String]] = []
        var lines: [Int] = []
        while let row = try parser.nextRecord() {
            guard row.count == header.count else {
                throw AtlasError(
                    file: source,
                    "line \(parser.recordLine): \(row.count) column\(row.count == 1 ? "" : "s"), the header has \(header.count)")
            }
            rows.append(row)
            lines.append(parser.recordLine)
        }
        return CSVTable(
            header: header, rows: rows, delimiter: Character(Unicode.Scalar(parser.delimiter)), source: source,
            lines: lines, encoding: encoding.name)
    }
}

/// An RFC 4180 record reader over UTF-8 bytes, tracking line numbers for error messages.
private struct CSVParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let source: String
    var position = 0
    var line = 1
    /// The line on which the last record returned started.
    var recordLine = 1

    static let quote = UInt8(ascii: "\"")
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")

    init(bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, source: String) {
        self.bytes = bytes
        self.delimiter = delimiter
        self.source = source
    }

    /// The delimiter that occurs most often outside quotes in the first line (`,` when none does).
    static func detectDelimiter(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")]
        var counts = [0, 0, 0]
        var quoted = false
        for byte in bytes {
            if byte == Self.quote {
                quoted.toggle()
            } else if !quoted {
                if byte == Self.lf || byte == Self.cr { break }
                if let k = candidates.firstIndex(of: byte) { counts[k] += 1 }
            }
        }
        let best = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }!
        return counts[best] > 0 ? candidates[best] : candidates[0]
    }

    /// The next record, skipping empty lines; nil at the end.
    mutating func nextRecord() throws -> [String]? {
        while position < bytes.count, bytes[position] == Self.lf || bytes[position] == Self.cr {
            endLine()
        }
        guard position < bytes.count else { return nil }
        recordLine = line
        var fields: [String] = []
        while true {
            fields.append(try nextField())
            guard position < bytes.count else { return fields }
            let byte = bytes[position]
            if byte == delimiter {
                position += 1
                if position == bytes.count { fields.append(""); return fields }
            } else {
                endLine()
                return fields
            }
        }
    }

    /// Consumes one line ending: CRLF, LF or a lone CR.
    private mutating func endLine() {
        if bytes[position] == Self.cr, position + 1 < bytes.count, bytes[position + 1] == Self.lf { position += 1 }
        position += 1
        line += 1
    }

    private mutating func nextField() throws -> String {
        let start = position
        guard position < bytes.count, bytes[position] == Self.quote else {
            while position < bytes.count {
                let byte = bytes[position]
                if byte == delimiter || byte == Self.lf || byte == Self.cr { break }
                position += 1
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        }
        let startLine = line
        position += 1
        var text: [UInt8] = []
        while true {
            guard position < bytes.count else {
                throw AtlasError(file: source, "line \(startLine): a quoted field that starts here is never closed")
            }
            let byte = bytes[position]
            position += 1
            if byte == Self.quote {
                if position < bytes.count, bytes[position] == Self.quote {
                    text.append(Self.quote)
                    position += 1
                } else {
                    break
                }
            } else {
                if byte == Self.lf || (byte == Self.cr && (position == bytes.count || bytes[position] != Self.lf)) {
                    line += 1
                }
                text.append(byte)
            }
        }
        // Text after the closing quote is kept, as spreadsheet programs do.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == delimiter || byte == Self.lf || byte == Self.cr { break }
            text.append(byte)
            position += 1
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// What a table cell holds, for typing CSV columns.
enum NumberSyntax {
    case integer, real, text

    /// Integer: optional sign and up to 15 digits, no leading zero. Real: sign, digits (groups
    /// may be separated by spaces), one `.` or `,` decimal separator, optional exponent.
    static func classify(_ cell: String) -> NumberSyntax {
        var digits = 0
        var leadingZero = false
        var separator = false
        var exponent = false
        var index = 0
        var previous: UInt8 = 0
        for byte in cell.utf8 {
            defer {
                previous = byte
                index += 1
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if digits == 0, !separator, !exponent, byte == UInt8(ascii: "0") { leadingZero = true }
                digits += 1
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                guard index == 0 || previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E") else { return .text }
            case UInt8(ascii: "."), UInt8(ascii: ","):
                guard !separator, !exponent, digits > 0 else { return .text }
                separator = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard !exponent, digits > 0 else { return .text }
                exponent = true
            case UInt8(ascii: " "), 0xC2, 0xA0:
                // Thousands separators: space and no-break space (0xC2 0xA0 in UTF-8).
                guard digits > 0, !separator, !exponent else { return .text }
            default:
                return .text
            }
        }
        guard digits > 0, NumberParsing.double(cell) != nil else { return .text }
        let integerDigits = cell.utf8.prefix { $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: ",") }
            .filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        if leadingZero, integerDigits > 1 { return .text }
        if !separator, !exponent {
            return digits <= 15 ? .integer : .text
        }
        return .real
    }
}
