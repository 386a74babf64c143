import Foundation

/// Footpaths between stops: from each stop, the stops within walking reach and the seconds it
/// takes, the stop itself included at 0, in compressed sparse row form.
public struct StopTransfers: Sendable {
    public var offsets: [Int32]
    public var targets: [Int32]
    public var seconds: [Double]

    public init(offsets: [Int32], targets: [Int32], seconds: [Double]) {
        self.offsets = offsets
        self.targets = targets
        self.seconds = seconds
    }

    /// Builds the rows from (from, to, seconds) triples; each stop also reaches itself at 0.
    public init(stopCount: Int, pairs: [(from: Int32, to: Int32, seconds: Double)]) {
        var counts = [Int32](repeating: 1, count: stopCount)
        for p in pairs where p.from != p.to { counts[Int(p.from)] += 1 }
        var offsets = [Int32](repeating: 0, count: stopCount + 1)
        for s in 0..<stopCount { offsets[s + 1] = offsets[s] + counts[s] }
        var fill = Array(offsets.dropLast())
        var targets = [Int32](repeating: 0, count: Int(offsets[stopCount]))
        var seconds = [Double](repeating: 0, count: targets.count)
        for s in 0..<stopCount {
            targets[Int(fill[s])] = Int32(s)
            fill[s] += 1
        }
        for p in pairs where p.from != p.to {
            let slot = Int(fill[Int(p.from)])
            targets[slot] = p.to
            seconds[slot] = p.seconds
            fill[Int(p.from)] += 1
        }
        self.init(offsets: offsets, targets: targets, seconds: seconds)
    }
}

/// For every stop, the earliest arrival at the nearest destination as a function of the time
/// one is ready to board there: a step function stored as its breakpoints.
///
/// One backward Connection Scan over the timetable computes all of them at once (the profile
/// variant of Dibbelt, Pajor, Strasser and Wagner, "Connection Scan Algorithm", 2018), since
/// every origin asks the same question — the nearest of the same destinations. Connections are
/// scanned by decreasing departure; for each, the best arrival with at most k rides, k = 1 …
/// `maxRides`, is the best of: getting off at the next stop and walking to a destination,
/// staying on the trip, or getting off, walking to a stop within reach and boarding there
/// with one ride fewer (`boardSlack` seconds after arriving on foot). Where boarding is
/// allowed the result joins the departure stop's profile if it improves on what departs
/// later. A journey that would take longer than `maxSeconds` from the boarding is dropped.
public struct TransitProfiles: Sendable {
    /// Per stop, profile entries `offsets[s] ..< offsets[s + 1]` by decreasing departure time:
    /// boarding at or after `departures[i]` arrives at a destination at `arrivals[i]` at best.
    public let offsets: [Int32]
    public let departures: [Int32]
    public let arrivals: [Double]

    public struct Options: Sendable {
        public var boardSlack: Double
        public var maxRides: Int
        /// Longest journey kept, from the boarding.
        public var maxSeconds: Double

        public init(boardSlack: Double, maxRides: Int, maxSeconds: Double) {
            self.boardSlack = boardSlack
            self.maxRides = maxRides
            self.maxSeconds = maxSeconds
        }
    }

