import Foundation

/// A delimited text table as read: RFC 4180 quoting, `,` `;` or tab detected from the header
/// line, UTF-8 (BOM stripped) or Windows-1252 as some SCB and Excel exports are.
///
/// Text is decoded cell by cell: a cell that is not valid UTF-8 is read as Windows-1252, so one
/// stray byte repairs that cell alone (and is reported in `repairs`) instead of turning every
/// "ö" of a UTF-8 file into "Ã¶". Cells are held in one buffer with their end offsets, about
/// 9 bytes per cell beyond the text, not as an array of strings per row.
public struct CSVTable: Sendable {
    public var header: [String]
    public var delimiter: Character
    /// The path (or name) the table was read from, used in error messages.
    public var source: String
    /// The line (1-based) on which each row starts, for error messages.
    public var lines: [Int]
    /// "UTF-8" or "Windows-1252".
    public var encoding: String
    /// Cells that were not valid UTF-8 in a file that otherwise is, read as Windows-1252.
    public private(set) var repairs: [Repair] = []

    public struct Repair: Sendable, Hashable {
        /// The data row, 1-based; 0 for the header.
        public var record: Int
        public var field: String
        public var line: Int
    }

    /// What the reader repaired, for the caller to pass on.
    public var warnings: [String] = []

    /// The UTF-8 text of every cell, row by row, and where each cell ends in it.
    private var text: [UInt8] = []
    private var cellEnds: [Int] = []

    public init(
        header: [String], rows: [[String]], delimiter: Character, source: String, lines: [Int]? = nil,
        encoding: String = TextEncoding.utf8.name
    ) {
        self.header = header
        self.delimiter = delimiter
        self.source = source
        self.lines = lines ?? rows.indices.map { $0 + 2 }
        self.encoding = encoding
        // Rows are fitted to the header: a short row gets empty cells, cells beyond it are left out.
        for row in rows {
            for column in header.indices {
                if column < row.count { text.append(contentsOf: row[column].utf8) }
                cellEnds.append(text.count)
            }
        }
    }

    private init(header: [String], delimiter: Character, source: String, encoding: String) {
        self.header = header
        self.delimiter = delimiter
        self.source = source
        self.lines = []
        self.encoding = encoding
    }

    public var rowCount: Int { header.isEmpty ? 0 : cellEnds.count / header.count }

