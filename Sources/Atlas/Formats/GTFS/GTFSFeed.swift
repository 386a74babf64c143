import Foundation

public struct GTFSAgency: Sendable, Hashable {
    public var id: String?
    public var name: String
    public var timezone: String?
}

public struct GTFSStop: Sendable, Hashable {
    public var id: String
    public var name: String
    public var latitude: Double?
    public var longitude: Double?
    /// 0 stop or platform, 1 station, 2 entrance, 3 generic node, 4 boarding area.
    public var locationType: Int
    public var parentStation: String?
    /// The index of the parent station in `GTFSFeed.stops`, -1 for none.
    public var parent: Int32

    /// lon/lat, when the feed gives both.
    public var coordinate: Coordinate? {
        guard let latitude, let longitude else { return nil }
        return Coordinate(longitude, latitude)
    }
}

public struct GTFSRoute: Sendable, Hashable {
    public var id: String
    public var agencyId: String?
    public var shortName: String
    public var longName: String
    /// The basic (0–12) or extended (100–1700) GTFS route type.
    public var type: Int
}

public struct GTFSTrip: Sendable, Hashable {
    public var route: Int32
    public var service: Int32
}

public struct GTFSCalendarEntry: Sendable, Hashable {
    public var service: Int32
    /// Bit 0 = Monday … bit 6 = Sunday.
    public var weekdays: UInt8
    public var start: ServiceDate
    public var end: ServiceDate
}

public struct GTFSCalendarDate: Sendable, Hashable {
    public var service: Int32
    public var date: ServiceDate
    /// exception_type 1 adds the date, 2 removes it.
    public var added: Bool
}

public struct GTFSFrequency: Sendable, Hashable {
    public var trip: Int32
    public var start: Int32
    public var end: Int32
    public var headway: Int32
    public var exactTimes: Bool
    /// The row of frequencies.txt, for messages.
    public var record: Int

    /// Headways from one second to a day.
    public static let headwayRange: ClosedRange<Int> = 1...86_400

    /// The number of runs: at start, start + headway, … before end.
    public var runs: Int { Int(end - start + headway - 1) / Int(headway) }
}

/// One row of stop_times.txt with ids resolved to indices; times in seconds of the service
/// day, -1 when the feed leaves them empty (a stop between timepoints).
public struct GTFSStopTime: Sendable {
    public var trip: Int32
    public var stop: Int32
    public var sequence: Int32
    public var arrival: Int32
    public var departure: Int32
    public var pickupType: UInt8
    public var record: Int
    /// 1 where riders may not get off (`drop_off_type`).
    public var dropOffType: UInt8 = 0
}

/// A GTFS feed (zip or folder) with every table but stop_times in memory; stop_times is
/// streamed with `scanStopTimes`, since a national feed holds tens of millions of rows.
public final class GTFSFeed {
    public let source: GTFSSource
    public private(set) var agencies: [GTFSAgency] = []
    public private(set) var stops: [GTFSStop] = []
    public private(set) var stopIds = IdentifierTable()
    public private(set) var routes: [GTFSRoute] = []
    public private(set) var routeIds = IdentifierTable()
    public private(set) var trips: [GTFSTrip] = []
    public private(set) var tripIds = IdentifierTable()
    public private(set) var serviceIds = IdentifierTable()
    public private(set) var calendar: [GTFSCalendarEntry] = []
    public private(set) var calendarDates: [GTFSCalendarDate] = []
    public private(set) var frequencies: [GTFSFrequency] = []

    public var path: String { source.path }

    public static func read(path: String, diagnostics: Diagnostics? = nil) throws -> GTFSFeed {
        let source = try GTFSSource(path: path)
        source.diagnostics = diagnostics
        return try GTFSFeed(source: source)
    }

