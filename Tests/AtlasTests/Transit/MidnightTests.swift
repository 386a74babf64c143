import Foundation
import Testing
@testable import Atlas

/// One reading of the clock across midnight: the window is clock time from the date's midnight,
/// and a departure at t of service day D+k leaves at t + k·24 h.
@Suite struct MidnightTests {
    // Service WK runs Monday–Friday. On Tuesday 2024-03-05 (D):
    //   T1 (D)   leaves A at 23:30          → 23:30 on D's clock
    //   T2 (D)   leaves A at 24:40 (25:xx)  → 24:40
    //   T3 (D+1, Wednesday) leaves A at 00:20 → 24:20 on D's clock
    //   T1 of Monday (D−1) at 23:30 → −00:30, before the window.
    // Window 23:00–25:00: clock reading counts T1 (hour 23) and T2, T3 (hour 24): [1, 2].
    // The GTFS reference reading counts only D's own trips at their times: T1 and T2: [1, 1].
    static let files = [
        "trips.txt": "route_id,service_id,trip_id\nbus,WK,T1\nbus,WK,T2\nbus,WK,T3\n",
        "stop_times.txt": """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,23:30:00,23:30:00,A,1
            T1,23:40:00,23:40:00,C,2
            T2,24:40:00,24:40:00,A,1
            T2,24:50:00,24:50:00,C,2
            T3,00:20:00,00:20:00,A,1
            T3,00:30:00,00:30:00,C,2

            """,
    ]

    @Test func aWindowPastMidnightCountsTheNextServiceDaysEarlyTrips() throws {
        let clock = try TinyFeed.departures(Self.files, date: "2024-03-05", window: "23:00-25:00")
        #expect(Array(clock.hourly(clock.index(ofStop: "A")!)) == [1, 2])
        let serviceDay = try TinyFeed.departures(Self.files, date: "2024-03-05", window: "23:00-25:00", timeBasis: .serviceDay)
        #expect(Array(serviceDay.hourly(serviceDay.index(ofStop: "A")!)) == [1, 1])
    }

    @Test func theEarlyHoursCountTheDayBeforesLateTrips() throws {
        // Window 00:00–01:00 on Tuesday: Monday's T2 at 24:40 leaves at 00:40 Tuesday, and
        // Tuesday's own T3 at 00:20: 2 on the clock; the reference reading has only T3.
        let clock = try TinyFeed.departures(Self.files, date: "2024-03-05", window: "00:00-01:00")
        #expect(clock.total("A") == 2)
        let serviceDay = try TinyFeed.departures(Self.files, date: "2024-03-05", window: "00:00-01:00", timeBasis: .serviceDay)
        #expect(serviceDay.total("A") == 1)
    }

    @Test func weekendsAndHolidaysAreWarnedAbout() throws {
        let base = Self.files.merging([
            // A holiday on Tuesday 2024-03-12: every trip removed.
            "calendar_dates.txt": "service_id,date,exception_type\nWK,20240312,2\n",
            "calendar.txt": """
                service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date
                WK,1,1,1,1,1,0,0,20240101,20241231
                SAT,0,0,0,0,0,1,0,20240101,20241231

                """,
            "trips.txt": "route_id,service_id,trip_id\nbus,WK,T1\nbus,WK,T2\nbus,WK,T3\nbus,SAT,T4\n",
        ]) { $1 }
        let feed = try GTFSFeed.read(path: TinyFeed.write(base))
        #expect(TransitRequest.dateWarnings(feed, ServiceDate(iso: "2024-03-09")!) == [
            "2024-03-09 is a Saturday; kollektivtrafiknära läge is defined for weekdays",
        ])
        // 0 trips against 3 on Tuesday 2024-03-05.
        #expect(TransitRequest.dateWarnings(feed, ServiceDate(iso: "2024-03-12")!).first?.hasPrefix(
            "2024-03-12 has 0 trips against 3 on 2024-03-05, the same weekday a week before") == true)
        #expect(TransitRequest.dateWarnings(feed, ServiceDate(iso: "2024-03-19")!).isEmpty)
    }
}
