import Foundation

/// The header row of a GTFS table: column positions by name, in whatever order the feed uses.
public struct GTFSHeader: Sendable {
    public let file: String
    public let names: [String]

    /// The column's position, or nil when the feed leaves the optional column out.
    public func column(_ name: String) -> Int? {
        names.firstIndex(of: name)
    }

    /// The column's position, or -1 (a missing column reads as empty in every row).
    public func optional(_ name: String) -> Int {
        column(name) ?? -1
    }

    public func required(_ name: String) throws -> Int {
        if let i = column(name) { return i }
        throw AtlasError(
            file: file, field: name,
            "required column is missing; the file has: \(names.joined(separator: ", "))")
    }
}

/// One data row, valid only during the callback that receives it. Fields are raw bytes so
/// that the hot loops (stop_times) never build strings.
public struct GTFSRow {
    let base: UnsafePointer<UInt8>
    let starts: UnsafePointer<Int>
    let ends: UnsafePointer<Int>
    public let count: Int
    /// The data row number, 1-based (the header is not counted).
    public let record: Int
    /// The physical line in the file where the row starts, 1-based (the header is line 1).
    public let line: Int

    /// The field's bytes, unquoted; empty for a missing column or a short row.
    @inline(__always) public subscript(_ column: Int) -> UnsafeRawBufferPointer {
        guard column >= 0, column < count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + starts[column], count: ends[column] - starts[column])
    }

    @inline(__always) public func isEmpty(_ column: Int) -> Bool {
        trimmed(self[column]).isEmpty
    }

    public func string(_ column: Int) -> String {
        String(decoding: self[column], as: UTF8.self)
    }

    /// The text, or nil when the field is empty.
    public func optionalString(_ column: Int) -> String? {
        isEmpty(column) ? nil : string(column)
    }

    /// An error about this row's field, naming the line so the user can find it.
    public func error(_ field: String, _ message: String) -> AtlasError {
        AtlasError(record: record, field: field, "\(message) (line \(line))")
    }

    /// A whole number, nil when empty.
    public func int(_ column: Int, _ field: String) throws -> Int? {
        let bytes = trimmed(self[column])
        if bytes.isEmpty { return nil }
        var value = 0
        var negative = false
        var i = 0
        if bytes[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        guard i < bytes.count else { throw error(field, "'\(string(column))' is not a whole number") }
        while i < bytes.count {
            let d = Int(bytes[i]) &- 48
            guard d >= 0, d <= 9, value < Int.max / 10 - 9 else {
                throw error(field, "'\(string(column))' is not a whole number")
            }
            value = value * 10 + d
            i += 1
        }
        return negative ? -value : value
    }

    public func double(_ column: Int, _ field: String) throws -> Double? {
        let bytes = trimmed(self[column])
        if bytes.isEmpty { return nil }
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else {
            throw error(field, "'\(string(column))' is not a number")
        }
        return value
    }

    /// A GTFS time "H:MM:SS" as seconds since the start of the service day (noon minus 12 h);
    /// hours may pass 24, up to `GTFSTime.limit`. Nil when empty.
    public func time(_ column: Int, _ field: String) throws -> Int32? {
        let bytes = trimmed(self[column])
        if bytes.isEmpty { return nil }
        guard let seconds = GTFSTime.seconds(bytes) else {
            throw error(field, "'\(string(column))' is not a time (H:MM:SS, minutes and seconds below 60)")
        }
        guard seconds < GTFSTime.limit else {
            throw error(
                field, "'\(string(column))' is later than a service day reaches (times must be before \(GTFSTime.text(Int(GTFSTime.limit))))")
        }
        return seconds
    }

    /// A GTFS date "YYYYMMDD". Nil when empty.
    public func date(_ column: Int, _ field: String) throws -> ServiceDate? {
        let text = String(decoding: trimmed(self[column]), as: UTF8.self)
        if text.isEmpty { return nil }
        if let date = ServiceDate(gtfs: text) { return date }
        throw error(field, "'\(text)' is not a date (YYYYMMDD)")
    }
}

@inline(__always) func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    var lo = 0
    var hi = bytes.count
    while lo < hi, bytes[lo] == 0x20 || bytes[lo] == 0x09 { lo += 1 }
    while hi > lo, bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09 { hi -= 1 }
    if lo == 0 && hi == bytes.count { return bytes }
    return UnsafeRawBufferPointer(rebasing: bytes[lo..<hi])
}

