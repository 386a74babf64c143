import Foundation
import Testing
@testable import Atlas

@Suite struct GTFSReaderTests {
    // The Kalmar feed (Samtrafiken) has 9,375 stops (stops.txt has 9,376 lines with the header)
    // and 16- and 17-digit ids above 2^53, which a Double would round.
    @Test func kalmarFeedKeepsItsLongIds() throws {
        let feed = try GTFSFeed.read(path: TestData.shared("sweden/gtfs_klt_kalmar_minified.zip"))
        #expect(feed.stops.count == 9375)
        #expect(feed.stops[0].id == "9021008001009000")
        #expect(feed.stops[0].name == "Tallåsen")
        #expect(feed.stops[0].locationType == 1)
        #expect(feed.stopIds.index(of: "9021008001009000") == 0)
        #expect(feed.tripIds.ids == ["88100000084251292", "88100000084251548"])
        #expect(feed.routes.map(\.id) == ["9011008834400000", "9011008842200000"])
        #expect(feed.agencies.first?.id == "88100000000001375")
        #expect(feed.agencies.first?.name == "Kalmar Länstrafik")
        // stop_times.txt has 92 rows (the last without a line end); every stop id resolves.
        var rows = 0
        var firstStop = ""
        try feed.scanStopTimes { st in
            if rows == 0 { firstStop = feed.stopId(st.stop) }
            rows += 1
        }
        #expect(rows == 92)
        #expect(firstStop == "9022008950194001")
        // Calendar rows have no weekday, the dates come from calendar_dates (24 rows).
        #expect(feed.calendarDates.count == 24)
        #expect(ServiceCalendar(feed: feed).dateRange?.lowerBound == ServiceDate(gtfs: "20190517"))
    }

    // Porto Alegre EPTC: stops.txt 3,987 lines, trips.txt 2,375, stop_times.txt 130,020
    // (each with a header line; counted with wc -l on the unzipped files).
    @Test func portoAlegreFeedReads() throws {
        let feed = try GTFSFeed.read(path: TestData.shared("porto-alegre/poa_eptc.zip"))
        #expect(feed.stops.count == 3986)
        #expect(feed.trips.count == 2374)
        #expect(feed.calendar.count == 115)
        #expect(feed.calendarDates.count == 324)
        var rows = 0
        var untimed = 0
        try feed.scanStopTimes { st in
            rows += 1
            if st.departure < 0 { untimed += 1 }
        }
        #expect(rows == 130_019)
        // grep -c '"",""' stop_times.txt: stops between timepoints carry no time.
        #expect(untimed == 125_271)
    }

    // BOM, CRLF, quoted commas, doubled quotes, a quoted line break, a blank line, columns in
    // an unusual order and header names padded with spaces all read as a GTFS producer meant.
    @Test func csvDetailsAreHandled() throws {
        let folder = try TestData.temporaryFolder()
        let stops = "\u{FEFF}stop_lon, stop_lat ,stop_name,stop_id\r\n"
            + "16.5,59.5,\"Torget, norra\",S1\r\n"
            + "\r\n"
            + "16.6,59.6,\"Stor\"\"torget\",S2\r\n"
            + "16.7,59.7,\"Två\nrader\",S3"
        try stops.write(toFile: folder + "/stops.txt", atomically: true, encoding: .utf8)
        let source = try GTFSSource(path: folder)
        var seen: [(String, String, Double, Int, Int)] = []
        try source.scan("stops.txt", columns: { h in
            (id: try h.required("stop_id"), name: try h.required("stop_name"), lat: try h.required("stop_lat"),
             code: h.optional("stop_code"))
        }) { c, row in
            #expect(row.isEmpty(c.code))
            seen.append((row.string(c.id), row.string(c.name), try row.double(c.lat, "stop_lat")!, row.record, row.line))
        }
        #expect(seen.map(\.0) == ["S1", "S2", "S3"])
        #expect(seen.map(\.1) == ["Torget, norra", "Stor\"torget", "Två\nrader"])
        #expect(seen.map(\.2) == [59.5, 59.6, 59.7])
        #expect(seen.map(\.3) == [1, 2, 3])
        #expect(seen.map(\.4) == [2, 4, 5])
    }

