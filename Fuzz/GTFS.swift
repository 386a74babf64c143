import Atlas

/// A GTFS feed as a zip: the archive reader, every table, and a departure count on the
/// feed's first service date, as `atlas transit` and `atlas inspect` use them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = FuzzInput.write(start, count, name: "feed.zip")
    FuzzInput.readFeed(path)
    return 0
}
