import Foundation
import Testing
@testable import Atlas

@Suite struct DepartureTests {
    static let trips = "route_id,service_id,trip_id\nbus,WK,T1\nbus,WK,T2\n"

    // T1 boards at A 07:00, sets down only at C 07:10 (pickup_type 1) and ends at D.
    @Test func lastStopAndNoPickupAreNotDepartures() throws {
        let d = try TinyFeed.departures([
            "trips.txt": Self.trips,
            "stop_times.txt": """
                trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type
                T1,07:00:00,07:00:00,A,1,0
                T1,07:10:00,07:10:00,C,2,1
                T1,07:20:00,07:20:00,D,3,0

                """,
        ])
        #expect(d.window.hours == 14)
        #expect(d.hours("A") == [0, 1] + Array(repeating: 0, count: 12))
        #expect(d.total("C") == 0)
        #expect(d.total("D") == 0)
        // Stations are not stops of their own when counted ungrouped.
        #expect(d.total("P") == nil)
    }

    // A and B are both platforms of P: grouped, P has both departures; ungrouped, one each.
    @Test func platformsCountUnderTheirParentStation() throws {
        let files = [
            "trips.txt": Self.trips,
            "stop_times.txt": """
                trip_id,arrival_time,departure_time,stop_id,stop_sequence
                T1,07:00:00,07:00:00,A,1
                T1,07:10:00,07:10:00,C,2
                T2,08:00:00,08:00:00,B,1
                T2,08:10:00,08:10:00,C,2

                """,
        ]
        let grouped = try TinyFeed.departures(files, grouping: .parent)
        #expect(grouped.total("P") == 2)
        #expect(grouped.total("A") == nil)
        #expect(grouped.stops.map(\.id).sorted() == ["C", "D", "P"])
        // The group sits at the parent's position.
        #expect(grouped.stops[grouped.index(ofStop: "P")!].coordinate == Coordinate(16.0, 59.0))
        let single = try TinyFeed.departures(files, grouping: .none)
        #expect(single.total("A") == 1)
        #expect(single.total("B") == 1)
        #expect(single.total("P") == nil)
    }

    // Trip T1 of Monday 2024-03-04 leaves A at 30:30:00, i.e. 06:30 on Tuesday 2024-03-05.
    @Test func timesPastMidnightCountOnTheNextDay() throws {
        let files = [
            "trips.txt": Self.trips,
            "stop_times.txt": """
                trip_id,arrival_time,departure_time,stop_id,stop_sequence
                T1,30:30:00,30:30:00,A,1
                T1,31:00:00,31:00:00,C,2

                """,
        ]
        let tuesday = try TinyFeed.departures(files, date: "2024-03-05")
        #expect(tuesday.hours("A")?.first == 1)
        #expect(tuesday.total("A") == 1)
        // On Monday the trip of Sunday would be needed, and WK does not run on Sundays.
        let monday = try TinyFeed.departures(files, date: "2024-03-04")
        #expect(monday.total("A") == 0)
        // In a window 00:00–08:00 on Tuesday the same trip is seen at 06:30, hour 6.
        let night = try TinyFeed.departures(files, date: "2024-03-05", window: "00:00-08:00")
        #expect(night.hours("A") == [0, 0, 0, 0, 0, 0, 1, 0])
    }

    // Only calendar_dates.txt: S runs on 5 and 10 March 2024.
    @Test func calendarDatesOnlyFeed() throws {
        let files = [
            "calendar.txt": "",
            "calendar_dates.txt": "service_id,date,exception_type\nS,20240305,1\nS,20240310,1\n",
            "trips.txt": "route_id,service_id,trip_id\nbus,S,T1\n",
            "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,09:00:00,09:00:00,C,1\nT1,09:05:00,09:05:00,D,2\n",
        ]
        #expect(try TinyFeed.departures(files, date: "2024-03-05").total("C") == 1)
        #expect(try TinyFeed.departures(files, date: "2024-03-10").total("C") == 1)
        let noTrips = #expect(throws: AtlasError.self) { try TinyFeed.departures(files, date: "2024-03-07") }
        #expect(noTrips?.message.contains("no trips run on 2024-03-07") == true)
        #expect(noTrips?.message.contains("2024-03-05 to 2024-03-10") == true)
        let outside = #expect(throws: AtlasError.self) { try TinyFeed.departures(files, date: "2024-04-01") }
        #expect(outside?.message.contains("outside the feed's service dates (2024-03-05 to 2024-03-10)") == true)
    }

