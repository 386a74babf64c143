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
    /// The lines of the file around the table that are not rows: the title above the header of a
    /// PxWeb export, and the notes below the rows (`Databas: Statistikdatabasen`, footnotes), as
    /// text without quotes and delimiters.
    public var skippedLines: [String]

    public init(source: String, columns: [String], rows: [[String]], records: [Int]? = nil, skippedLines: [String] = []) {
        self.source = source
        self.columns = columns
        self.rows = rows
        self.records = records ?? rows.indices.map { $0 + 1 }
        self.skippedLines = skippedLines
    }

    /// What the caller should pass on: the lines skipped around the table, quoted.
    public var warnings: [String] {
        guard !skippedLines.isEmpty else { return [] }
        let n = skippedLines.count
        return ["\(source): skipped \(n) line\(n == 1 ? "" : "s") around the table that \(n == 1 ? "is" : "are") not rows (the export's title and notes): \(Self.quoted(skippedLines))"]
    }

    /// Reads a CSV export (delimiter, BOM, quoting and encoding as `CSVTable` handles them),
    /// skipping the title and notes around the table (see `parse`); `warnings` quotes them.
    public static func read(path: String) throws -> StatisticsTable {
        let (csv, skipped) = try csv(path: path)
        return StatisticsTable(source: path, columns: csv.header, rows: csv.rows, records: csv.lines, skippedLines: skipped)
    }

    /// The CSV table of an export file without the title and notes around it (see `parse`), its
    /// lines numbered as in the file: for `atlas inspect`, which describes a table as it is read.
    public static func csv(path: String) throws -> (table: CSVTable, skippedLines: [String]) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AtlasError(file: path, "cannot read: \(error.localizedDescription)")
        }
        // Line by line: a stray byte makes its own line Windows-1252, not every "ö" in the file.
        // A file that is not UTF-8 anywhere is Windows-1252 throughout.
        var repairs = 0, lines = 0
        let text = data.withUnsafeBytes { raw -> String in
            let bytes = raw.bindMemory(to: UInt8.self)
            var out = "", start = 0
            for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "\n") {
                out += TextEncoding.utf8.decode(UnsafeBufferPointer(rebasing: bytes[start..<i]), repairs: &repairs)
                if i < bytes.count { out += "\n" }
                lines += 1
                start = i + 1
            }
            return out
        }
        var (csv, skipped) = try framedCSV(text: text, source: path)
        if repairs > 0 && repairs >= lines - 1 { csv.encoding = TextEncoding.windows1252.name }
        return (csv, skipped)
    }

    /// A table from CSV text. A PxWeb export "with heading" starts with a title line and a blank
    /// line, and ends with a blank line, footnotes and `Databas: Statistikdatabasen`,
    /// `Intern referenskod: BE0101N1`: lines before the header with at most one non-empty cell
    /// are a title, and lines after the rows are notes when they are blank, begin as such notes
    /// do, or cannot be rows (one non-empty cell, or not as many cells as the header). A line that
    /// could be a row with empty cells stays a row unless a blank line or a note comes before it.
    public static func parse(text: String, source: String) throws -> StatisticsTable {
        let (csv, skipped) = try framedCSV(text: text, source: source)
        return StatisticsTable(source: source, columns: csv.header, rows: csv.rows, records: csv.lines, skippedLines: skipped)
    }

    static func framedCSV(text: String, source: String) throws -> (CSVTable, [String]) {
        // "\r\n" is one Character to Swift.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        let framing = TableFraming(lines)
        let body = lines[framing.header..<framing.end].joined(separator: "\n")
        let offset = framing.header
        var csv: CSVTable
        do {
            csv = try CSVTable.parse(text: body, source: source)
        } catch var error as AtlasError where offset > 0 {
            // The parser counts lines from the header; the file has the title above it.
            error.message = error.message.replacing(/line (\d+)/) { match in "line \(Int(match.1)! + offset)" }
            throw error
        }
        csv.lines = csv.lines.map { $0 + offset }
        return (csv, framing.skipped)
    }

    /// "'Databas: Statistikdatabasen', 'Intern referenskod: BE0101N1', …": the first three, cut to 60 characters.
    public static func quoted(_ lines: [String]) -> String {
        lines.prefix(3).map { line in "'" + (line.count > 60 ? line.prefix(59) + "…" : line) + "'" }
            .joined(separator: ", ") + (lines.count > 3 ? ", …" : "")
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
        var kept = StatisticsTable(source: source, columns: columns, rows: [], records: [], skippedLines: skippedLines)
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

/// Where the table lies among the lines of an export: the header line, the end of the rows, and
/// the text of the lines skipped around them (see `StatisticsTable.parse`).
struct TableFraming {
    var header = 0
    var end: Int
    var skipped: [String] = []

    /// How notes under a PxWeb or Kolada table begin (compared in lower case).
    static let noteBeginnings = [
        "databas", "database", "statistikdatabasen", "intern referenskod", "internal reference", "källa", "source",
        "fotnot", "footnote", "anm.", "anm:", "senast uppdaterad", "last updated", "statistiska centralbyrån",
        "statistics sweden", "sveriges officiella statistik", "official statistics", "kolada",
    ]

    private enum Kind: Equatable {
        case blank, note, row
        /// Cannot be a row as it stands; `couldBeRow` when it has the header's width (a row whose
        /// cells but the first are empty) or several non-empty cells (a row the parser should judge).
        case text(couldBeRow: Bool)
    }

    init(_ lines: [Substring]) {
        end = lines.count
        while header < lines.count, Self.cells(lines[header], Self.delimiter(of: lines[header])).filter({ !$0.isEmpty }).count <= 1 {
            header += 1
        }
        guard header < lines.count else {
            // No line holds a table: let the CSV parser say what it finds.
            header = 0
            return
        }
        let delimiter = Self.delimiter(of: lines[header])
        let width = Self.cells(lines[header], delimiter).count
        func kind(_ line: Substring) -> Kind {
            let cells = Self.cells(line, delimiter)
            let filled = cells.filter { !$0.isEmpty }
            guard let first = filled.first else { return .blank }
            let lower = first.lowercased()
            if Self.noteBeginnings.contains(where: { lower.hasPrefix($0) }) { return .note }
            if filled.count <= 1 || cells.count != width { return .text(couldBeRow: cells.count == width || filled.count >= 2) }
            return .row
        }
        while end > header + 1, kind(lines[end - 1]) != .row { end -= 1 }
        while end < lines.count, kind(lines[end]) == .text(couldBeRow: true) { end += 1 }
        skipped = (lines[..<header] + lines[end...]).map { line in
            Self.cells(line, delimiter).filter { !$0.isEmpty }.joined(separator: ", ")
        }.filter { !$0.isEmpty }
    }

    /// The delimiter `CSVTable` would detect on this line: the most frequent of `,` `;` and tab
    /// outside quotes, `,` when there is none.
    static func delimiter(of line: Substring) -> Character {
        let candidates: [Character] = [",", ";", "\t"]
        var counts = [0, 0, 0]
        var quoted = false
        for c in line {
            if c == "\"" { quoted.toggle() } else if !quoted, let k = candidates.firstIndex(of: c) { counts[k] += 1 }
        }
        let best = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }!
        return counts[best] > 0 ? candidates[best] : ","
    }

    /// The cells of one line, unquoted and trimmed.
    static func cells(_ line: Substring, _ delimiter: Character) -> [String] {
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var previous: Character?
        for c in line {
            if c == "\"" {
                if !quoted, previous == "\"" { cell.append(c) }
                quoted.toggle()
            } else if c == delimiter, !quoted {
                cells.append(cell.trimmingCharacters(in: .whitespacesAndNewlines))
                cell = ""
            } else {
                cell.append(c)
            }
            previous = c
        }
        cells.append(cell.trimmingCharacters(in: .whitespacesAndNewlines))
        return cells
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
