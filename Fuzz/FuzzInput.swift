import Atlas
import Foundation

/// Writes a fuzz input where a path-taking reader can find it: one folder per process,
/// reused for every input so the disk does not fill.
enum FuzzInput {
    static let folder: String = {
        let path = NSTemporaryDirectory() + "atlas-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func write(_ start: UnsafeRawPointer, _ count: Int, name: String) -> String {
        write(UnsafeRawBufferPointer(start: start, count: count), name: name)
    }

    @discardableResult
    static func write(_ bytes: UnsafeRawBufferPointer, name: String) -> String {
        let path = folder + "/" + name
        let file = fopen(path, "wb")!
        if bytes.count > 0 { fwrite(bytes.baseAddress, 1, bytes.count, file) }
        fclose(file)
        return path
    }

    /// Reads must fail with an `AtlasError`; anything else thrown is a bug in the reader.
    static func expectAtlasError(_ body: () throws -> Void) {
        do {
            try body()
        } catch is AtlasError {
        } catch {
            fatalError("a reader threw a non-AtlasError: \(error)")
        }
    }

    /// A feed read as `atlas inspect` and `atlas transit` read it: every table, and the
    /// departures on the feed's first service date.
    static func readFeed(_ path: String) {
        expectAtlasError {
            let feed = try GTFSFeed.read(path: path)
            _ = FeedInspection(feed: feed).report
            try feed.scanStopTimes { _ in }
            guard let first = ServiceCalendar(feed: feed).dateRange?.lowerBound else { return }
            let options = DepartureOptions(
                date: first, window: TimeWindow(argument: "06:00-20:00")!, grouping: .parent, modes: nil)
            _ = try DepartureCounter.count(feed: feed, options: options)
        }
    }
}
