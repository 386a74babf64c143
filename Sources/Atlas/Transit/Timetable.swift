import Foundation

/// One ride of one trip from a stop to the next, with the trip's times there; the unit the
/// profile scan works on (a "connection" in the Connection Scan Algorithm).
public struct TransitConnection: Sendable, Equatable {
    /// Seconds after midnight of the date (past 86 400 for the next day).
    public var departure: Int32
    public var arrival: Int32
    public var from: Int32
    public var to: Int32
    /// The trip instance (a frequency-based trip has one instance per start).
    public var trip: Int32
    /// Bit 0: riders may board at `from`; bit 1: riders may get off at `to`.
    public var flags: UInt8

    public var boards: Bool { flags & 1 != 0 }
    public var alights: Bool { flags & 2 != 0 }
}

/// The trips of one or several GTFS feeds that run on a date, as connections between stops,
/// restricted to the span of time a question needs.
///
/// A trip runs on the date per calendar.txt and calendar_dates.txt, as in `atlas transit`.
/// Trips of the service day before run at their times minus 24 hours (a departure at 25:10
/// leaves at 01:10), those of the day before that minus 48 hours, and, for spans past 24:00,
/// those of the next day plus 24 hours. Stops between timepoints get times by linear
/// interpolation in stop order, rounded down to the second, between the neighbouring timed
/// stops (their departure time, else arrival time), as `atlas transit` counts them; a timed
/// stop keeps its own arrival and departure. Times never run backwards along a trip: an
/// arrival before the previous departure is taken as that departure, and a departure before
/// its arrival as the arrival. `frequencies.txt` trips run at start, start + headway, … before
/// end_time of each period, every stop shifted by its offset from the trip's first time.
/// Boarding is allowed where `pickup_type` ≠ 1 and getting off where `drop_off_type` ≠ 1.
///
/// Only connections that depart at or after `earliest` and arrive by `latest` are kept: a
/// journey that starts in the window and ends within the time limit can use no other.
public struct TransitTimetable: Sendable {
    public struct Stop: Sendable, Hashable {
        /// The stop's id in its feed.
        public var id: String
        /// The index of the feed among those read.
        public var feed: Int
        /// lon/lat: the stop's own position, else its parent station's; nil when neither is given.
        public var coordinate: Coordinate?
    }

    public var stops: [Stop]
    /// Connections in feed and trip order; each trip instance's rides are consecutive.
    public var connections: [TransitConnection]
    public var tripInstances: Int

    public init(stops: [Stop], connections: [TransitConnection], tripInstances: Int) {
        self.stops = stops
        self.connections = connections
        self.tripInstances = tripInstances
    }

    /// Reads the feeds' trips running on `date` with connections inside `earliest...latest`
    /// (seconds after the date's midnight), of the routes of `modes` (nil: every route).
    public static func read(
        feeds: [GTFSFeed], date: ServiceDate, earliest: Int, latest: Int, modes: Set<TransitMode>? = nil
    ) throws -> TransitTimetable {
        var builder = Builder(earliest: Int32(clamping: earliest), latest: Int32(clamping: latest))
        for (index, feed) in feeds.enumerated() {
            try builder.add(feed, index: index, date: date, modes: modes)
        }
        return TransitTimetable(stops: builder.stops, connections: builder.connections, tripInstances: Int(builder.instances))
    }

    private struct Builder {
        let earliest: Int32
        let latest: Int32
        var stops: [Stop] = []
        var connections: [TransitConnection] = []
        var instances: Int32 = 0
        var arrivals: [Int32] = []
        var departures: [Int32] = []

        init(earliest: Int32, latest: Int32) {
            self.earliest = earliest
            self.latest = latest
        }