    // A calendar_dates removal takes WK off Tuesday 5 March; an added service X runs instead.
    @Test func calendarExceptionsRemoveAndAdd() throws {
        let files = [
            "calendar_dates.txt": "service_id,date,exception_type\nWK,20240305,2\nX,20240305,1\n",
            "trips.txt": "route_id,service_id,trip_id\nbus,WK,T1\nbus,X,T2\n",
            "stop_times.txt": """
                trip_id,arrival_time,departure_time,stop_id,stop_sequence
                T1,07:00:00,07:00:00,C,1
                T1,07:10:00,07:10:00,D,2
                T2,12:00:00,12:00:00,C,1
                T2,12:10:00,12:10:00,D,2

                """,
        ]
        #expect(try TinyFeed.departures(files, date: "2024-03-05").hours("C")?[6] == 1)
        #expect(try TinyFeed.departures(files, date: "2024-03-05").total("C") == 1)
        #expect(try TinyFeed.departures(files, date: "2024-03-06").hours("C")?[1] == 1)
        #expect(try TinyFeed.departures(files, date: "2024-03-06").total("C") == 1)
    }

    // F's stop_times give the pattern (C 5 min and D 12 min after A). Period 1: 06:00–07:00
    // every 10 min = 6 runs; period 2 (exact_times=1): 07:30–08:00 every 15 min = 2 runs.
    @Test func frequencyTripsAreExpanded() throws {
        let d = try TinyFeed.departures([
            "trips.txt": "route_id,service_id,trip_id\nbus,WK,F\n",
            "stop_times.txt": """
                trip_id,arrival_time,departure_time,stop_id,stop_sequence
                F,00:00:00,00:00:00,A,1
                F,00:05:00,00:05:00,C,2
                F,00:12:00,00:12:00,D,3

                """,
            "frequencies.txt": """
                trip_id,start_time,end_time,headway_secs,exact_times
                F,06:00:00,07:00:00,600,0
                F,07:30:00,08:00:00,900,1

                """,
        ])
        #expect(d.hours("A")?.prefix(3) == [6, 2, 0])
        #expect(d.hours("C")?.prefix(3) == [6, 2, 0])
        #expect(d.total("D") == 0)
        let a = d.index(ofStop: "A")!
        #expect(d.minimumPerHour(a) == 0)
        #expect(!d.qualifies(a, rule: .everyHour, minPerHour: 1))
        // 8 departures over 14 hours is below one per hour on average too.
        #expect(!d.qualifies(a, rule: .average, minPerHour: 1))
        #expect(d.qualifies(a, rule: .average, minPerHour: 0.5))
    }

    // A at 10:00 and D at 10:30, B and C without times: 10:10 and 10:20 by stop order.
    @Test func untimedStopsAreInterpolated() throws {
        let d = try TinyFeed.departures(
            [
                "trips.txt": Self.trips,
                "stop_times.txt": """
                    trip_id,arrival_time,departure_time,stop_id,stop_sequence
                    T1,10:00:00,10:00:00,A,1
                    T1,,,B,2
                    T1,"","",C,3
                    T1,10:30:00,10:30:00,D,4

                    """,
            ], window: "10:00-10:15")
        #expect(d.window.hours == 1)
        #expect(d.total("A") == 1)
        #expect(d.total("B") == 1)
        #expect(d.total("C") == 0)
    }

    // Two departures in each of the hours 06 and 07 at C; none at A after 06.
    @Test func everyHourAndAverageRules() throws {
        let d = try TinyFeed.departures(
            [
                "trips.txt": "route_id,service_id,trip_id\nbus,WK,T1\nbus,WK,T2\nbus,WK,T3\nbus,WK,T4\n",
                "stop_times.txt": """
                    trip_id,arrival_time,departure_time,stop_id,stop_sequence
                    T1,06:10:00,06:10:00,C,1
                    T1,06:20:00,06:20:00,D,2
                    T2,06:40:00,06:40:00,C,1
                    T2,06:50:00,06:50:00,A,2
                    T2,06:55:00,06:55:00,D,3
                    T3,07:10:00,07:10:00,C,1
                    T3,07:20:00,07:20:00,D,2
                    T4,07:40:00,07:40:00,C,1
                    T4,07:50:00,07:50:00,D,2

                    """,
            ], window: "06:00-08:00")
        let c = d.index(ofStop: "C")!, a = d.index(ofStop: "A")!
        #expect(d.qualifies(c, rule: .everyHour, minPerHour: 2))
        #expect(!d.qualifies(c, rule: .everyHour, minPerHour: 3))
        #expect(!d.qualifies(a, rule: .everyHour, minPerHour: 1))
        // A has 1 departure in 2 hours: 0.5 per hour on average.
        #expect(d.qualifies(a, rule: .average, minPerHour: 0.5))
        #expect(!d.qualifies(a, rule: .average, minPerHour: 1))
    }

