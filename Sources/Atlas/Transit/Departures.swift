import Foundation

/// A span of the day, such as 06:00–20:00: the start included, the end excluded.
public struct TimeWindow: Sendable, Hashable, CustomStringConvertible {
    public let start: Int
    public let end: Int

    /// Windows end by 48:00, the end of the service day after (times past 24:00 are the
    /// night after the date).
    public static let latestEnd = 48 * 3600

    public init?(start: Int, end: Int) {
        guard start >= 0, end > start, end <= TimeWindow.latestEnd else { return nil }
        self.start = start
        self.end = end
    }

    /// "06:00-20:00" or "6:00:00-20:00:00".
    public init?(argument: String) {
        let parts = argument.split(separator: "-")
        guard parts.count == 2, let a = TimeWindow.seconds(parts[0]), let b = TimeWindow.seconds(parts[1]) else { return nil }
        self.init(start: a, end: b)
    }

    /// The number of hourly bins; a last partial hour is a bin of its own.
    public var hours: Int { (end - start + 3599) / 3600 }
    public var lengthInHours: Double { Double(end - start) / 3600 }

    public var description: String {
        func hm(_ s: Int) -> String {
            let h = s / 3600, m = s / 60 % 60
            return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
        }
        return hm(start) + "-" + hm(end)
    }

    private static func seconds(_ text: Substring) -> Int? {
        let fields = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 2 || fields.count == 3, let h = Int(fields[0]), let m = Int(fields[1]),
            (0...48).contains(h), (0..<60).contains(m)
        else { return nil }
        let s = fields.count == 3 ? Int(fields[2]) : 0
        guard let s, (0..<60).contains(s) else { return nil }
        return h * 3600 + m * 60 + s
    }
}

/// How stops are counted: each platform by itself, or together under their parent station
/// (so the stops on either side of a street are one stop).
public enum StopGrouping: String, Sendable, CaseIterable {
    case parent, none
}

/// When a stop is *trafikerad*: every hour of the window has at least the minimum number of
/// departures, or the window's total reaches the minimum times its length in hours.
public enum DepartureRule: String, Sendable, CaseIterable {
    case everyHour = "every-hour"
    case average
}

/// How a window's clock reads a feed's times.
public enum TimeBasis: String, Sendable, CaseIterable {
    /// Clock time from the date's midnight: a departure at t seconds of service day D+k leaves
    /// at t + k·24 h, so trips of D−2 … D+1 count where that instant falls in the window.
    case clock
    /// The GTFS reference reading: only the date's own services, times as written (as gtfs-kit counts).
    case serviceDay = "service-day"

    /// The service days (relative to the date) whose trips can leave in a window of up to 48 h.
    var dayOffsets: [Int] { self == .clock ? [0, -1, -2, 1] : [0] }
}

public struct DepartureOptions: Sendable {
    public var date: ServiceDate
    public var window: TimeWindow
    public var grouping: StopGrouping
    public var timeBasis: TimeBasis = .clock
    /// Nil for every mode.
    public var modes: Set<TransitMode>?

    public init(
        date: ServiceDate, window: TimeWindow = TimeWindow(start: 6 * 3600, end: 20 * 3600)!,
        grouping: StopGrouping = .parent, modes: Set<TransitMode>? = nil
    ) {
        self.date = date
        self.window = window
        self.grouping = grouping
        self.modes = modes
    }
}

/// Departures per stop (or stop group) and hour of the window on one date.
public struct StopDepartures: Sendable {
    public struct Stop: Sendable, Hashable {
        /// The stop's id, or the parent station's id for a group.
        public var id: String
        public var name: String
        /// lon/lat (the parent's position for a group).
        public var coordinate: Coordinate?
    }

    public let date: ServiceDate
    public let window: TimeWindow
    public let stops: [Stop]
    /// Row-major: `counts[stop * window.hours + hour]`.
    public let counts: [Int32]

    public func hourly(_ stop: Int) -> ArraySlice<Int32> {
        counts[(stop * window.hours)..<((stop + 1) * window.hours)]
    }

    public func departures(_ stop: Int) -> Int {
        hourly(stop).reduce(0) { $0 + Int($1) }
    }

    /// The fewest departures in any hour of the window.
    public func minimumPerHour(_ stop: Int) -> Int {
        Int(hourly(stop).min() ?? 0)
    }

    public func qualifies(_ stop: Int, rule: DepartureRule, minPerHour: Double) -> Bool {
        switch rule {
        case .everyHour: Double(minimumPerHour(stop)) >= minPerHour
        case .average: Double(departures(stop)) >= minPerHour * window.lengthInHours
        }
    }

    public func index(ofStop id: String) -> Int? {
        stops.firstIndex { $0.id == id }
    }
}