    @Test func timesPastMidnightParse() {
        func seconds(_ text: String) -> Int32? {
            var t = text
            return t.withUTF8 { GTFSTime.seconds(UnsafeRawBufferPointer($0)) }
        }
        #expect(seconds("25:10:00") == Int32(25 * 3600 + 600))
        #expect(seconds("6:05:09") == Int32(6 * 3600 + 5 * 60 + 9))
        #expect(seconds("25:61:00") == nil)
        #expect(seconds("12:00:60") == nil)
        #expect(seconds("12:00") == nil)
        #expect(GTFSTime.text(25 * 3600 + 600) == "25:10:00")
        #expect(ServiceDate(iso: "2024-03-05")?.weekday == 1)
        #expect(ServiceDate(iso: "2024-02-30") == nil)
        #expect(ServiceDate(iso: "2019-04-17")?.description == "2019-04-17")
    }

    private func feedError(_ files: [String: String]) throws -> AtlasError? {
        let folder = try TinyFeed.write(files)
        return #expect(throws: AtlasError.self) {
            let feed = try GTFSFeed.read(path: folder)
            try feed.scanStopTimes { _ in }
        }
    }

    static let trips = "route_id,service_id,trip_id\nbus,WK,T1\n"

    @Test func badTimeNamesFileLineAndField() throws {
        let error = try feedError([
            "trips.txt": Self.trips,
            "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,07:00:00,07:00:00,A,1\nT1,25:61:00,25:61:00,C,2\n",
        ])
        #expect(error?.file?.hasSuffix("/stop_times.txt") == true)
        #expect(error?.record == 2)
        #expect(error?.field == "arrival_time")
        #expect(error?.message.contains("'25:61:00' is not a time") == true)
        #expect(error?.message.contains("line 3") == true)
    }

    @Test func unknownTripInStopTimesIsAnError() throws {
        let error = try feedError([
            "trips.txt": Self.trips,
            "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT9,07:00:00,07:00:00,A,1\n",
        ])
        #expect(error?.field == "trip_id")
        #expect(error?.record == 1)
        #expect(error?.message.contains("'T9' is not a trip id") == true)
    }

    @Test func duplicateStopIdIsAnError() throws {
        let error = try feedError([
            "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,a,59,16\nB,b,59,16\nA,c,59,16\n",
            "trips.txt": Self.trips,
            "stop_times.txt": "trip_id,departure_time,stop_id,stop_sequence\n",
        ])
        #expect(error?.file?.hasSuffix("/stops.txt") == true)
        #expect(error?.field == "stop_id")
        #expect(error?.record == 3)
        #expect(error?.message.contains("duplicate stop id 'A'") == true)
    }

    @Test func missingRequiredColumnIsNamed() throws {
        let error = try feedError([
            "stops.txt": "stop_id,stop_name,stop_lon\nA,a,16\n",
            "trips.txt": Self.trips,
            "stop_times.txt": "trip_id,departure_time,stop_id,stop_sequence\n",
        ])
        #expect(error?.file?.hasSuffix("/stops.txt") == true)
        #expect(error?.field == "stop_lat")
        #expect(error?.message.contains("required column is missing") == true)
    }

    @Test func missingRequiredFileIsNamed() throws {
        let folder = try TinyFeed.write(["stop_times.txt": "trip_id,departure_time,stop_id,stop_sequence\n"])
        let error = #expect(throws: AtlasError.self) { try GTFSFeed.read(path: folder) }
        #expect(error?.message.contains("trips.txt is missing") == true)
    }

    // A stored (uncompressed) member reads through the same path as a deflated one.
    @Test func storedZipMemberReads() throws {
        let folder = try TinyFeed.write([
            "trips.txt": Self.trips,
            "stop_times.txt": "trip_id,departure_time,stop_id,stop_sequence\nT1,07:00:00,A,1\nT1,07:05:00,C,2\n",
        ])
        let zip = folder + "/feed.zip"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.arguments = ["-q", "-0", zip, "agency.txt", "stops.txt", "routes.txt", "calendar.txt", "trips.txt", "stop_times.txt"]
        try process.run()
        process.waitUntilExit()
        let archive = try ZipArchive(path: zip)
        #expect(archive.entries.allSatisfy { $0.method == 0 })
        let feed = try GTFSFeed.read(path: zip)
        var stops: [String] = []
        try feed.scanStopTimes { stops.append(feed.stopId($0.stop)) }
        #expect(stops == ["A", "C"])
    }
}