    init(source: GTFSSource) throws {
        self.source = source
        for file in ["stops.txt", "routes.txt", "trips.txt", "stop_times.txt"] where !source.contains(file) {
            throw AtlasError(file: source.path, "not a GTFS feed: \(file) is missing")
        }
        guard source.contains("calendar.txt") || source.contains("calendar_dates.txt") else {
            throw AtlasError(file: source.path, "not a GTFS feed: neither calendar.txt nor calendar_dates.txt is present")
        }
        if source.contains("agency.txt") { try readAgencies() }
        try readStops()
        try readRoutes()
        if source.contains("calendar.txt") { try readCalendar() }
        if source.contains("calendar_dates.txt") { try readCalendarDates() }
        try readTrips()
        if source.contains("frequencies.txt") { try readFrequencies() }
    }

    private func readAgencies() throws {
        try source.scan("agency.txt", columns: { h in
            (id: h.optional("agency_id"), name: try h.required("agency_name"), timezone: h.optional("agency_timezone"))
        }) { c, row in
            agencies.append(GTFSAgency(id: row.optionalString(c.id), name: row.string(c.name), timezone: row.optionalString(c.timezone)))
        }
    }

    private func readStops() throws {
        var parentRecords: [(stop: Int, record: Int)] = []
        try source.scan("stops.txt", columns: { h in
            (id: try h.required("stop_id"), name: h.optional("stop_name"), lat: try h.required("stop_lat"),
             lon: try h.required("stop_lon"), type: h.optional("location_type"), parent: h.optional("parent_station"))
        }) { c, row in
            guard !row.isEmpty(c.id) else { throw row.error("stop_id", "empty stop id") }
            guard stopIds.insert(row[c.id]).inserted else {
                throw row.error("stop_id", "duplicate stop id '\(row.string(c.id))'")
            }
            let type = try row.int(c.type, "location_type") ?? 0
            guard (0...4).contains(type) else { throw row.error("location_type", "\(type) is not a location type (0–4)") }
            let lat = try row.double(c.lat, "stop_lat")
            let lon = try row.double(c.lon, "stop_lon")
            if type <= 2, lat == nil || lon == nil {
                throw row.error(lat == nil ? "stop_lat" : "stop_lon", "stops, stations and entrances need a position")
            }
            // Nodes and boarding areas may leave their position out, but one they give is checked.
            if let lat, let lon, !(-90...90).contains(lat) || !(-180...180).contains(lon) {
                throw row.error("stop_lat", "position \(lat), \(lon) is not a latitude/longitude")
            }
            let parent = row.optionalString(c.parent)
            if parent != nil { parentRecords.append((stops.count, row.record)) }
            stops.append(GTFSStop(
                id: row.string(c.id), name: row.string(c.name), latitude: lat, longitude: lon,
                locationType: type, parentStation: parent, parent: -1))
        }
        for (stop, record) in parentRecords {
            let parentId = stops[stop].parentStation!
            guard let parent = stopIds.index(of: parentId), Int(parent) != stop else {
                throw AtlasError(
                    file: source.displayName("stops.txt"), record: record, field: "parent_station",
                    "'\(parentId)' is not a stop id of the feed")
            }
            stops[stop].parent = parent
        }
    }

    private func readRoutes() throws {
        try source.scan("routes.txt", columns: { h in
            (id: try h.required("route_id"), agency: h.optional("agency_id"), short: h.optional("route_short_name"),
             long: h.optional("route_long_name"), type: try h.required("route_type"))
        }) { c, row in
            guard routeIds.insert(row[c.id]).inserted else {
                throw row.error("route_id", "duplicate route id '\(row.string(c.id))'")
            }
            guard let type = try row.int(c.type, "route_type"), type >= 0 else {
                throw row.error("route_type", "a route type is required")
            }
            routes.append(GTFSRoute(
                id: row.string(c.id), agencyId: row.optionalString(c.agency), shortName: row.string(c.short),
                longName: row.string(c.long), type: type))
        }
    }