    // The same timetable with rows of two trips interleaved gives the same counts.
    @Test func stopTimesNotSortedByTripGiveTheSameCounts() throws {
        let sorted = """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,07:00:00,07:00:00,A,1
            T1,,,C,2
            T1,07:20:00,07:20:00,D,3
            T2,08:00:00,08:00:00,B,1
            T2,08:10:00,08:10:00,C,2
            T2,08:20:00,08:20:00,D,3

            """
        let scattered = """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,07:20:00,07:20:00,D,3
            T2,08:00:00,08:00:00,B,1
            T1,07:00:00,07:00:00,A,1
            T2,08:20:00,08:20:00,D,3
            T1,,,C,2
            T2,08:10:00,08:10:00,C,2

            """
        let a = try TinyFeed.departures(["trips.txt": Self.trips, "stop_times.txt": sorted])
        let b = try TinyFeed.departures(["trips.txt": Self.trips, "stop_times.txt": scattered])
        #expect(a.counts == b.counts)
        #expect(b.hours("C")?.prefix(3) == [0, 1, 1])
        #expect(b.total("D") == 0)
    }

    // The tram route has extended type 900; only its trip counts with --modes tram.
    @Test func modesFilterByRouteType() throws {
        let files = [
            "trips.txt": "route_id,service_id,trip_id\nbus,WK,T1\ntram,WK,T2\n",
            "stop_times.txt": """
                trip_id,arrival_time,departure_time,stop_id,stop_sequence
                T1,07:00:00,07:00:00,C,1
                T1,07:10:00,07:10:00,D,2
                T2,08:00:00,08:00:00,C,1
                T2,08:10:00,08:10:00,D,2

                """,
        ]
        #expect(try TinyFeed.departures(files).total("C") == 2)
        #expect(try TinyFeed.departures(files, modes: [.tram]).hours("C")?.prefix(3) == [0, 0, 1])
        #expect(try TinyFeed.departures(files, modes: [.bus]).hours("C")?.prefix(3) == [0, 1, 0])
        #expect(TransitMode(argument: "900") == .tram)
        #expect(TransitMode(argument: "coach") == .bus)
        #expect(TransitMode(routeType: 200) == .bus)
        #expect(TransitMode(routeType: 109) == .rail)
        #expect(TransitMode(routeType: 401) == .metro)
        #expect(TransitMode(routeType: 1000) == .ferry)
        #expect(TransitMode(argument: "hovercraft") == nil)
    }

    @Test func dateOutsideTheCalendarNamesTheRange() throws {
        let files = [
            "trips.txt": Self.trips,
            "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,07:00:00,07:00:00,C,1\nT1,07:10:00,07:10:00,D,2\n",
        ]
        let error = #expect(throws: AtlasError.self) { try TinyFeed.departures(files, date: "2025-01-07") }
        #expect(error?.message.contains("2025-01-07 is outside the feed's service dates (2024-01-01 to 2024-12-31)") == true)
    }

    @Test func windowsParse() {
        #expect(TimeWindow(argument: "06:00-20:00")?.hours == 14)
        #expect(TimeWindow(argument: "06:30-20:00")?.hours == 14)
        #expect(TimeWindow(argument: "06:30-20:00")?.lengthInHours == 13.5)
        #expect(TimeWindow(argument: "20:00-06:00") == nil)
        #expect(TimeWindow(argument: "6-20") == nil)
    }
}

@Suite struct PortoAlegreDepartureTests {
    // Hourly departures 06–20 on Wednesday 2019-05-15 from an independent pandas count
    // (Scripts/gtfs_departures_check.py, function `departures`, grouping none); the trimmed
    // EPTC feed only runs between about 11:30 and 17:30. 3848 is the busiest stop.
    @Test func departuresMatchTheIndependentCount() throws {
        let feed = try GTFSFeed.read(path: TestData.shared("porto-alegre/poa_eptc.zip"))
        let d = try DepartureCounter.count(
            feed: feed, options: DepartureOptions(date: ServiceDate(iso: "2019-05-15")!, grouping: .none))
        let zeros6: [Int32] = [0, 0, 0, 0, 0, 0]
        let zeros3: [Int32] = [0, 0, 0]
        #expect(d.hours("4220") == zeros6 + [4, 9, 8, 9, 2] + zeros3)
        #expect(d.hours("1028") == zeros6 + [4, 7, 6, 6, 0] + zeros3)
        #expect(d.hours("3848") == zeros6 + [42, 89, 81, 84, 41] + zeros3)
        #expect(d.hours("2666") == zeros6 + [2, 5, 5, 5, 0] + zeros3)
        #expect(d.total("3848") == 337)
        #expect(d.stops.count == 3986)
        // Every stop_time but the 2,374 trips' last stops: 130,019 − 2,374.
        #expect(d.counts.reduce(0) { $0 + Int($1) } == 127_645)
    }
}
