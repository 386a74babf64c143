import Atlas

/// A GTFS feed as a zip: the archive reader and every table behind it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = FuzzInput.write(start, count, name: "feed.zip")
    FuzzInput.expectAtlasError { _ = try GTFSFeed.read(path: path) }
    return 0
}
