import Foundation
import Testing

@testable import Atlas

/// GTFS made to trap, stall or silently miscount: headways and times no timetable has,
/// overlapping frequency periods, rows without an end, special files where tables should be.
@Suite("Corpus: hostile GTFS")
struct GTFSHostileTests {
    static let trips = "route_id,service_id,trip_id\nbus,WK,F\n"
    static let pattern = """
        trip_id,arrival_time,departure_time,stop_id,stop_sequence
        F,00:00:00,00:00:00,A,1
        F,00:05:00,00:05:00,C,2
        F,00:12:00,00:12:00,D,3

        """

    private func feedError(_ files: [String: String]) throws -> AtlasError? {
        let folder = try TinyFeed.write(files)
        return CorpusFiles.error {
            let feed = try GTFSFeed.read(path: folder)
            try feed.scanStopTimes { _ in }
        }
    }

    @Test("a headway of 2^31 − 1 seconds")
    func headwayBeyondADay() throws {
        let error = try feedError([
            "trips.txt": Self.trips, "stop_times.txt": Self.pattern,
            "frequencies.txt": "trip_id,start_time,end_time,headway_secs\nF,06:00:00,07:00:00,2147483647\n",
        ])
        #expect(error?.file?.hasSuffix("/frequencies.txt") == true)
        #expect(error?.record == 1)
        #expect(error?.field == "headway_secs")
        #expect(error?.message == "'2147483647' is not a headway (whole seconds from 1 to 86400, one day) (line 2)")
    }

    @Test("a headway of 0 seconds")
    func zeroHeadway() throws {
        let error = try feedError([
            "trips.txt": Self.trips, "stop_times.txt": Self.pattern,
            "frequencies.txt": "trip_id,start_time,end_time,headway_secs\nF,06:00:00,07:00:00,0\n",
        ])
        #expect(error?.field == "headway_secs")
    }

    @Test("a departure at 999:00:00")
    func timeBeyondThreeServiceDays() throws {
        let error = try feedError([
            "trips.txt": Self.trips,
            "stop_times.txt": "trip_id,departure_time,stop_id,stop_sequence\nF,07:00:00,A,1\nF,999:00:00,C,2\n",
        ])
        #expect(error?.file?.hasSuffix("/stop_times.txt") == true)
        #expect(error?.record == 2)
        #expect(error?.field == "departure_time")
        #expect(error?.message == "'999:00:00' is later than a service day reaches (times must be before 72:00:00) (line 3)")
    }

    @Test("a frequency period ending at 999:59:59")
    func periodBeyondThreeServiceDays() throws {
        let error = try feedError([
            "trips.txt": Self.trips, "stop_times.txt": Self.pattern,
            "frequencies.txt": "trip_id,start_time,end_time,headway_secs\nF,06:00:00,999:59:59,1\n",
        ])
        #expect(error?.field == "end_time")
        #expect(error?.record == 1)
    }

    // Real feeds run past midnight: 47:59:59 is the last second of the service day after.
    @Test("times up to 71:59:59 still read")
    func lateTimesRead() throws {
        let d = try TinyFeed.departures(
            [
                "trips.txt": Self.trips,
                "stop_times.txt": "trip_id,departure_time,stop_id,stop_sequence\nF,31:00:00,A,1\nF,71:59:59,C,2\n",
            ], date: "2024-03-06", window: "06:00-08:00")
        // The trip runs on service day 2024-03-05; 31:00 of that day is 07:00 on the 6th.
        #expect(d.hours("A") == [0, 1])
    }

