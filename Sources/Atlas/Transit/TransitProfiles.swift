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
    ///   - layout: the stops in the order their entries are laid out in memory (nearby stops
    ///     together, so that the stops within walking reach of one share cache lines); nil for
    ///     index order.
    public static func scan(
        _ timetable: TransitTimetable, transfers: StopTransfers, egress: [Double], options: Options, layout: [Int32]? = nil
    ) -> TransitProfiles {
        let stopCount = timetable.stops.count
        let k = max(1, options.maxRides)
        let order = scanOrder(timetable.connections)
        // Room for one entry per boardable connection at each stop, laid out stop by stop.
        var first = [Int](repeating: 0, count: stopCount)
        do {
            var capacity = [Int](repeating: 0, count: stopCount)
            for c in timetable.connections where c.boards { capacity[Int(c.from)] += 1 }
            var next = 0
            for s in layout.map({ $0.map(Int.init) }) ?? Array(0..<stopCount) {
                first[s] = next
                next += capacity[s]
            }
            first.append(next)
        }
        let total = first[stopCount]
        // Entries by decreasing departure; each holds k arrivals, the r-th the best with at
        // most r + 1 rides of everything departing at or after it. Beside each departure, a
        // lower bound of the entry's arrivals (but the last) that is cheap to reach.
        let departures = UnsafeMutableBufferPointer<EntryHead>.allocate(capacity: max(total, 1))
        let arrivals = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(total * k, 1))
        defer {
            departures.deallocate()
            arrivals.deallocate()
        }
        let count = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(stopCount, 1))
        // Dense per-stop bounds that rule out most stops before their entries are looked at:
        // level j holds, for the scan's time d, the lowest bound of the entries departing at or
        // after d + lag[j]. Someone who gets off at d or later and walks w seconds is ready at
        // d + w + slack at the earliest, so level ⌊w / 300⌋ (at most 3) bounds what they can
        // catch. An entry enters level j when the scan reaches its departure − lag[j]; entries
        // are made by decreasing departure, so each level follows the log of made entries.
        let slack = options.boardSlack
        let levels = 4
        let lag = (0..<levels).map { slack + Double($0 * 300) }
        let lowest = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(stopCount * levels, 1))
        lowest.initialize(repeating: .infinity)
        let made = UnsafeMutableBufferPointer<(slot: Int32, stop: Int32)>.allocate(capacity: max(total, 1))
        var madeCount = 0
        var applied = [Int](repeating: 0, count: levels)
        let trip = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(timetable.tripInstances * k, 1))
        let best = UnsafeMutableBufferPointer<Double>.allocate(capacity: k)
        count.initialize(repeating: 0)
        trip.initialize(repeating: .infinity)
        defer {
            count.deallocate()
            lowest.deallocate()
            trip.deallocate()
            best.deallocate()
            made.deallocate()
        }
        let transferOffsets = transfers.offsets, transferTargets = transfers.targets, transferSeconds = transfers.seconds

        timetable.connections.withUnsafeBufferPointer { connections in
            for index in order {
                let c = connections[Int(index)]
                let now = Double(c.departure)
                for j in 0..<levels {
                    while applied[j] < madeCount {
                        let m = made[applied[j]]
                        let head = departures[Int(m.slot)]
                        guard Double(head.departure) - lag[j] >= now else { break }
                        let cell = Int(m.stop) * levels + j
                        if head.bound < lowest[cell] { lowest[cell] = head.bound }
                        applied[j] += 1
                    }
                }
                let base = Int(c.trip) * k
                for r in 0..<k { best[r] = trip[base + r] }
                if c.alights {
                    let arrival = Double(c.arrival)
                    let walk = arrival + egress[Int(c.to)]
                    if walk.isFinite { for r in 0..<k where walk < best[r] { best[r] = walk } }
                    if k > 1 {
                        for t in Int(transferOffsets[Int(c.to)])..<Int(transferOffsets[Int(c.to) + 1]) {
                            let s = Int(transferTargets[t])
                            let level = min(levels - 1, Int(transferSeconds[t] / 300))
                            guard Double(lowest[s * levels + level]) < best[1] else { continue }
                            let n = Int(count[s])
                            let lo = first[s]
                            let ready = arrival + transferSeconds[t] + slack
                            // The entry wanted departs soon after the scan's time, near the end
                            // of the list (the part written last): gallop back from the end,
                            // then halve. departures[a] ≥ ready > departures[b].
                            var b = lo + n, a = b - 1, step = 1
                            while a >= lo && Double(departures[a].departure) < ready {
                                b = a
                                a = a - step >= lo ? a - step : (a == lo ? lo - 1 : lo)
                                step <<= 1
                            }
                            // Nothing departs that late there.
                            guard a >= lo else { continue }
                            while b - a > 1 {
                                let mid = (a + b) >> 1
                                if Double(departures[mid].departure) >= ready { a = mid } else { b = mid }
                            }
                            // Arrivals with fewer rides are no better: nothing to gain here
                            // unless the bound beats the best with one ride more than none.
                            guard Double(departures[a].bound) < best[1] else { continue }
                            let row = a * k
                            for r in 1..<k where arrivals[row + r - 1] < best[r] { best[r] = arrivals[row + r - 1] }
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
                let n = Int(count[s])
                if n > 0 {
                    let last = first[s] + n - 1
                    var improves = false
                    for r in 0..<k {
                        let previous = arrivals[last * k + r]
                        if best[r] < previous { improves = true } else { best[r] = previous }
                    }
                    guard improves else { continue }
                    if departures[last].departure == c.departure {
                        for r in 0..<k { arrivals[last * k + r] = best[r] }
                        departures[last].bound = EntryHead.bound(best[max(0, k - 2)])
                        // Levels the entry has entered already (with no slack, at once) learn the lower bound.
                        for j in 0..<levels where now - lag[j] >= now {
                            lowest[s * levels + j] = min(lowest[s * levels + j], departures[last].bound)
                        }
                        continue
                    }
                }
                let slot = first[s] + n
                departures[slot] = EntryHead(departure: c.departure, bound: EntryHead.bound(best[max(0, k - 2)]))
                for r in 0..<k { arrivals[slot * k + r] = best[r] }
                made[madeCount] = (Int32(slot), Int32(s))
                madeCount += 1
                count[s] = Int32(n + 1)
            }
        }

        // What origins need: the best with at most maxRides rides, entries that improve it only.
        var offsets = [Int32](repeating: 0, count: stopCount + 1)
        var kept: [Int32] = []
        var keptArrivals: [Double] = []
        for s in 0..<stopCount {
            var previous = Double.infinity
            for i in first[s]..<(first[s] + Int(count[s])) {
                let arrival = arrivals[i * k + k - 1]
                guard arrival < previous else { continue }
                kept.append(departures[i].departure)
                keptArrivals.append(arrival)
                previous = arrival
            }
            offsets[s + 1] = Int32(kept.count)
        }
        return TransitProfiles(offsets: offsets, departures: kept, arrivals: keptArrivals)
    }

    /// A profile entry's departure and, as a 32-bit float rounded down, its arrival with one
    /// ride fewer than the most: every arrival of the entry but the last is at least that.
    struct EntryHead {
        var departure: Int32
        var bound: Float

        static func bound(_ arrival: Double) -> Float {
            let f = Float(arrival)
            return Double(f) > arrival ? f.nextDown : f
        }
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