    private func readTrips() throws {
        try source.scan("trips.txt", columns: { h in
            (route: try h.required("route_id"), service: try h.required("service_id"), id: try h.required("trip_id"))
        }) { c, row in
            guard let route = routeIds.index(of: row[c.route]) else {
                throw row.error("route_id", "'\(row.string(c.route))' is not a route id of routes.txt")
            }
            guard tripIds.insert(row[c.id]).inserted else {
                throw row.error("trip_id", "duplicate trip id '\(row.string(c.id))'")
            }
            // A service id that no calendar table mentions never runs; it is not an error.
            let service = serviceIds.insert(row[c.service]).index
            trips.append(GTFSTrip(route: route, service: service))
        }
    }

    private func readCalendar() throws {
        let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        try source.scan("calendar.txt", columns: { h in
            (service: try h.required("service_id"), days: try days.map { try h.required($0) },
             start: try h.required("start_date"), end: try h.required("end_date"))
        }) { c, row in
            var mask: UInt8 = 0
            for (bit, column) in c.days.enumerated() {
                switch try row.int(column, days[bit]) {
                case 1: mask |= 1 << bit
                case 0: break
                default: throw row.error(days[bit], "'\(row.string(column))' should be 0 or 1")
                }
            }
            guard let start = try row.date(c.start, "start_date") else { throw row.error("start_date", "a date is required") }
            guard let end = try row.date(c.end, "end_date") else { throw row.error("end_date", "a date is required") }
            guard start <= end else { throw row.error("end_date", "ends (\(end)) before it starts (\(start))") }
            let (service, inserted) = serviceIds.insert(row[c.service])
            guard inserted || !calendar.contains(where: { $0.service == service }) else {
                throw row.error("service_id", "duplicate service id '\(row.string(c.service))'")
            }
            calendar.append(GTFSCalendarEntry(service: service, weekdays: mask, start: start, end: end))
        }
    }

    private func readCalendarDates() throws {
        try source.scan("calendar_dates.txt", columns: { h in
            (service: try h.required("service_id"), date: try h.required("date"), type: try h.required("exception_type"))
        }) { c, row in
            guard let date = try row.date(c.date, "date") else { throw row.error("date", "a date is required") }
            let type = try row.int(c.type, "exception_type")
            guard type == 1 || type == 2 else {
                throw row.error("exception_type", "'\(row.string(c.type))' should be 1 (added) or 2 (removed)")
            }
            let service = serviceIds.insert(row[c.service]).index
            calendarDates.append(GTFSCalendarDate(service: service, date: date, added: type == 1))
        }
    }

    private func readFrequencies() throws {
        try source.scan("frequencies.txt", columns: { h in
            (trip: try h.required("trip_id"), start: try h.required("start_time"), end: try h.required("end_time"),
             headway: try h.required("headway_secs"), exact: h.optional("exact_times"))
        }) { c, row in
            guard let trip = tripIds.index(of: row[c.trip]) else {
                throw row.error("trip_id", "'\(row.string(c.trip))' is not a trip id of trips.txt")
            }
            guard let start = try row.time(c.start, "start_time") else { throw row.error("start_time", "a time is required") }
            guard let end = try row.time(c.end, "end_time") else { throw row.error("end_time", "a time is required") }
            guard let headway = try row.int(c.headway, "headway_secs"), GTFSFrequency.headwayRange.contains(headway) else {
                throw row.error(
                    "headway_secs", "'\(row.string(c.headway))' is not a headway (whole seconds from 1 to 86400, one day)")
            }
            guard start <= end else { throw row.error("end_time", "ends before it starts") }
            frequencies.append(GTFSFrequency(
                trip: trip, start: start, end: end, headway: Int32(headway),
                exactTimes: try row.int(c.exact, "exact_times") == 1, record: row.record))
        }
        try checkFrequencyOverlaps()
    }