    @Test("two frequency periods of one trip that overlap")
    func overlappingPeriods() throws {
        let error = try feedError([
            "trips.txt": Self.trips, "stop_times.txt": Self.pattern,
            "frequencies.txt": """
                trip_id,start_time,end_time,headway_secs
                F,07:30:00,09:00:00,900
                F,06:00:00,08:00:00,600

                """,
        ])
        #expect(error?.file?.hasSuffix("/frequencies.txt") == true)
        #expect(error?.record == 1)
        #expect(error?.field == "start_time")
        #expect(
            error?.message
                == "the period 07:30:00–09:00:00 of trip 'F' overlaps the one in record 2 (06:00:00–08:00:00); its runs would be counted twice")
    }

    // Periods that touch (one ends when the next starts) are how feeds split a day.
    @Test("periods that only touch count each run once")
    func touchingPeriods() throws {
        let d = try TinyFeed.departures([
            "trips.txt": Self.trips, "stop_times.txt": Self.pattern,
            "frequencies.txt": """
                trip_id,start_time,end_time,headway_secs
                F,07:00:00,08:00:00,1200
                F,06:00:00,07:00:00,600

                """,
        ])
        #expect(d.hours("A")?.prefix(3) == [6, 3, 0])
    }

    // A one-second headway over a whole day is 86,400 runs of every stop: counted per hour from
    // the arithmetic progression, and exactly what listing the runs one by one gives.
    @Test("frequency runs counted per hour match listing every run")
    func frequencyCountsMatchRunByRun() throws {
        let periods: [(start: Int, end: Int, headway: Int)] = [
            (5 * 3600 + 59 * 60 + 53, 6 * 3600 + 30 * 60 + 1, 7), (6 * 3600 + 30 * 60 + 1, 9 * 3600, 1),
            (10 * 3600, 10 * 3600 + 1, 3600), (19 * 3600 + 59 * 60, 26 * 3600, 61),
        ]
        var frequencies = "trip_id,start_time,end_time,headway_secs\n"
        for p in periods { frequencies += "F,\(GTFSTime.text(p.start)),\(GTFSTime.text(p.end)),\(p.headway)\n" }
        let stopTimes = "trip_id,departure_time,stop_id,stop_sequence\nF,00:00:00,A,1\nF,00:00:17,C,2\nF,00:40:00,D,3\n"
        let d = try TinyFeed.departures(["trips.txt": Self.trips, "stop_times.txt": stopTimes, "frequencies.txt": frequencies])
        for (stop, offset) in [("A", 0), ("C", 17)] {
            var expected = [Int32](repeating: 0, count: 14)
            for p in periods {
                var run = p.start
                while run < p.end {
                    let t = run + offset
                    if t >= 6 * 3600, t < 20 * 3600 { expected[(t - 6 * 3600) / 3600] += 1 }
                    run += p.headway
                }
            }
            #expect(d.hours(stop) == expected, "stop \(stop)")
        }
        #expect(d.hours("A")?[1] == 3600)
    }

    @Test("a row longer than the limit")
    func rowWithoutEnd() throws {
        let name = "stops.txt"
        let scanner = GTFSTableScanner(file: name, maximumRowLength: 1000)
        defer { scanner.release() }
        let error = CorpusFiles.error {
            var text = Array("stop_id,stop_name,stop_lat,stop_lon\nA,a,59,16\n".utf8)
            text += [UInt8](repeating: 0, count: 600)
            // Fed in small pieces: the row is resumed, not rescanned, and fails once it passes 1000 bytes.
            for start in stride(from: 0, to: text.count, by: 64) {
                try text[start..<min(start + 64, text.count)].withUnsafeBytes { try scanner.feed($0) { _ in } }
            }
            let more = [UInt8](repeating: 0, count: 600)
            try more.withUnsafeBytes { try scanner.feed($0) { _ in } }
        }
        #expect(error?.record == 2)
        #expect(error?.message == "a row longer than 1000 bytes starts at line 3: an unclosed quote, or not a text table")
    }

    // 2 MiB of NUL bytes where stops.txt should be: refused after the first mebibyte.
    @Test("a stops.txt of NUL bytes")
    func nulBytes() throws {
        let folder = try TinyFeed.write(["trips.txt": Self.trips, "stop_times.txt": Self.pattern])
        try Data(count: 2 << 20).write(to: URL(fileURLWithPath: folder + "/stops.txt"))
        let error = CorpusFiles.error { _ = try GTFSFeed.read(path: folder) }
        #expect(error?.file == folder + "/stops.txt")
        #expect(error?.message == "a row longer than 1 MiB starts at line 1: an unclosed quote, or not a text table")
    }

    @Test("a quoted field that is never closed")
    func unclosedQuote() throws {
        let error = try feedError([
            "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,\"a,59,16\nC,c,59,16\n",
            "trips.txt": Self.trips, "stop_times.txt": Self.pattern,
        ])
        #expect(error?.file?.hasSuffix("/stops.txt") == true)
        #expect(error?.record == 1)
        #expect(error?.message == "a quoted field is not closed (line 2)")
    }

    // Rows split across pieces at every byte read the same as rows read whole.
    @Test("rows fed a byte at a time")
    func byteByByte() throws {
        let text = Array("a,b\r\n1,\"x\ny\"\r\n\r\n2,\"p\"\"q\"\n3,z".utf8)
        let scanner = GTFSTableScanner(file: "t.txt")
        defer { scanner.release() }
        var rows: [[String]] = []
        var lines: [Int] = []
        func collect(_ row: GTFSRow) { rows.append([row.string(0), row.string(1)]); lines.append(row.line) }
        for byte in text { try [byte].withUnsafeBytes { try scanner.feed($0, collect) } }
        try scanner.finish(collect)
        #expect(rows == [["1", "x\ny"], ["2", "p\"q"], ["3", "z"]])
        #expect(lines == [2, 5, 6])
    }

    @Test("a zip member that claims to expand 1000-fold")
    func zipBomb() throws {
        let folder = try TinyFeed.write(["trips.txt": Self.trips, "stop_times.txt": Self.pattern])
        // 17 MiB of the same row deflates to about 17 KiB.
        let row = "A,a,59,16\n"
        let stops = "stop_id,stop_name,stop_lat,stop_lon\n" + String(repeating: row, count: (17 << 20) / row.utf8.count)
        try stops.write(toFile: folder + "/stops.txt", atomically: true, encoding: .utf8)
        let zip = folder + "/feed.zip"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.arguments = ["-q", "-9", zip, "stops.txt", "routes.txt", "calendar.txt", "trips.txt", "stop_times.txt"]
        try process.run()
        process.waitUntilExit()
        let error = CorpusFiles.error { _ = try GTFSFeed.read(path: zip) }
        #expect(error?.file == zip + "/stops.txt")
        #expect(error?.message.hasSuffix("-fold: not a plausible GTFS table") == true)
    }

    @Test("a FIFO where stops.txt should be")
    func fifoTable() throws {
        let folder = try TinyFeed.write(["trips.txt": Self.trips, "stop_times.txt": Self.pattern])
        try FileManager.default.removeItem(atPath: folder + "/stops.txt")
        #expect(mkfifo(folder + "/stops.txt", 0o644) == 0)
        let error = CorpusFiles.error { _ = try GTFSFeed.read(path: folder) }
        #expect(error?.file == folder + "/stops.txt")
        #expect(error?.message == "is a FIFO (named pipe), not a regular file")
    }

    @Test("a folder where stops.txt should be")
    func folderTable() throws {
        let folder = try TinyFeed.write(["trips.txt": Self.trips, "stop_times.txt": Self.pattern])
        try FileManager.default.removeItem(atPath: folder + "/stops.txt")
        try FileManager.default.createDirectory(atPath: folder + "/stops.txt", withIntermediateDirectories: false)
        let error = CorpusFiles.error { _ = try GTFSFeed.read(path: folder) }
        #expect(error?.message == "is a folder, not a regular file")
    }

    @Test("a feed path that is a device")
    func deviceFeed() throws {
        let link = try TestData.temporaryFolder() + "/feed.zip"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/zero")
        let error = CorpusFiles.error { _ = try GTFSFeed.read(path: link) }
        #expect(error?.file == link)
        #expect(error?.message == "is a device (character special file), not a regular file")
    }

    @Test("--window past 48:00 or with an hour count that overflows")
    func windowBounds() {
        #expect(TimeWindow(argument: "06:00-48:00") != nil)
        #expect(TimeWindow(argument: "06:00-48:01") == nil)
        #expect(TimeWindow(argument: "06:00-99999999999999999:00") == nil)
        #expect(TimeWindow(start: 0, end: Int.max) == nil)
    }
}