        mutating func add(_ feed: GTFSFeed, index: Int, date: ServiceDate, modes: Set<TransitMode>?) throws {
            let offset = Int32(stops.count)
            for stop in feed.stops {
                var coordinate = stop.coordinate
                var parent = stop.parent
                var depth = 0
                while coordinate == nil, parent >= 0, depth < 4 {
                    coordinate = feed.stops[Int(parent)].coordinate
                    parent = feed.stops[Int(parent)].parent
                    depth += 1
                }
                stops.append(Stop(id: stop.id, feed: index, coordinate: coordinate))
            }
            let calendar = ServiceCalendar(feed: feed)
            // Day offsets from the date that can reach into [earliest, latest]: trips of day
            // D+k run at their times + k days, and GTFS times stay below 48 hours in practice.
            let firstDay = -2
            let lastDay = max(0, Int(latest) / 86_400)
            let dayMasks = calendar.dayMasks(around: date, offsets: Array(firstDay...lastDay))
            let ridden = feed.routes.map { modes?.contains(TransitMode(routeType: $0.type)) ?? true }
            let tripMask = feed.trips.map { ridden[Int($0.route)] ? dayMasks[Int($0.service)] : 0 }
            var periods: [Int32: [GTFSFrequency]] = [:]
            for f in feed.frequencies { periods[f.trip, default: []].append(f) }

            try feed.forEachTrip(wanted: tripMask.map { $0 != 0 }) { trip, rows in
                guard rows.count >= 2 else { return }
                try times(feed, trip, rows)
                let mask = tripMask[Int(trip)]
                let base = Int(rows[0].departure >= 0 ? rows[0].departure : rows[0].arrival)
                for (bit, day) in (firstDay...lastDay).enumerated() where mask & (1 << UInt8(bit)) != 0 {
                    guard let list = periods[trip] else {
                        try emit(rows, shift: Int32(day * 86_400), stopOffset: offset)
                        continue
                    }
                    // Only the runs that reach into [earliest, latest]: a run starting at r is
                    // shifted by r − base, so r must lie in [lo, hi].
                    let lo = Int(earliest) - Int(arrivals[rows.count - 1]) + base - day * 86_400
                    let hi = Int(latest) - Int(departures[0]) + base - day * 86_400
                    for period in list {
                        let start = Int(period.start), headway = Int(period.headway)
                        let first = max(0, (lo - start + headway - 1) / headway)
                        let last = (min(hi, Int(period.end) - 1) - start) / headway
                        guard first <= last, start + first * headway <= min(hi, Int(period.end) - 1) else { continue }
                        for k in first...last {
                            try emit(rows, shift: Int32(start + k * headway - base + day * 86_400), stopOffset: offset)
                        }
                    }
                }
            }
        }

        /// The trip's arrival and departure at each stop, interpolated and kept in order.
        private mutating func times(_ feed: GTFSFeed, _ trip: Int32, _ rows: [TripRow]) throws {
            var anchor = rows.map { $0.departure >= 0 ? $0.departure : $0.arrival }
            try interpolateMissingTimes(&anchor, feed: feed, trip: trip) { rows[$0].record }
            arrivals.removeAll(keepingCapacity: true)
            departures.removeAll(keepingCapacity: true)
            var last = Int32.min
            for (i, row) in rows.enumerated() {
                let arrival = max(last, row.arrival >= 0 ? row.arrival : anchor[i])
                let departure = max(arrival, row.departure >= 0 ? row.departure : anchor[i])
                arrivals.append(arrival)
                departures.append(departure)
                last = departure
            }
        }

        /// Connections held at most: 24 bytes each, so 2.4 GB.
        static let maximumConnections = 100_000_000

        private mutating func emit(_ rows: [TripRow], shift: Int32, stopOffset: Int32) throws {
            let n = rows.count
            // Outside the span altogether: nothing to keep.
            guard departures[0] + shift <= latest, arrivals[n - 1] + shift >= earliest else { return }
            var kept = false
            for i in 0..<(n - 1) {
                let departure = departures[i] + shift, arrival = arrivals[i + 1] + shift
                guard departure >= earliest, arrival <= latest else { continue }
                var flags: UInt8 = 0
                if rows[i].pickupType != 1 { flags |= 1 }
                if rows[i + 1].dropOffType != 1 { flags |= 2 }
                connections.append(TransitConnection(
                    departure: departure, arrival: arrival, from: stopOffset + rows[i].stop, to: stopOffset + rows[i + 1].stop,
                    trip: instances, flags: flags))
                kept = true
            }
            if kept { instances += 1 }
            guard connections.count <= Self.maximumConnections else {
                throw AtlasError(
                    "the feeds have more than \(Self.maximumConnections / 1_000_000) million connections between the window's start"
                        + " and its end plus the time limit: narrow --departure-window or --max-minutes")
            }
        }
    }
}