    /// Two periods of one trip that overlap would count the runs of both, which no timetable
    /// means; GTFS forbids it. Periods that only touch (one ends as the next starts) are fine.
    private func checkFrequencyOverlaps() throws {
        let order = frequencies.indices.sorted {
            let a = frequencies[$0], b = frequencies[$1]
            return a.trip != b.trip ? a.trip < b.trip : a.start != b.start ? a.start < b.start : a.record < b.record
        }
        for (previous, next) in zip(order, order.dropFirst()) {
            let a = frequencies[previous], b = frequencies[next]
            guard a.trip == b.trip, b.start < a.end else { continue }
            throw AtlasError(
                file: source.displayName("frequencies.txt"), record: b.record, field: "start_time",
                "the period \(GTFSTime.text(Int(b.start)))–\(GTFSTime.text(Int(b.end))) of trip '\(tripId(a.trip))'"
                    + " overlaps the one in record \(a.record) (\(GTFSTime.text(Int(a.start)))–\(GTFSTime.text(Int(a.end))));"
                    + " its runs would be counted twice")
        }
    }

    /// Streams stop_times.txt with trip and stop ids resolved; an unknown id, a bad time or a
    /// bad sequence is an error naming the line.
    public func scanStopTimes(_ body: (GTFSStopTime) throws -> Void) throws {
        var previousTrip: [UInt8] = []
        var previousIndex: Int32 = -1
        // Copies of the tables, looked up without the checks that access to the feed's own
        // properties makes for each of the rows.
        let tripIds = self.tripIds, stopIds = self.stopIds
        try source.scan("stop_times.txt", columns: { h in
            let arrival = h.optional("arrival_time"), departure = h.optional("departure_time")
            if arrival < 0 && departure < 0 { _ = try h.required("departure_time") }
            return (trip: try h.required("trip_id"), stop: try h.required("stop_id"),
                    sequence: try h.required("stop_sequence"), arrival: arrival, departure: departure,
                    pickup: h.optional("pickup_type"), dropOff: h.optional("drop_off_type"))
        }) { c, row in
            let tripBytes = row[c.trip]
            let trip: Int32
            if previousIndex >= 0, IdentifierTable.same(tripBytes, previousTrip) {
                trip = previousIndex
            } else {
                guard let found = tripIds.index(of: tripBytes) else {
                    throw row.error("trip_id", "'\(row.string(c.trip))' is not a trip id of trips.txt")
                }
                trip = found
                previousTrip = Array(tripBytes)
                previousIndex = found
            }
            guard let stop = stopIds.index(of: row[c.stop]) else {
                throw row.error("stop_id", "'\(row.string(c.stop))' is not a stop id of stops.txt")
            }
            guard let sequence = try row.int(c.sequence, "stop_sequence"), sequence >= 0, sequence <= Int(Int32.max) else {
                throw row.error("stop_sequence", "a non-negative whole number is required")
            }
            let pickup = try row.int(c.pickup, "pickup_type") ?? 0
            guard (0...3).contains(pickup) else { throw row.error("pickup_type", "\(pickup) is not a pickup type (0–3)") }
            let dropOff = try row.int(c.dropOff, "drop_off_type") ?? 0
            guard (0...3).contains(dropOff) else { throw row.error("drop_off_type", "\(dropOff) is not a drop-off type (0–3)") }
            try body(GTFSStopTime(
                trip: trip, stop: stop, sequence: Int32(sequence),
                arrival: try row.time(c.arrival, "arrival_time") ?? -1,
                departure: try row.time(c.departure, "departure_time") ?? -1,
                pickupType: UInt8(pickup), record: row.record, dropOffType: UInt8(dropOff)))
        }
    }

    /// The id of a stop, route, trip or service index, as the feed spells it.
    public func stopId(_ index: Int32) -> String { stops[Int(index)].id }
    public func tripId(_ index: Int32) -> String { tripIds.id(index) }
    public func serviceId(_ index: Int32) -> String { serviceIds.id(index) }
}