/// Counts departures per stop from a GTFS feed on a date.
///
/// A departure is a stop_time where boarding is allowed (`pickup_type` ≠ 1) that is not the
/// trip's last stop (its highest `stop_sequence`). Times past 24:00:00 belong to the service
/// day before: a departure at 25:10 of service day D−1 leaves at 01:10 on D. So for calendar
/// date D the count takes trips running on service day D at their times, trips running on D−1
/// and D−2 at their times minus 24 and 48 hours, and trips running on D+1 at their times plus
/// 24 hours (for a window that ends after midnight): one clock from D's midnight
/// (`TimeBasis.clock`). `TimeBasis.serviceDay` takes only D's trips at their times.
///
/// Stops between timepoints often have no time (most of the Porto Alegre feed); they get
/// one by linear interpolation in stop order between the neighbouring timed stops, rounded
/// down to the second. Trips in frequencies.txt run at start, start + headway, … before
/// end_time of each period, every stop shifted by its offset from the trip's first time;
/// `exact_times` 0 and 1 are expanded alike, as both describe that many departures.
///
/// stop_times.txt is streamed. Feeds sorted by trip (the usual case) are handled trip by
/// trip, keeping only one trip's rows; when a trip's rows turn out to be scattered, the
/// file is read again and the rows of the trips that matter are gathered (about 25 bytes
/// per row) and grouped by trip.
public enum DepartureCounter {
    public static func count(feed: GTFSFeed, options: DepartureOptions) throws -> StopDepartures {
        let calendar = ServiceCalendar(feed: feed)
        let date = options.date
        guard let range = calendar.dateRange, range.contains(date) else {
            throw AtlasError(
                file: feed.path, "the date \(date) is outside the feed's service dates (\(calendar.rangeDescription))")
        }
        // Bit k: the service runs on service day D + dayOffsets[k].
        let offsets = options.timeBasis.dayOffsets
        let dayMask = calendar.dayMasks(around: date, offsets: offsets)
        var tripMask = [UInt8](repeating: 0, count: feed.trips.count)
        var runsToday = false
        let routeModes = feed.routes.map { TransitMode(routeType: $0.type) }
        for (t, trip) in feed.trips.enumerated() {
            let mask = dayMask[Int(trip.service)]
            if mask & 1 != 0 { runsToday = true }
            if let modes = options.modes, !modes.contains(routeModes[Int(trip.route)]) { continue }
            tripMask[t] = mask
        }
        guard runsToday else {
            throw AtlasError(
                file: feed.path, "no trips run on \(date); the feed's service dates are \(calendar.rangeDescription)")
        }

        let group = stopGroups(feed, options.grouping)
        var counter = Counter(feed: feed, window: options.window, tripMask: tripMask, group: group, dayOffsets: offsets)
        if try !counter.countTripByTrip() {
            try counter.countGathered()
        }
        return result(feed, options, group, counter.counts)
    }

    /// The stop index each stop counts under: its root station, or itself.
    static func stopGroups(_ feed: GTFSFeed, _ grouping: StopGrouping) -> [Int32] {
        var group = (0..<Int32(feed.stops.count)).map { $0 }
        guard grouping == .parent else { return group }
        for s in 0..<feed.stops.count {
            var root = Int32(s)
            // Boarding areas hang under platforms, platforms under stations: climb to the top.
            var depth = 0
            while feed.stops[Int(root)].parent >= 0, depth < 4 {
                root = feed.stops[Int(root)].parent
                depth += 1
            }
            group[s] = root
        }
        return group
    }

    static func result(_ feed: GTFSFeed, _ options: DepartureOptions, _ group: [Int32], _ counts: [Int32]) -> StopDepartures {
        let hours = options.window.hours
        var listed = [Bool](repeating: false, count: feed.stops.count)
        for (s, stop) in feed.stops.enumerated() where stop.locationType == 0 || stop.locationType == 4 {
            listed[Int(group[s])] = true
        }
        for g in 0..<feed.stops.count where !listed[g] {
            if counts[(g * hours)..<((g + 1) * hours)].contains(where: { $0 > 0 }) { listed[g] = true }
        }
        var fallback = [Coordinate?](repeating: nil, count: feed.stops.count)
        for (s, stop) in feed.stops.enumerated() where fallback[Int(group[s])] == nil {
            fallback[Int(group[s])] = stop.coordinate
        }
        var stops: [StopDepartures.Stop] = []
        var out: [Int32] = []
        for g in 0..<feed.stops.count where listed[g] {
            let stop = feed.stops[g]
            stops.append(.init(id: stop.id, name: stop.name, coordinate: stop.coordinate ?? fallback[g]))
            out.append(contentsOf: counts[(g * hours)..<((g + 1) * hours)])
        }
        return StopDepartures(date: options.date, window: options.window, stops: stops, counts: out)
    }
}