/// One stop of a trip as stop_times.txt gives it.
struct TripRow {
    var stop: Int32
    var sequence: Int32
    var arrival: Int32
    var departure: Int32
    var pickupType: UInt8
    var dropOffType: UInt8
    var record: Int
}

/// Found when stop_times is not sorted by trip; ends the first pass.
private struct TripsScattered: Error {}

extension GTFSFeed {
    /// Calls `body` once per wanted trip with its stop_times rows in stop_sequence order (a
    /// repeated stop_sequence is an error). Feeds sorted by trip are read once, keeping one
    /// trip's rows; otherwise the file is read again and the wanted trips' rows gathered.
    func forEachTrip(wanted: [Bool], _ body: (Int32, [TripRow]) throws -> Void) throws {
        func ordered(_ trip: Int32, _ rows: inout [TripRow]) throws {
            var sorted = true
            for i in 1..<max(rows.count, 1) where rows[i].sequence <= rows[i - 1].sequence {
                sorted = false
                break
            }
            if !sorted {
                rows.sort { $0.sequence < $1.sequence }
                for i in 1..<rows.count where rows[i].sequence == rows[i - 1].sequence {
                    throw AtlasError(
                        file: source.displayName("stop_times.txt"), record: rows[i].record, field: "stop_sequence",
                        "stop_sequence \(rows[i].sequence) appears twice in trip '\(tripId(trip))'")
                }
            }
            try body(trip, rows)
        }
        func row(_ st: GTFSStopTime) -> TripRow {
            TripRow(
                stop: st.stop, sequence: st.sequence, arrival: st.arrival, departure: st.departure,
                pickupType: st.pickupType, dropOffType: st.dropOffType, record: st.record)
        }

        var finished = [Bool](repeating: false, count: trips.count)
        var current: Int32 = -1
        var rows: [TripRow] = []
        do {
            try scanStopTimes { st in
                if st.trip != current {
                    if current >= 0 {
                        if !rows.isEmpty { try ordered(current, &rows) }
                        finished[Int(current)] = true
                    }
                    if finished[Int(st.trip)] { throw TripsScattered() }
                    current = st.trip
                    rows.removeAll(keepingCapacity: true)
                }
                if wanted[Int(st.trip)] { rows.append(row(st)) }
            }
            if current >= 0, !rows.isEmpty { try ordered(current, &rows) }
            return
        } catch is TripsScattered {}

        var gathered: [TripRow] = []
        var tripOf: [Int32] = []
        try scanStopTimes { st in
            guard wanted[Int(st.trip)] else { return }
            gathered.append(row(st))
            tripOf.append(st.trip)
        }
        // Counting sort by trip keeps each trip's rows in file order.
        var start = [Int](repeating: 0, count: trips.count + 1)
        for t in tripOf { start[Int(t) + 1] += 1 }
        for i in 0..<trips.count { start[i + 1] += start[i] }
        var next = start
        var order = [Int32](repeating: 0, count: tripOf.count)
        for (i, t) in tripOf.enumerated() {
            order[next[Int(t)]] = Int32(i)
            next[Int(t)] += 1
        }
        tripOf = []
        for t in 0..<trips.count where start[t + 1] > start[t] {
            rows.removeAll(keepingCapacity: true)
            for k in start[t]..<start[t + 1] { rows.append(gathered[Int(order[k])]) }
            try ordered(Int32(t), &rows)
        }
    }
}