public enum GTFSTime {
    /// Times of a service day run past 24:00:00 for trips after midnight; three days' worth
    /// (what the departure count looks back over) is more than any timetable needs.
    public static let limit: Int32 = 72 * 3600

    /// Parses "H:MM:SS" or "HH:MM:SS" (hours may exceed 24) to seconds.
    @inline(__always) public static func seconds(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        let n = bytes.count
        guard n >= 7, bytes[n - 3] == UInt8(ascii: ":"), bytes[n - 6] == UInt8(ascii: ":") else { return nil }
        @inline(__always) func digit(_ i: Int) -> Int32? {
            let d = Int32(bytes[i]) &- 48
            return d >= 0 && d <= 9 ? d : nil
        }
        guard let m1 = digit(n - 5), let m2 = digit(n - 4), let s1 = digit(n - 2), let s2 = digit(n - 1),
            m1 < 6, s1 < 6, n - 6 <= 3
        else { return nil }
        var hours: Int32 = 0
        for i in 0..<(n - 6) {
            guard let d = digit(i) else { return nil }
            hours = hours * 10 + d
        }
        return hours * 3600 + (m1 * 10 + m2) * 60 + s1 * 10 + s2
    }

    /// "HH:MM:SS" for a number of seconds (hours may exceed 24).
    public static func text(_ seconds: Int) -> String {
        let h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m):" + (s < 10 ? "0" : "") + "\(s)"
    }
}

/// Splits CSV bytes into rows and fields in place: quotes (with doubled quotes inside),
/// a leading BOM, CRLF or LF line ends, quoted line breaks, blank lines.
///
/// Each byte is looked at a bounded number of times however the input arrives: a row that
/// does not end in one piece is resumed where the search stopped, with its quote count, and a
/// row longer than `maximumRowLength` is an error (a text table has no such rows; a file of
/// NUL bytes or an unclosed quote would otherwise be held whole).
final class GTFSTableScanner {
    static let maximumRowLength = 1 << 20

    let file: String
    private(set) var header = GTFSHeader(file: "", names: [])
    private(set) var hasHeader = false
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private var starts: UnsafeMutablePointer<Int>
    private var ends: UnsafeMutablePointer<Int>
    private var fieldCapacity = 64
    private var line = 1
    private var record = 0
    private var atFileStart = true
    private let maximumRowLength: Int
    /// Where the search for the end of the unfinished row at the start of the buffer resumes,
    /// the quotes seen before that point and the line breaks inside quotes.
    private var resume = 0
    private var resumeQuotes = 0
    private var resumeLines = 1

    init(file: String, maximumRowLength: Int = GTFSTableScanner.maximumRowLength) {
        self.file = file
        self.maximumRowLength = maximumRowLength
        capacity = 1 << 21
        buffer = .allocate(capacity: capacity)
        starts = .allocate(capacity: fieldCapacity)
        ends = .allocate(capacity: fieldCapacity)
    }

    func release() {
        buffer.deallocate()
        starts.deallocate()
        ends.deallocate()
        capacity = 0
    }

    func feed(_ chunk: UnsafeRawBufferPointer, _ handle: (GTFSRow) throws -> Void) throws {
        if count + chunk.count > capacity {
            let grown = max(capacity * 2, count + chunk.count)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            bigger.update(from: buffer, count: count)
            buffer.deallocate()
            buffer = bigger
            capacity = grown
        }
        if let source = chunk.baseAddress { (buffer + count).update(from: source.assumingMemoryBound(to: UInt8.self), count: chunk.count) }
        count += chunk.count
        try parse(final: false, handle)
    }

    func finish(_ handle: (GTFSRow) throws -> Void) throws {
        try parse(final: true, handle)
    }

