import Foundation

/// A statistics table as published by SCB's PxWeb or Kolada, in long form (a region column,
/// dimension columns such as age or year, one value column) or wide form (one row per region,
/// one column per measure). Cells stay text until a measure is read, so that a filter on a
/// dimension such as `year=2021` compares what the file says.
public struct StatisticsTable: Sendable {
    public var source: String
    public var columns: [String]
    public var rows: [[String]]
    /// The 1-based line of each row in the file, for error messages after filtering.
    public var records: [Int]

    public init(source: String, columns: [String], rows: [[String]], records: [Int]? = nil) {
        self.source = source
        self.columns = columns
        self.rows = rows
        self.records = records ?? rows.indices.map { $0 + 1 }
    }

    /// Reads a CSV export (delimiter, BOM and quoting as `CSVTable` handles them).
    public static func read(path: String) throws -> StatisticsTable {
        let table = try CSVTable.read(path: path)
        return StatisticsTable(source: path, columns: table.header, rows: table.rows, records: table.lines)
    }

    /// A column by name, ignoring case; the error lists the columns the table has.
    public func columnIndex(_ name: String) throws -> Int {
        if let i = columns.firstIndex(of: name) { return i }
        if let i = columns.firstIndex(where: { $0.lowercased() == name.lowercased() }) { return i }
        throw AtlasError(file: source, field: name, "no such column; the table has: \(columns.joined(separator: ", "))")
    }

    /// The rows whose cells equal every filter's value (compared trimmed).
    public func filtered(_ filters: [StatisticsFilter]) throws -> StatisticsTable {
        guard !filters.isEmpty else { return self }
        let checks = try filters.map { (try columnIndex($0.column), $0.value.trimmingCharacters(in: .whitespaces)) }
        var kept = StatisticsTable(source: source, columns: columns, rows: [], records: [])
        for (row, record) in zip(rows, records)
        where checks.allSatisfy({ column, value in
            column < row.count && row[column].trimmingCharacters(in: .whitespaces) == value
        }) {
            kept.rows.append(row)
            kept.records.append(record)
        }
        if kept.rows.isEmpty {
            let (column, value) = checks[0]
            let seen = Set(rows.compactMap { column < $0.count ? $0[column] : nil }).sorted().prefix(10)
            throw AtlasError(
                file: source, field: columns[column],
                "no row matches the filters (no '\(value)' here?); values in the column include: \(seen.joined(separator: ", "))")
        }
        return kept
    }

    /// The number in a cell; nil for SCB's and Kolada's "not published" marks.
    public func number(row: Int, column: Int) throws -> StatisticsCell {
        let text = column < rows[row].count ? rows[row][column] : ""
        switch StatisticsCell(text) {
        case .some(let cell): return cell
        case .none:
            throw AtlasError(file: source, record: records[row], field: columns[column], "'\(text)' is not a number")
        }
    }
}

/// A value cell: a number, or one of the marks PxWeb and Kolada use instead.
public enum StatisticsCell: Hashable, Sendable {
    case number(Double)
    /// `..`: withheld by the publisher (too uncertain, or protected to avoid disclosure).
    case withheld
    /// `.`, `-`, `–` or an empty cell: not available.
    case missing

    /// Nil when the text is neither a number nor a known mark.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t {
        case "..", "…": self = .withheld
        case "", ".", "-", "–", "NA", "NaN": self = .missing
        default:
            guard let d = NumberParsing.double(t), d.isFinite else { return nil }
            self = .number(d)
        }
    }

    /// A layer attribute read as a cell: null is missing, text is parsed as in a table.
    public init?(_ value: Value) {
        switch value {
        case .null: self = .missing
        case .int, .double: self = .number(value.number!)
        case .string(let s): self.init(s)
        case .bool: return nil
        }
    }

    public var number: Double? { if case .number(let d) = self { d } else { nil } }
}

/// `COLUMN=VALUE`, as given to `--where`.
public struct StatisticsFilter: Hashable, Sendable {
    public var column: String
    public var value: String

    public init(column: String, value: String) {
        self.column = column
        self.value = value
    }

    public init(parsing text: String) throws {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw AtlasError("a filter is COLUMN=VALUE, got '\(text)'")
        }
        self.init(
            column: String(text[..<eq]).trimmingCharacters(in: .whitespaces),
            value: String(text[text.index(after: eq)...]))
    }
}

/// Matches region codes as published to the ids of an area layer.
///
/// PxWeb writes `0484C1010_DeSO2025` or `0180 Stockholm`, Kolada numbers counties `0004`, and a
/// spreadsheet turns municipality `0114` into the number `114`. The area ids decide the form:
/// when they are all digits, codes are padded with leading zeros to their width, and a
/// four-digit Kolada id `00NN` becomes the county code `NN` when the areas are counties.
public struct RegionKey: Sendable {
    /// The width of the area ids when they are all digits.
    public let digitWidth: Int?

    public init<S: Sequence>(areaIDs: S) where S.Element == String {
        var width: Int?
        var allDigits = true
        var any = false
        for raw in areaIDs {
            let id = RegionKey.stripped(raw)
            any = true
            guard !id.isEmpty, id.allSatisfy(\.isASCIIDigit) else {
                allDigits = false
                break
            }
            width = max(width ?? 0, id.count)
        }
        digitWidth = any && allDigits ? width : nil
    }

    /// The matching key of a code from either side.
    public func normalise(_ raw: String) -> String {
        var code = RegionKey.stripped(raw)
        guard let width = digitWidth, !code.isEmpty, code.allSatisfy(\.isASCIIDigit) else { return code }
        if code.count < width {
            code = String(repeating: "0", count: width - code.count) + code
        } else if code.count > width, code.hasPrefix(String(repeating: "0", count: code.count - width)) {
            code = String(code.suffix(width))
        }
        return code
    }

    /// Without surrounding space, a label after the code (`0180 Stockholm`) or a version
    /// suffix (`_DeSO2025`), and without a decimal point a number column may have added.
    static func stripped(_ raw: String) -> String {
        var code = raw.trimmingCharacters(in: .whitespaces)
        if let space = code.firstIndex(of: " "), code[..<space].contains(where: \.isNumber) {
            code = String(code[..<space])
        }
        if let underscore = code.firstIndex(of: "_"), underscore != code.startIndex {
            code = String(code[..<underscore])
        }
        if code.hasSuffix(".0"), code.dropLast(2).allSatisfy(\.isASCIIDigit) { code = String(code.dropLast(2)) }
        return code
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