    /// - Parameters:
    ///   - egress: per stop, seconds from getting off there to the nearest destination on
    ///     foot; `.infinity` when none is within walking reach.
    public static func scan(
        _ timetable: TransitTimetable, transfers: StopTransfers, egress: [Double], options: Options
    ) -> TransitProfiles {
        let stopCount = timetable.stops.count
        let k = max(1, options.maxRides)
        let order = scanOrder(timetable.connections)
        // Entries per stop while scanning: departure times (decreasing) and k arrivals each,
        // the i-th arrival being the best with at most i + 1 rides.
        var stopDepartures = [[Int32]](repeating: [], count: stopCount)
        var stopArrivals = [[Double]](repeating: [], count: stopCount)
        var trip = [Double](repeating: .infinity, count: timetable.tripInstances * k)
        var best = [Double](repeating: .infinity, count: k)
        let slack = options.boardSlack

        timetable.connections.withUnsafeBufferPointer { connections in
            for index in order {
                let c = connections[Int(index)]
                let base = Int(c.trip) * k
                for r in 0..<k { best[r] = trip[base + r] }
                if c.alights {
                    let arrival = Double(c.arrival)
                    let walk = arrival + egress[Int(c.to)]
                    if walk.isFinite { for r in 0..<k where walk < best[r] { best[r] = walk } }
                    if k > 1 {
                        for t in Int(transfers.offsets[Int(c.to)])..<Int(transfers.offsets[Int(c.to) + 1]) {
                            let s = Int(transfers.targets[t])
                            let ready = arrival + transfers.seconds[t] + slack
                            guard let entry = lookup(stopDepartures[s], ready) else { continue }
                            stopArrivals[s].withUnsafeBufferPointer { a in
                                let row = entry * k
                                for r in 1..<k where a[row + r - 1] < best[r] { best[r] = a[row + r - 1] }
                            }
                        }
                    }
                }
                let limit = Double(c.departure) + options.maxSeconds
                var any = false
                for r in 0..<k {
                    if best[r] > limit { best[r] = .infinity } else { any = true }
                    trip[base + r] = best[r]
                }
                guard any, c.boards else { continue }
                let s = Int(c.from)
                if let last = stopDepartures[s].indices.last {
                    // Each entry keeps the best of everything departing at or after it.
                    var improves = false
                    for r in 0..<k {
                        let previous = stopArrivals[s][last * k + r]
                        if best[r] < previous { improves = true } else { best[r] = previous }
                    }
                    guard improves else { continue }
                    if stopDepartures[s][last] == c.departure {
                        for r in 0..<k { stopArrivals[s][last * k + r] = best[r] }
                        continue
                    }
                }
                stopDepartures[s].append(c.departure)
                stopArrivals[s].append(contentsOf: best)
            }
        }

        // What origins need: the best with at most maxRides rides, entries that improve it only.
        var offsets = [Int32](repeating: 0, count: stopCount + 1)
        var departures: [Int32] = []
        var arrivals: [Double] = []
        for s in 0..<stopCount {
            var previous = Double.infinity
            for (i, departure) in stopDepartures[s].enumerated() {
                let arrival = stopArrivals[s][i * k + k - 1]
                guard arrival < previous else { continue }
                departures.append(departure)
                arrivals.append(arrival)
                previous = arrival
            }
            offsets[s + 1] = Int32(departures.count)
            stopDepartures[s] = []
            stopArrivals[s] = []
        }
        return TransitProfiles(offsets: offsets, departures: departures, arrivals: arrivals)
    }

    /// Connections by decreasing departure, then decreasing arrival, then a trip's later ride
    /// first, so that a trip's next ride is always scanned before the one leading to it.
    static func scanOrder(_ connections: [TransitConnection]) -> [Int32] {
        // Departure and arrival below 2^18 s (72 h), index below 2^28: one 64-bit key.
        var keys = connections.enumerated().map { i, c -> UInt64 in
            UInt64(UInt32(c.departure)) << 46 | UInt64(UInt32(c.arrival)) << 28 | UInt64(i)
        }
        keys.sort(by: >)
        return keys.map { Int32(truncatingIfNeeded: $0 & 0x0FFF_FFFF) }
    }

    /// The last entry departing at or after `time` (entries decrease), nil when none does.
    @inline(__always) static func lookup(_ departures: [Int32], _ time: Double) -> Int? {
        var lo = 0, hi = departures.count
        // Invariant: entries below lo depart at or after time, entries from hi on before it.
        while lo < hi {
            let mid = (lo + hi) >> 1
            if Double(departures[mid]) >= time { lo = mid + 1 } else { hi = mid }
        }
        return lo > 0 ? lo - 1 : nil
    }

    public var entryCount: Int { departures.count }

    /// The earliest arrival at a destination for someone ready to board at stop `s` at `time`.
    public func arrival(atStop s: Int, readyAt time: Double) -> Double {
        var lo = Int(offsets[s]), hi = Int(offsets[s + 1])
        let first = lo
        while lo < hi {
            let mid = (lo + hi) >> 1
            if Double(departures[mid]) >= time { lo = mid + 1 } else { hi = mid }
        }
        return lo > first ? arrivals[lo - 1] : .infinity
    }
}