private struct TripStop {
    var stop: Int32
    var sequence: Int32
    var time: Int32
    var pickupType: UInt8
    var record: Int
}

/// Found when stop_times is not sorted by trip; stops the first pass.
private struct ScatteredTrips: Error {}

private struct Counter {
    let feed: GTFSFeed
    let window: TimeWindow
    let tripMask: [UInt8]
    let group: [Int32]
    /// Service day of each bit of a trip's mask, relative to the date.
    let dayOffsets: [Int]
    let hours: Int
    var counts: [Int32]
    var periods: [Int32: FrequencyRuns] = [:]
    var times: [Int32] = []

    init(feed: GTFSFeed, window: TimeWindow, tripMask: [UInt8], group: [Int32], dayOffsets: [Int]) {
        self.feed = feed
        self.window = window
        self.tripMask = tripMask
        self.dayOffsets = dayOffsets
        self.group = group
        hours = window.hours
        counts = [Int32](repeating: 0, count: feed.stops.count * window.hours)
        var byTrip: [Int32: [GTFSFrequency]] = [:]
        for f in feed.frequencies { byTrip[f.trip, default: []].append(f) }
        periods = byTrip.mapValues(FrequencyRuns.init)
    }

    /// The fast path; false when the file is not sorted by trip.
    mutating func countTripByTrip() throws -> Bool {
        var finished = [Bool](repeating: false, count: feed.trips.count)
        var current: Int32 = -1
        var rows: [TripStop] = []
        do {
            try feed.scanStopTimes { st in
                if st.trip != current {
                    if current >= 0 {
                        if !rows.isEmpty { try countTrip(current, &rows) }
                        finished[Int(current)] = true
                    }
                    if finished[Int(st.trip)] { throw ScatteredTrips() }
                    current = st.trip
                    rows.removeAll(keepingCapacity: true)
                }
                if tripMask[Int(st.trip)] != 0 {
                    rows.append(TripStop(
                        stop: st.stop, sequence: st.sequence, time: st.departure >= 0 ? st.departure : st.arrival,
                        pickupType: st.pickupType, record: st.record))
                }
            }
        } catch is ScatteredTrips {
            counts = [Int32](repeating: 0, count: counts.count)
            return false
        }
        if current >= 0, !rows.isEmpty { try countTrip(current, &rows) }
        return true
    }

    /// The fallback: gather the rows of trips that run, group them by trip, count.
    mutating func countGathered() throws {
        var trip: [Int32] = [], stop: [Int32] = [], sequence: [Int32] = [], time: [Int32] = []
        var pickup: [UInt8] = [], record: [Int32] = []
        let tripMask = tripMask
        try feed.scanStopTimes { st in
            guard tripMask[Int(st.trip)] != 0 else { return }
            trip.append(st.trip)
            stop.append(st.stop)
            sequence.append(st.sequence)
            time.append(st.departure >= 0 ? st.departure : st.arrival)
            pickup.append(st.pickupType)
            record.append(Int32(clamping: st.record))
        }
        // Counting sort by trip keeps each trip's rows in file order.
        var start = [Int](repeating: 0, count: feed.trips.count + 1)
        for t in trip { start[Int(t) + 1] += 1 }
        for i in 0..<feed.trips.count { start[i + 1] += start[i] }
        var next = start
        var order = [Int32](repeating: 0, count: trip.count)
        for (i, t) in trip.enumerated() {
            order[next[Int(t)]] = Int32(i)
            next[Int(t)] += 1
        }
        var rows: [TripStop] = []
        for t in 0..<feed.trips.count where start[t + 1] > start[t] {
            rows.removeAll(keepingCapacity: true)
            for k in start[t]..<start[t + 1] {
                let i = Int(order[k])
                rows.append(TripStop(
                    stop: stop[i], sequence: sequence[i], time: time[i], pickupType: pickup[i], record: Int(record[i])))
            }
            try countTrip(Int32(t), &rows)
        }
    }

    private mutating func countTrip(_ trip: Int32, _ rows: inout [TripStop]) throws {
        var sorted = true
        for i in 1..<max(rows.count, 1) where rows[i].sequence <= rows[i - 1].sequence {
            sorted = false
            break
        }
        if !sorted {
            rows.sort { $0.sequence < $1.sequence }
            for i in 1..<rows.count where rows[i].sequence == rows[i - 1].sequence {
                throw AtlasError(
                    file: feed.source.displayName("stop_times.txt"), record: rows[i].record, field: "stop_sequence",
                    "stop_sequence \(rows[i].sequence) appears twice in trip '\(feed.tripId(trip))'")
            }
        }
        let n = rows.count
        guard n >= 2 else { return }
        try interpolate(trip, rows)

        let mask = tripMask[Int(trip)]
        if let runs = periods[trip] {
            // Counted per hour from the runs' arithmetic progressions, never run by run: a
            // headway of one second over three days is 259,200 runs of every stop.
            let base = Int(times[0])
            for i in 0..<(n - 1) where rows[i].pickupType != 1 {
                addRuns(runs, offset: Int(times[i]) - base, rows[i].stop, mask)
            }
        } else {
            for i in 0..<(n - 1) where rows[i].pickupType != 1 {
                add(times[i], rows[i].stop, mask)
            }
        }
    }

