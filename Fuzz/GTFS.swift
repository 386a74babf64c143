import Atlas

/// A GTFS feed as a zip: the archive reader, every table, and a departure count on the
/// feed's first service date, as `atlas transit` and `atlas inspect` use them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = FuzzInput.write(start, count, name: "feed.zip")
    FuzzInput.expectAtlasError {
        let feed = try GTFSFeed.read(path: path)
        _ = FeedInspection(feed: feed).report
        try feed.scanStopTimes { _ in }
        guard let first = ServiceCalendar(feed: feed).dateRange?.lowerBound else { return }
        let options = DepartureOptions(
            date: first, window: TimeWindow(argument: "06:00-20:00")!, grouping: .parent, modes: nil)
        _ = try DepartureCounter.count(feed: feed, options: options)
    }
    return 0
}
