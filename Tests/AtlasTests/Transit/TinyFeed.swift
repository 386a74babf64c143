import Foundation
@testable import Atlas

/// Small hand-made GTFS feeds written to a temporary folder, so each test states its timetable.
enum TinyFeed {
    /// Stations P (with platforms A and B) and the stops C and D, one bus route and one tram
    /// route, a weekday service for 2024; the tables in `files` replace or add to these.
    static let base: [String: String] = [
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nX,Test,http://x,Europe/Stockholm\n",
        "stops.txt": """
            stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station
            P,Centrum,59.0,16.0,1,
            A,Centrum A,59.0001,16.0001,0,P
            B,Centrum B,59.0002,16.0002,0,P
            C,Torget,59.01,16.01,0,
            D,Ändhållplats,59.02,16.02,,

            """,
        "routes.txt": "route_id,route_type\nbus,3\ntram,900\n",
        "calendar.txt": """
            service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date
            WK,1,1,1,1,1,0,0,20240101,20241231

            """,
    ]

    static func write(_ files: [String: String]) throws -> String {
        let folder = try TestData.temporaryFolder()
        var all = base
        for (name, text) in files { all[name] = text }
        for (name, text) in all where !text.isEmpty {
            try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        return folder
    }

    static func departures(
        _ files: [String: String], date: String = "2024-03-05", window: String = "06:00-20:00",
        grouping: StopGrouping = .none, modes: Set<TransitMode>? = nil, timeBasis: TimeBasis = .clock
    ) throws -> StopDepartures {
        let feed = try GTFSFeed.read(path: write(files))
        var options = DepartureOptions(
            date: ServiceDate(iso: date)!, window: TimeWindow(argument: window)!, grouping: grouping, modes: modes)
        options.timeBasis = timeBasis
        return try DepartureCounter.count(feed: feed, options: options)
    }
}

extension StopDepartures {
    /// Departures in the window at the stop with this id, nil when the stop is not listed.
    func total(_ id: String) -> Int? {
        index(ofStop: id).map { departures($0) }
    }

    func hours(_ id: String) -> [Int32]? {
        index(ofStop: id).map { Array(hourly($0)) }
    }
}