    /// The cell's text.
    public func cell(_ row: Int, _ column: Int) -> String {
        withCell(row, column) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the cell's UTF-8 bytes, without making a String.
    public func withCell<T>(_ row: Int, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        precondition(column >= 0 && column < header.count, "column \(column) of \(header.count)")
        let k = row * header.count + column
        let start = k == 0 ? 0 : cellEnds[k - 1]
        return try text.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<cellEnds[k]])) }
    }

    public func isEmpty(_ row: Int, _ column: Int) -> Bool {
        let k = row * header.count + column
        return (k == 0 ? 0 : cellEnds[k - 1]) == cellEnds[k]
    }

    /// The rows as arrays of strings, made on demand (each call builds them all).
    public var rows: [[String]] {
        (0..<rowCount).map { r in header.indices.map { cell(r, $0) } }
    }

    /// The cells of one column, top to bottom.
    public func column(at column: Int) -> [String] {
        (0..<rowCount).map { cell($0, column) }
    }

    public static func read(path: String) throws -> CSVTable {
        let data: Data
        try InputFile.requireRegularFile(path)
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AtlasError(file: path, "cannot read: \(error.localizedDescription)")
        }
        return try read(bytes: data, source: path)
    }

    /// A table from the bytes of a CSV file; `source` names it in errors and warnings.
    public static func read(bytes data: Data, source path: String) throws -> CSVTable {
        var table = try data.withUnsafeBytes { raw in
            var bytes = raw.bindMemory(to: UInt8.self)
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: bytes[3...]) }
            return try parse(bytes: bytes, source: path)
        }
        if let first = table.repairs.first {
            let more = table.repairs.count > 1 ? " and \(table.repairs.count - 1) more" : ""
            let place = first.record == 0 ? "the header" : "record \(first.record)"
            table.warnings.append(
                "\(path): \(table.repairs.count) value\(table.repairs.count == 1 ? " was" : "s were") not valid UTF-8"
                    + " and \(table.repairs.count == 1 ? "was" : "were") read as Windows-1252: \(place), field"
                    + " '\(first.field)' (line \(first.line))\(more); the rest of the file is UTF-8")
        }
        return table
    }

    public static func parse(text: String, source: String) throws -> CSVTable {
        var text = text
        return try text.withUTF8 { utf8 in
            var bytes = utf8
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: bytes[3...]) }
            return try parse(bytes: bytes, source: source)
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
        let (fields, values, warnings) = table.typedColumnsWithWarnings()
        var features: [Feature] = []
        features.reserveCapacity(table.rowCount)
        for (i, row) in values.enumerated() {
            let point = Coordinate(
                try table.coordinate(i, xi), try table.coordinate(i, yi))
            features.append(Feature(geometry: .point(point), values: row))
        }
        var layer = Layer(
            source: table.source, format: "CSV", crs: crs, fields: fields, features: features,
            encoding: table.encoding)
        layer.warnings = warnings
        return layer
    }

    private func coordinate(_ row: Int, _ column: Int) throws -> Double {
        let text = cell(row, column)
        guard let value = NumberSyntax.double(text), value.isFinite else {
            throw AtlasError(
                file: source, record: row + 1, field: header[column], "'\(text)' is not a number (line \(lines[row]))")
        }
        return value
    }

    /// A number in a cell that is beyond the range of a Double ("1e400"), read as null.
    struct OutOfRange: Hashable {
        var record: Int
        var column: Int
        var text: String
    }

    /// Fields and values for every column. A column is integer when every non-empty value is
    /// a whole number, real when every one is a decimal number ("12,5" and "1 234" too), else
    /// string. Codes with a leading zero ("0484") and integers longer than 15 digits stay
    /// strings, so that ids keep their form. Empty cells are null, and so are numbers too
    /// large for a Double, with a warning naming the first.
    public func typedColumns(keepingAsText textColumns: Set<Int> = []) -> (fields: [Field], values: [[Value]]) {
        let typed = typedColumnsWithWarnings(keepingAsText: textColumns)
        return (typed.fields, typed.values)
    }

    /// `typedColumns`, with the table's warnings and one about numbers beyond a Double's range.
    public func typedColumnsWithWarnings(keepingAsText textColumns: Set<Int> = []) -> (fields: [Field], values: [[Value]], warnings: [String]) {
        let (fields, values, outOfRange) = typed(keepingAsText: textColumns)
        var warnings = self.warnings
        if let first = outOfRange.first {
            let more = outOfRange.count > 1 ? " and \(outOfRange.count - 1) more" : ""
            warnings.append(
                "\(source): record \(first.record), field '\(header[first.column])': '\(first.text)' is beyond the range"
                    + " of a number (line \(lines[first.record - 1]))\(more); read as null")
        }
        return (fields, values, warnings)
    }

    /// The field types alone, without building the values.
    public func columnTypes(keepingAsText textColumns: Set<Int> = []) -> [FieldType] {
        var types = [FieldType](repeating: .string, count: header.count)
        for column in header.indices where !textColumns.contains(column) {
            var type: FieldType? = nil
            for row in 0..<rowCount where !isEmpty(row, column) {
                switch withCell(row, column, NumberSyntax.classify) {
                case .integer: type = type ?? .integer
                case .real: type = .real
                case .text: type = .string
                }
                if type == .string { break }
            }
            types[column] = type ?? .string
        }
        return types
    }

    func typed(keepingAsText textColumns: Set<Int> = []) -> (fields: [Field], values: [[Value]], outOfRange: [OutOfRange]) {
        let types = columnTypes(keepingAsText: textColumns)
        let fields = zip(header, types).map { Field($0, $1) }
        var outOfRange: [OutOfRange] = []
        var values: [[Value]] = []
        values.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var rowValues: [Value] = []
            rowValues.reserveCapacity(header.count)
            for column in header.indices {
                if isEmpty(row, column) {
                    rowValues.append(.null)
                    continue
                }
                let text = cell(row, column)
                switch types[column] {
                case .integer:
                    if let i = Int(text) {
                        rowValues.append(.int(i))
                    } else if let d = NumberSyntax.double(text), let i = Int(exactly: d.rounded()) {
                        rowValues.append(.int(i))
                    } else {
                        rowValues.append(.string(text))
                    }
                case .real:
                    switch NumberSyntax.double(text) {
                    case let d? where d.isFinite: rowValues.append(.double(d))
                    case .some:
                        outOfRange.append(OutOfRange(record: row + 1, column: column, text: text))
                        rowValues.append(.null)
                    case nil: rowValues.append(.string(text))
                    }
                default: rowValues.append(.string(text))
                }
            }
            values.append(rowValues)
        }
        return (fields, values, outOfRange)
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>, source: String) throws -> CSVTable {
        var parser = CSVParser(bytes: bytes, delimiter: CSVParser.detectDelimiter(bytes), source: source)
        var decoder = CellDecoder()
        var names: [String] = []
        guard try parser.nextRecord({ names.append(decoder.string($0)) }) else {
            throw AtlasError(file: source, "empty file: no header line")
        }
        var table = CSVTable(
            header: names, delimiter: Character(Unicode.Scalar(parser.delimiter)), source: source,
            encoding: TextEncoding.utf8.name)
        var repairs: [(row: Int, column: Int, line: Int)] = decoder.repairedFields.map { (0, $0, parser.recordLine) }
        var record = 0
        while true {
            decoder.startRow()
            var cells = 0
            let found = try parser.nextRecord { bytes in
                decoder.append(bytes, to: &table.text)
                table.cellEnds.append(table.text.count)
                cells += 1
            }
            guard found else { break }
            record += 1
            guard cells == names.count else {
                throw AtlasError(
                    file: source,
                    "line \(parser.recordLine): \(cells) column\(cells == 1 ? "" : "s"), the header has \(names.count)")
            }
            table.lines.append(parser.recordLine)
            for column in decoder.repairedFields { repairs.append((record, column, parser.recordLine)) }
        }
        // No cell was UTF-8 beyond ASCII while some were not: the file is Windows-1252 throughout.
        if !repairs.isEmpty && !decoder.sawUTF8 {
            table.encoding = TextEncoding.windows1252.name
        } else {
            table.repairs = repairs.map { Repair(record: $0.row, field: names[$0.column], line: $0.line) }
        }
        return table
    }
}

