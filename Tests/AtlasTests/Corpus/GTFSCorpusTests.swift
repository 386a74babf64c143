import Foundation
import Testing

@testable import Atlas

/// Broken GTFS beyond the reader and departure tests (a missing file or column, a duplicate
/// stop id, 25:61:00, a stop_time of an unknown trip, a date outside the service).
@Suite("Corpus: GTFS")
struct GTFSCorpusTests {
    static let trips = "route_id,service_id,trip_id\nbus,WK,T1\n"
    static let stopTimes = "trip_id,departure_time,stop_id,stop_sequence\nT1,07:00:00,A,1\nT1,07:05:00,C,2\n"

    private func feedError(_ files: [String: String]) throws -> AtlasError? {
        let folder = try TinyFeed.write(files)
        return CorpusFiles.error {
            let feed = try GTFSFeed.read(path: folder)
            try feed.scanStopTimes { _ in }
        }
    }

    /// The tiny feed zipped with /usr/bin/zip, stored (-0) or deflated.
    private func zippedFeed(stored: Bool) throws -> String {
        let folder = try TinyFeed.write(["trips.txt": Self.trips, "stop_times.txt": Self.stopTimes])
        let zip = folder + "/feed.zip"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.arguments = ["-q", stored ? "-0" : "-9", zip, "stops.txt", "routes.txt", "calendar.txt", "trips.txt", "stop_times.txt"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return zip
    }

    @Test("a stop_time at a stop that stops.txt does not list")
    func unknownStop() throws {
        let error = try feedError([
            "trips.txt": Self.trips,
            "stop_times.txt": "trip_id,departure_time,stop_id,stop_sequence\nT1,07:00:00,A,1\nT1,07:05:00,Z,2\n",
        ])
        #expect(error?.file?.hasSuffix("/stop_times.txt") == true)
        #expect(error?.record == 2)
        #expect(error?.field == "stop_id")
        #expect(error?.message == "'Z' is not a stop id of stops.txt (line 3)")
    }

    @Test("a trip on a route that routes.txt does not list")
    func unknownRoute() throws {
        let error = try feedError(["trips.txt": "route_id,service_id,trip_id\nferry,WK,T1\n", "stop_times.txt": Self.stopTimes])
        #expect(error?.file?.hasSuffix("/trips.txt") == true)
        #expect(error?.field == "route_id")
        #expect(error?.message == "'ferry' is not a route id of routes.txt (line 2)")
    }

    @Test("a duplicate trip id")
    func duplicateTrip() throws {
        let error = try feedError(["trips.txt": Self.trips + "bus,WK,T1\n", "stop_times.txt": Self.stopTimes])
        #expect(error?.record == 2)
        #expect(error?.message == "duplicate trip id 'T1' (line 3)")
    }

    @Test("a calendar date that does not exist")
    func impossibleDate() throws {
        let error = try feedError([
            "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241301\n",
            "trips.txt": Self.trips, "stop_times.txt": Self.stopTimes,
        ])
        #expect(error?.file?.hasSuffix("/calendar.txt") == true)
        #expect(error?.field == "end_date")
        #expect(error?.message == "'20241301' is not a date (YYYYMMDD) (line 2)")
    }

    @Test("a service that ends before it starts")
    func serviceEndsBeforeStart() throws {
        let error = try feedError([
            "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20241231,20240101\n",
            "trips.txt": Self.trips, "stop_times.txt": Self.stopTimes,
        ])
        #expect(error?.message == "ends (2024-01-01) before it starts (2024-12-31) (line 2)")
    }

    @Test("a stop latitude of 95 degrees")
    func latitudeOutOfRange() throws {
        let error = try feedError([
            "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,a,95,16\nC,c,59,16\n",
            "trips.txt": Self.trips, "stop_times.txt": Self.stopTimes,
        ])
        #expect(error?.field == "stop_lat")
        #expect(error?.message.hasPrefix("position 95.0, 16.0 is not a latitude/longitude") == true)
    }

    @Test("a stored member whose bytes no longer match its CRC")
    func crcMismatch() throws {
        let zip = try zippedFeed(stored: true)
        // Stored members hold their text verbatim: change the first "07:05:00" to "07:06:00".
        try CorpusFiles.patch(zip) { bytes in
            let needle = Array("07:05:00".utf8)
            let at = (0...(bytes.count - needle.count)).first { Array(bytes[$0..<$0 + needle.count]) == needle }!
            bytes[at + 4] = UInt8(ascii: "6")
        }
        let error = CorpusFiles.error {
            let feed = try GTFSFeed.read(path: zip)
            try feed.scanStopTimes { _ in }
        }
        #expect(error?.file == zip + "/stop_times.txt")
        #expect(error?.message == "CRC mismatch: the archive is corrupt")
    }

    @Test("a zip cut in half has no central directory")
    func truncatedZip() throws {
        let zip = try zippedFeed(stored: false)
        try CorpusFiles.patch(zip) { $0.removeLast($0.count / 2) }
        let error = CorpusFiles.error { _ = try GTFSFeed.read(path: zip) }
        #expect(error?.file == zip)
        #expect(error?.message == "not a zip archive (no end of central directory)")
    }

    @Test("a member whose directory entry understates its size")
    func memberLargerThanDeclared() throws {
        let zip = try zippedFeed(stored: true)
        // stop_times.txt is the last central directory entry; its uncompressed size sits 24
        // bytes into the entry. Declaring 10 bytes stops the read at the first larger piece.
        try CorpusFiles.patch(zip) { bytes in
            let name = Array("stop_times.txt".utf8)
            let entry = (0...(bytes.count - 4)).last { bytes[$0..<$0 + 4].elementsEqual([0x50, 0x4B, 0x01, 0x02]) }!
            #expect(Array(bytes[entry + 46..<entry + 46 + name.count]) == name)
            bytes.replaceSubrange(entry + 24..<entry + 28, with: CorpusFiles.littleEndian(UInt32(10)))
        }
        let error = CorpusFiles.error {
            let feed = try GTFSFeed.read(path: zip)
            try feed.scanStopTimes { _ in }
        }
        #expect(error?.file == zip + "/stop_times.txt")
        #expect(error?.message == "holds more than the 10 bytes the directory says")
    }

    @Test("a zip64 locator pointing beyond any file")
    func zip64LocatorPastEnd() throws {
        // Only the locator (signature, disk, 64-bit offset, disk count) and an empty end record.
        var bytes: [UInt8] = [0x50, 0x4B, 0x06, 0x07] + CorpusFiles.littleEndian(UInt32(0))
        bytes += CorpusFiles.littleEndian(UInt64.max) + CorpusFiles.littleEndian(UInt32(1))
        bytes += [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)
        let path = try TestData.temporaryFolder() + "/feed.zip"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = CorpusFiles.error { _ = try ZipArchive(path: path) }
        #expect(error?.message == "the zip64 end record is missing")
    }

    @Test("a zip64 end record claiming 2^64 − 1 entries")
    func zip64HugeCount() throws {
        // A 56-byte zip64 end record at byte 0 with all-ones count, size and offset, its
        // locator, and the classic end record.
        var record: [UInt8] = [0x50, 0x4B, 0x06, 0x06] + [UInt8](repeating: 0, count: 28)
        record += CorpusFiles.littleEndian(UInt64.max) + CorpusFiles.littleEndian(UInt64(46))
        record += CorpusFiles.littleEndian(UInt64(0))
        var bytes = record
        bytes += [0x50, 0x4B, 0x06, 0x07] + CorpusFiles.littleEndian(UInt32(0)) + CorpusFiles.littleEndian(UInt64(0))
        bytes += CorpusFiles.littleEndian(UInt32(1))
        bytes += [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)
        let path = try TestData.temporaryFolder() + "/feed.zip"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = CorpusFiles.error { _ = try ZipArchive(path: path) }
        #expect(error?.message == "the central directory of 46 bytes cannot hold \(Int.max) entries")
    }
}