    private func parse(final: Bool, _ handle: (GTFSRow) throws -> Void) throws {
        var p = 0
        if atFileStart {
            if count < 3 && !final { return }
            if count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { p = 3 }
            atFileStart = false
            resume = p
        }
        while p < count {
            // The row ends at the first line break outside quotes.
            var i = max(resume, p)
            var quotes = resume > p ? resumeQuotes : 0
            var lines = resume > p ? resumeLines : 1
            var rowEnd = -1
            while i < count {
                guard let found = memchr(buffer + i, 0x0A, count - i) else {
                    quotes += countQuotes(i, count)
                    i = count
                    break
                }
                let nl = UnsafeMutablePointer<UInt8>(OpaquePointer(found)) - buffer
                quotes += countQuotes(i, nl)
                if quotes % 2 == 0 {
                    rowEnd = nl
                    break
                }
                lines += 1
                i = nl + 1
            }
            if rowEnd < 0 {
                guard final else {
                    if i - p > maximumRowLength { throw tooLong() }
                    resume = i
                    resumeQuotes = quotes
                    resumeLines = lines
                    break
                }
                if quotes % 2 == 1 {
                    throw AtlasError(record: record + 1, "a quoted field is not closed (line \(line))")
                }
                rowEnd = count
            }
            if rowEnd - p > maximumRowLength { throw tooLong() }
            var contentEnd = rowEnd
            if contentEnd > p, buffer[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            try row(p, contentEnd, handle)
            line += lines
            p = rowEnd + 1
            resume = p
        }
        if p >= count {
            count = 0
            resume = 0
        } else if p > 0 {
            buffer.update(from: buffer + p, count: count - p)
            count -= p
            resume -= p
        }
    }

    private func tooLong() -> AtlasError {
        let limit = maximumRowLength % (1 << 20) == 0 ? "\(maximumRowLength >> 20) MiB" : "\(maximumRowLength) bytes"
        return AtlasError(
            record: record + 1,
            "a row longer than \(limit) starts at line \(line): an unclosed quote, or not a text table")
    }

    private func countQuotes(_ from: Int, _ to: Int) -> Int {
        var n = 0
        var i = from
        while i < to, let found = memchr(buffer + i, 0x22, to - i) {
            n += 1
            i = UnsafeMutablePointer<UInt8>(OpaquePointer(found)) - buffer + 1
        }
        return n
    }

    private func row(_ from: Int, _ to: Int, _ handle: (GTFSRow) throws -> Void) throws {
        var blank = true
        var i = from
        while i < to {
            let c = buffer[i]
            if c != 0x20 && c != 0x09 && c != 0x0D { blank = false; break }
            i += 1
        }
        if blank { return }

        var n = 0
        var p = from
        while true {
            if n == fieldCapacity { growFields() }
            if p < to, buffer[p] == 0x22 {
                // Unquote in place: the text only ever moves left.
                var read = p + 1
                var write = p + 1
                while read < to {
                    let c = buffer[read]
                    if c == 0x22 {
                        if read + 1 < to, buffer[read + 1] == 0x22 {
                            buffer[write] = 0x22
                            write += 1
                            read += 2
                            continue
                        }
                        read += 1
                        break
                    }
                    buffer[write] = c
                    write += 1
                    read += 1
                }
                starts[n] = p + 1
                ends[n] = write
                while read < to, buffer[read] != 0x2C { read += 1 }
                p = read
            } else {
                var q = p
                while q < to, buffer[q] != 0x2C { q += 1 }
                starts[n] = p
                ends[n] = q
                p = q
            }
            n += 1
            if p >= to { break }
            p += 1
        }

        if !hasHeader {
            var names: [String] = []
            for k in 0..<n {
                let raw = UnsafeRawBufferPointer(start: buffer + starts[k], count: ends[k] - starts[k])
                names.append(String(decoding: trimmed(raw), as: UTF8.self))
            }
            header = GTFSHeader(file: file, names: names)
            hasHeader = true
            return
        }
        record += 1
        try handle(GTFSRow(
            base: UnsafePointer(buffer), starts: UnsafePointer(starts), ends: UnsafePointer(ends),
            count: n, record: record, line: line))
    }

    private func growFields() {
        let grown = fieldCapacity * 2
        let s = UnsafeMutablePointer<Int>.allocate(capacity: grown)
        let e = UnsafeMutablePointer<Int>.allocate(capacity: grown)
        s.update(from: starts, count: fieldCapacity)
        e.update(from: ends, count: fieldCapacity)
        starts.deallocate()
        ends.deallocate()
        starts = s
        ends = e
        fieldCapacity = grown
    }
}