/// Decodes cells one at a time: ASCII and valid UTF-8 as they are, anything else as
/// Windows-1252, remembering which cells of the current row needed that.
private struct CellDecoder {
    var sawUTF8 = false
    var repairedFields: [Int] = []
    private var cell = 0

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, to text: inout [UInt8]) {
        defer { cell += 1 }
        if bytes.allSatisfy({ $0 < 0x80 }) {
            text.append(contentsOf: bytes)
        } else if TextEncoding.utf8.isValid(bytes) {
            sawUTF8 = true
            text.append(contentsOf: bytes)
        } else {
            repairedFields.append(cell)
            var ignored = 0
            text.append(contentsOf: TextEncoding.windows1252.decode(bytes, repairs: &ignored).utf8)
        }
    }

    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var text: [UInt8] = []
        append(bytes, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    mutating func startRow() {
        cell = 0
        repairedFields.removeAll(keepingCapacity: true)
    }
}

/// An RFC 4180 record reader over bytes, tracking line numbers for error messages.
private struct CSVParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let source: String
    var position = 0
    var line = 1
    /// The line on which the last record returned started.
    var recordLine = 1
    /// The unquoted text of a quoted field, reused from field to field.
    private var scratch: [UInt8] = []

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

    /// Calls `field` with each field's bytes (valid during the call) of the next record,
    /// skipping empty lines; false at the end.
    mutating func nextRecord(_ field: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
        while position < bytes.count, bytes[position] == Self.lf || bytes[position] == Self.cr {
            endLine()
        }
        guard position < bytes.count else { return false }
        recordLine = line
        while true {
            try nextField(field)
            guard position < bytes.count else { return true }
            let byte = bytes[position]
            if byte == delimiter {
                position += 1
                if position == bytes.count {
                    try field(UnsafeBufferPointer(rebasing: bytes[position..<position]))
                    return true
                }
            } else {
                endLine()
                return true
            }
        }
    }

    /// Consumes one line ending: CRLF, LF or a lone CR.
    private mutating func endLine() {
        if bytes[position] == Self.cr, position + 1 < bytes.count, bytes[position + 1] == Self.lf { position += 1 }
        position += 1
        line += 1
    }

    private mutating func nextField(_ field: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let start = position
        guard position < bytes.count, bytes[position] == Self.quote else {
            while position < bytes.count {
                let byte = bytes[position]
                if byte == delimiter || byte == Self.lf || byte == Self.cr { break }
                position += 1
            }
            try field(UnsafeBufferPointer(rebasing: bytes[start..<position]))
            return
        }
        let startLine = line
        position += 1
        scratch.removeAll(keepingCapacity: true)
        while true {
            guard position < bytes.count else {
                throw AtlasError(file: source, "line \(startLine): a quoted field that starts here is never closed")
            }
            let byte = bytes[position]
            position += 1
            if byte == Self.quote {
                if position < bytes.count, bytes[position] == Self.quote {
                    scratch.append(Self.quote)
                    position += 1
                } else {
                    break
                }
            } else {
                if byte == Self.lf || (byte == Self.cr && (position == bytes.count || bytes[position] != Self.lf)) {
                    line += 1
                }
                scratch.append(byte)
            }
        }
        // Text after the closing quote is kept, as spreadsheet programs do.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == delimiter || byte == Self.lf || byte == Self.cr { break }
            scratch.append(byte)
            position += 1
        }
        try scratch.withUnsafeBufferPointer { try field($0) }
    }
}