    /// Fills `times` for the trip, interpolating stops that have none.
    private mutating func interpolate(_ trip: Int32, _ rows: [TripStop]) throws {
        times.removeAll(keepingCapacity: true)
        for r in rows { times.append(r.time) }
        try interpolateMissingTimes(&times, feed: feed, trip: trip) { rows[$0].record }
    }

    @inline(__always) private mutating func add(_ time: Int32, _ stop: Int32, _ mask: UInt8) {
        var k = 0
        while k < dayOffsets.count {
            if mask & (1 << UInt8(k)) != 0 {
                let t = Int(time) + dayOffsets[k] * 86_400
                if t >= window.start && t < window.end {
                    increase(Int(group[Int(stop)]) * hours + (t - window.start) / 3600, by: 1)
                }
            }
            k += 1
        }
    }

    /// Adds the departures of every run of a frequency trip at a stop `offset` seconds after
    /// the trip's first stop: per hour of the window, the runs whose start falls in the hour
    /// shifted back by the offset (and by a day for each day the service runs before the date).
    private mutating func addRuns(_ runs: FrequencyRuns, offset: Int, _ stop: Int32, _ mask: UInt8) {
        let row = Int(group[Int(stop)]) * hours
        for (k, day) in dayOffsets.enumerated() where mask & (1 << UInt8(k)) != 0 {
            let shift = -day * 86_400 - offset
            for hour in 0..<hours {
                let from = window.start + hour * 3600
                let to = min(from + 3600, window.end)
                let n = runs.startingBefore(to + shift) - runs.startingBefore(from + shift)
                if n > 0 { increase(row + hour, by: n) }
            }
        }
    }

    /// Counts saturate rather than wrap: no stop has two billion departures in an hour, but a
    /// crafted feed must not be able to trap the count.
    @inline(__always) private mutating func increase(_ index: Int, by n: Int) {
        let (sum, overflow) = Int(counts[index]).addingReportingOverflow(n)
        counts[index] = overflow ? Int32.max : Int32(clamping: sum)
    }
}

/// The runs of one frequency trip: its periods in time order (they do not overlap; the feed
/// reader checks), with the number of runs before each, so that the runs starting before a
/// time are found by a binary search rather than by listing them.
struct FrequencyRuns {
    private let starts: [Int]
    private let headways: [Int]
    private let runs: [Int]
    private let runsBefore: [Int]

    init(_ periods: [GTFSFrequency]) {
        let sorted = periods.sorted { $0.start < $1.start }
        starts = sorted.map { Int($0.start) }
        headways = sorted.map { Int($0.headway) }
        runs = sorted.map(\.runs)
        var total = 0
        var before: [Int] = []
        for r in runs {
            before.append(total)
            total += r
        }
        runsBefore = before
    }

    /// The number of runs that start before `time` (seconds of the trip's service day).
    func startingBefore(_ time: Int) -> Int {
        // The last period starting before `time`.
        var lo = 0, hi = starts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if starts[mid] < time { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return 0 }
        let k = lo - 1
        let elapsed = time - starts[k]
        return runsBefore[k] + min(runs[k], (elapsed + headways[k] - 1) / headways[k])
    }
}

/// Fills the times a trip's stops lack (negative) linearly by stop between the known times
/// around them, rounded down to the second, as GTFS leaves untimed stops for the consumer to
/// interpolate. The first and last stop must have a time: `record(i)` names the row that lacks one.
func interpolateMissingTimes(_ times: inout [Int32], feed: GTFSFeed, trip: Int32, record: (Int) -> Int) throws {
    let n = times.count
    for end in [0, n - 1] where times[end] < 0 {
        throw AtlasError(
            file: feed.source.displayName("stop_times.txt"), record: record(end), field: "departure_time",
            "the \(end == 0 ? "first" : "last") stop of trip '\(feed.tripId(trip))' needs a time")
    }
    var previous = 0
    for i in 1..<n where times[i] >= 0 {
        if i - previous > 1 {
            let t0 = Int(times[previous]), t1 = Int(times[i]), span = i - previous
            for k in (previous + 1)..<i {
                let step = (t1 - t0) * (k - previous)
                let q = step / span
                times[k] = Int32(t0 + (step % span != 0 && step < 0 ? q - 1 : q))
            }
        }
        previous = i
    }
}
