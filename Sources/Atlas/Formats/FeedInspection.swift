import Foundation

/// What `atlas inspect` tells about a GTFS feed: agencies, counts, modes and service dates,
/// so that a user can pick a date inside the feed for `atlas transit`.
public struct FeedInspection: Sendable {
    public var source: String
    public var agencies: [String]
    public var stopCount: Int
    public var stationCount: Int
    public var routeCount: Int
    public var routesByMode: [String: Int]
    public var tripCount: Int
    public var serviceCount: Int
    public var frequencyCount: Int
    public var serviceDates: String

    /// A zip or folder that holds `stops.txt` is taken for a GTFS feed.
    public static func isFeed(path: String) -> Bool {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return false }
        if isFolder.boolValue { return FileManager.default.fileExists(atPath: path + "/stops.txt") }
        guard path.lowercased().hasSuffix(".zip"), let archive = try? ZipArchive(path: path) else { return false }
        return archive.entry(named: "stops.txt") != nil
    }

    public init(feed: GTFSFeed) {
        source = feed.path
        agencies = feed.agencies.map(\.name)
        stopCount = feed.stops.count
        stationCount = feed.stops.filter { $0.locationType == 1 }.count
        routeCount = feed.routes.count
        routesByMode = Dictionary(grouping: feed.routes) { TransitMode(routeType: $0.type).rawValue }
            .mapValues(\.count)
        tripCount = feed.trips.count
        serviceCount = feed.serviceIds.count
        frequencyCount = feed.frequencies.count
        serviceDates = ServiceCalendar(feed: feed).rangeDescription
    }

    public var report: String {
        var lines = [
            "file:       \(source)",
            "format:     GTFS",
            "agencies:   \(agencies.isEmpty ? "none" : agencies.joined(separator: ", "))",
            "stops:      \(stopCount) (\(stationCount) stations)",
            "routes:     \(routeCount)" + (routesByMode.isEmpty ? "" : " (" + routesByMode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"),
            "trips:      \(tripCount)",
            "services:   \(serviceCount)",
            "service:    \(serviceDates)",
        ]
        if frequencyCount > 0 { lines.append("frequencies: \(frequencyCount) headway periods") }
        return lines.joined(separator: "\n")
    }
}

/// What `atlas inspect` tells about a table without coordinates (a PxWeb or Kolada export).
public struct TableInspection: Sendable {
    public var source: String
    public var rowCount: Int
    public var encoding: String
    public var delimiter: Character
    public var columns: [(name: String, type: FieldType, example: String)]
    /// The title and notes around the table of an export (`StatisticsTable.csv(path:)`).
    public var skippedLines: [String]

    public init(table: CSVTable, skippedLines: [String] = []) {
        self.skippedLines = skippedLines
        source = table.source
        rowCount = table.rowCount
        encoding = table.encoding
        delimiter = table.delimiter
        columns = zip(table.header, table.columnTypes()).enumerated().map { k, field in
            (field.0, field.1, (0..<table.rowCount).first { !table.isEmpty($0, k) }.map { table.cell($0, k) } ?? "")
        }
    }

    public var report: String {
        var lines = [
            "file:       \(source)",
            "format:     CSV table (no coordinates)",
            "encoding:   \(encoding)",
            "delimiter:  \(delimiter == "\t" ? "tab" : String(delimiter))",
            "rows:       \(rowCount)",
            "columns:    \(columns.count)",
        ]
        if !skippedLines.isEmpty {
            lines.insert("skipped:    \(skippedLines.count) lines around the table (title and notes): \(StatisticsTable.quoted(skippedLines))", at: 4)
        }
        let width = columns.map(\.name.count).max() ?? 0
        for column in columns {
            lines.append("  \(column.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(column.type.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  e.g. \(column.example)")
        }
        return lines.joined(separator: "\n")
    }
}