/// What a table cell holds, for typing CSV columns.
enum NumberSyntax {
    case integer, real, text

    /// `NumberParsing.double`, without its trimming and replacing for the plain forms
    /// ("12", "-0.25", "1e3") that make up nearly every cell.
    static func double(_ text: String) -> Double? {
        let plain = text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        }
        return plain ? Double(text) : NumberParsing.double(text)
    }

    /// Integer: optional sign and up to 15 digits, no leading zero. Real: sign, digits (groups
    /// may be separated by spaces), one `.` or `,` decimal separator, optional exponent.
    static func classify(_ cell: String) -> NumberSyntax {
        var cell = cell
        return cell.withUTF8 { classify($0) }
    }

    static func classify(_ cell: UnsafeBufferPointer<UInt8>) -> NumberSyntax {
        var digits = 0
        var exponentDigits = 0
        var leadingZero = false
        var separator = false
        var exponent = false
        var index = 0
        var previous: UInt8 = 0
        for byte in cell {
            defer {
                previous = byte
                index += 1
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if digits == 0, !separator, !exponent, byte == UInt8(ascii: "0") { leadingZero = true }
                digits += 1
                if exponent { exponentDigits += 1 }
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
        // The scan above admits only numbers but for an exponent without digits ("1e", "2E+").
        guard digits > 0, !exponent || exponentDigits > 0, cell.last != 0xC2 else { return .text }
        let integerDigits = cell.prefix { $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: ",") }
            .filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        if leadingZero, integerDigits > 1 { return .text }
        if !separator, !exponent {
            return digits <= 15 ? .integer : .text
        }
        return .real
    }
}
