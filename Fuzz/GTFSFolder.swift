import Atlas
import Foundation

/// A GTFS feed as a folder, so that mutations reach the tables rather than failing a zip
/// CRC: the input is split at NUL bytes into the files below, in this order.
let tables = [
    "agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt", "calendar_dates.txt",
    "frequencies.txt",
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let folder = FuzzInput.folder + "/feed"
    try? FileManager.default.removeItem(atPath: folder)
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var pieceStart = 0
    var table = 0
    for i in 0...count where table < tables.count && (i == count || input[i] == 0) {
        // An empty piece stands for a file the feed does not have.
        if i > pieceStart {
            FuzzInput.write(UnsafeRawBufferPointer(rebasing: input[pieceStart..<i]), name: "feed/" + tables[table])
        }
        table += 1
        pieceStart = i + 1
    }
    FuzzInput.readFeed(folder)
    return 0
}
