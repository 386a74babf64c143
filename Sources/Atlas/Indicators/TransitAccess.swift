import Dispatch
import Foundation

/// Travel time by public transport to the nearest destination (`atlas access --mode transit`):
/// for every origin and every departure minute of a window, the earliest arrival at any
/// destination minus the minute, summarised per origin over the window's minutes and per area
/// as for the car.
///
/// A journey walks along the walk network to a stop, boards a trip that departs at least
/// `boardSlack` seconds after arriving there, rides, gets off at a later stop, may walk to
/// another stop and board again (at most `maxRides` boardings in all), and walks to the
/// destination. Each walking leg between origin, stops and destination is at most `maxWalk`
/// minutes; walking all the way is always a journey too, whatever its length. A minute whose
/// earliest arrival is more than `maxMinutes` after it reaches nothing.
///
/// The work is one backward profile scan from all destinations at once (`TransitProfiles`),
/// which gives every stop the earliest arrival at the nearest destination for any time of
/// boarding there, and then per origin a sweep over the minutes of the window for each stop
/// within walking reach. The walking times come from one bounded search per stop on the walk
/// network (to nearby stops and origins) and one multi-source search from the destinations
/// (to stops and origins).
public struct TransitAccess: Sendable {
    public struct Options: Sendable {
        public var date: ServiceDate
        public var window: TimeWindow
        /// km/h, on the network and off it.
        public var walkSpeed: Double
        /// Minutes, for each walking leg to, between and from stops.
        public var maxWalk: Double
        /// Seconds between arriving at a stop and the earliest departure one may board.
        public var boardSlack: Double
        public var maxRides: Int
        public var maxMinutes: Double
        /// Whole numbers 1–99.
        public var percentiles: [Int]
        /// Metres from a point to the network it snaps to.
        public var maxSnap: Double
        /// Origins, stops and destinations snap only to roads of the walk network's connected
        /// parts of at least this many nodes (see `RoadComponents.snappable`).
        public var minComponent: Int
        /// The route modes ridden; nil rides every route.
        public var modes: Set<TransitMode>?

        public init(
            date: ServiceDate, window: TimeWindow, walkSpeed: Double = 5, maxWalk: Double = 20, boardSlack: Double = 60,
            maxRides: Int = 8, maxMinutes: Double = 120, percentiles: [Int] = [25, 50, 75], maxSnap: Double = 1000,
            minComponent: Int = 200, modes: Set<TransitMode>? = nil
        ) {
            self.date = date
            self.window = window
            self.walkSpeed = walkSpeed
            self.maxWalk = maxWalk
            self.boardSlack = boardSlack
            self.maxRides = maxRides
            self.maxMinutes = maxMinutes
            self.percentiles = percentiles
            self.maxSnap = maxSnap
            self.minComponent = minComponent
            self.modes = modes
        }

        /// The departure minutes: start, start + 60 s, … before the end.
        public var minutes: [Int] { Array(stride(from: window.start, to: window.end, by: 60)) }
    }

    public var options: Options
    public var thresholds: [Double]

    public init(options: Options, thresholds: [Double] = [5, 10, 30]) {
        self.options = options
        self.thresholds = thresholds
    }

    /// Counts that describe a run, for the summary and the benchmarks.
    public struct Statistics: Sendable {
        public var stops = 0
        /// Stops used by the timetable that lie within reach of the walk network.
        public var stopsOnNetwork = 0
        public var connections = 0
        public var tripInstances = 0
        public var transfers = 0
        public var accessLinks = 0
        public var profileEntries = 0
    }

    public struct Outputs {
        public var areas: Layer
        /// The origins with `minutes`, `minutes_pNN` and, compared with the car, `ratio_to_car`.
        public var cells: Layer
        public var isochrones: Layer?
        /// Seconds per origin and departure minute (`.infinity` when unreachable), row-major by origin.
        public var seconds: [Double]
        /// The departure minutes (seconds after midnight) and each origin's label: its id or record number.
        public var minutes: [Int]
        public var originLabels: [String]
        /// Walking all the way: each origin's time on foot to the nearest destination.
        public var walk: NearestFacilityResult
        public var statistics: Statistics
        /// Wall time of each step: inputs, timetable, walking links, profile scan, origins, layers.
        public var stageSeconds: [(stage: String, seconds: Double)]
    }

    public func run(
        feeds: [GTFSFeed], graph: RoadGraph, inputs: HealthcareAccess.Inputs, carCells: Layer? = nil,
        isochrones: Bool = false, session: Session
    ) throws -> Outputs {
        guard let crs = graph.crs else { throw AtlasError("the walk network has no coordinate reference system") }
        var clock = StageClock()
        let minutes = options.minutes
        let maxSeconds = options.maxMinutes * 60
        let latest = (minutes.last ?? options.window.start) + Int(maxSeconds.rounded(.up))
        // The scan orders connections by one 64-bit key: times below 2^18 s, indices below 2^28.
        guard latest < 1 << 18 else {
            throw AtlasError("the window and max-minutes reach past 72:00 (\(latest) s); they must end before")
        }
        let prepared = try PreparedInputs(inputs, crs: crs, session: session)
        // The car's cells are matched before the long steps, so that a mismatch stops the run early.
        let carMinutes = try carCells.map { try Self.carMinutes($0, inputs: inputs, prepared: prepared, session: session) }
        clock.lap("inputs")
        let timetable = try TransitTimetable.read(feeds: feeds, date: options.date, earliest: options.window.start, latest: latest, modes: options.modes)
        guard timetable.connections.count < 1 << 28 else {
            throw AtlasError("the timetable has \(timetable.connections.count) connections in the window; at most 2^28 are supported")
        }
        var statistics = Statistics()
        statistics.stops = timetable.stops.count
        statistics.connections = timetable.connections.count
        statistics.tripInstances = timetable.tripInstances
        if timetable.connections.isEmpty {
            session.diagnostics.warning(
                "no trip runs between \(TimeWindow(start: options.window.start, end: latest)?.description ?? "") on \(options.date): travel times are on foot only")
        }
        clock.lap("timetable")

        let secondsPerMetre = 3.6 / options.walkSpeed
        let walkLimit = options.maxWalk * 60

        // Stops the timetable uses, placed in the network's CRS.
        var used = [Bool](repeating: false, count: timetable.stops.count)
        for c in timetable.connections {
            used[Int(c.from)] = true
            used[Int(c.to)] = true
        }
        let toMetric = try session.transformer(from: .wgs84, to: crs)
        var stopPoints = [Coordinate?](repeating: nil, count: timetable.stops.count)
        for (s, stop) in timetable.stops.enumerated() where used[s] {
            stopPoints[s] = try stop.coordinate.map { try toMetric.transform($0) }
        }
        let placedStops = stopPoints.indices.filter { stopPoints[$0] != nil }
        let placedOrigins = prepared.originPoints.indices.filter { prepared.originPoints[$0] != nil }
        let placedDestinations = prepared.destinationPoints.indices.filter { prepared.destinationPoints[$0] != nil }
        guard !placedDestinations.isEmpty else { throw AtlasError(file: inputs.destinations.source, "no destination has a geometry") }

        // Walking to the nearest destination: from stops (getting off) and origins (all the way).
        // Every point snaps by one island rule: walking all the way, and the walks to, between
        // and from stops.
        let minimumNodes = options.minComponent
        let (index, snappable) = concurrently(
            { SegmentIndex(graph) }, { RoadComponents(graph).snappable(graph, minimumNodes: minimumNodes) })
        let search = NearestFacility(maxSnap: options.maxSnap, accessSpeed: options.walkSpeed, minComponentNodes: minimumNodes)
        let walked = try search.run(
            graph: graph, index: index, snappable: snappable,
            origins: placedStops.map { stopPoints[$0]! } + placedOrigins.map { prepared.originPoints[$0]! },
            destinations: placedDestinations.map { prepared.destinationPoints[$0]! })
        var egress = [Double](repeating: .infinity, count: timetable.stops.count)
        for (k, s) in placedStops.enumerated() where walked.seconds[k] <= walkLimit { egress[s] = walked.seconds[k] }
        var direct = [Double](repeating: .infinity, count: prepared.originPoints.count)
        var nearest = [Int32](repeating: -1, count: prepared.originPoints.count)
        for (k, o) in placedOrigins.enumerated() {
            direct[o] = walked.seconds[placedStops.count + k]
            let d = walked.nearest[placedStops.count + k]
            nearest[o] = d >= 0 ? Int32(placedDestinations[Int(d)]) : -1
        }
        let unsnappedWalkers = Set(walked.unsnappedOrigins)
        var unreachable = prepared.originPoints.indices.filter { prepared.originPoints[$0] == nil }
        for (k, o) in placedOrigins.enumerated() where unsnappedWalkers.contains(placedStops.count + k) { unreachable.append(o) }
        unreachable.sort()
        // The island counts of the origins alone, by origin index.
        func originsOnly(_ points: [Int]) -> [Int] { points.filter { $0 >= placedStops.count }.map { placedOrigins[$0 - placedStops.count] } }
        var walk = NearestFacilityResult(
            seconds: direct, nearest: nearest, unsnappedOrigins: unreachable,
            unsnappedDestinations: walked.unsnappedDestinations.map { placedDestinations[$0] }, stageSeconds: walked.stageSeconds)
        walk.originSnapMetres = [Double](repeating: .infinity, count: prepared.originPoints.count)
        for (k, o) in placedOrigins.enumerated() { walk.originSnapMetres[o] = walked.originSnapMetres[placedStops.count + k] }
        walk.originsMovedOffIslands = originsOnly(walked.originsMovedOffIslands)
        walk.originsStrandedOnIslands = originsOnly(walked.originsStrandedOnIslands)
        walk.destinationsMovedOffIslands = walked.destinationsMovedOffIslands.map { placedDestinations[$0] }
        walk.destinationsStrandedOnIslands = walked.destinationsStrandedOnIslands.map { placedDestinations[$0] }
        walk.islands = walked.islands
        if !walk.unsnappedDestinations.isEmpty {
            session.diagnostics.warning(
                "\(walk.unsnappedDestinations.count) destinations are more than \(options.maxSnap) m from the walk network and are left out")
        }

        // Walking between stops and from origins to stops, within the walking limit.
        let stopSnaps = index.nearest(to: placedStops.map { stopPoints[$0]! }, in: graph, maxDistance: options.maxSnap, snappable: snappable).snaps
        let originSnaps = index.nearest(to: placedOrigins.map { prepared.originPoints[$0]! }, in: graph, maxDistance: options.maxSnap, snappable: snappable).snaps
        // Searched in spatial order, so that successive searches share the network's cache lines.
        let sources = Self.spatialOrder(placedStops.map { stopPoints[$0] }).map(Int.init).filter { stopSnaps[$0] != nil }
        statistics.stopsOnNetwork = sources.count
        let unsnappedStops = placedStops.count - sources.count
        if unsnappedStops > 0 {
            let first = stopSnaps.indices.filter { stopSnaps[$0] == nil }.prefix(5).map { timetable.stops[placedStops[$0]].id }
            session.diagnostics.warning(
                "\(unsnappedStops) of the \(placedStops.count) stops in use have no road of the connected walk network within \(options.maxSnap) m and are left out (first: \(first.joined(separator: ", ")))")
        }
        let links = WalkLinks.compute(
            graph: graph, points: stopSnaps + originSnaps, sources: sources, limit: walkLimit, secondsPerMetre: secondsPerMetre)
        var transferPairs: [(from: Int32, to: Int32, seconds: Double)] = []
        var accessCounts = [Int32](repeating: 0, count: prepared.originPoints.count + 1)
        for (k, source) in sources.enumerated() {
            for link in links.links[k] {
                if Int(link.point) < placedStops.count {
                    transferPairs.append((Int32(placedStops[Int(link.point)]), Int32(placedStops[source]), link.seconds))
                } else {
                    accessCounts[placedOrigins[Int(link.point) - placedStops.count] + 1] += 1
                }
            }
        }
        for o in 0..<prepared.originPoints.count { accessCounts[o + 1] += accessCounts[o] }
        var fill = Array(accessCounts.dropLast())
        var accessStop = [Int32](repeating: 0, count: Int(accessCounts.last!))
        var accessSeconds = [Double](repeating: 0, count: accessStop.count)
        for (k, source) in sources.enumerated() {
            for link in links.links[k] where Int(link.point) >= placedStops.count {
                let o = placedOrigins[Int(link.point) - placedStops.count]
                accessStop[Int(fill[o])] = Int32(placedStops[source])
                accessSeconds[Int(fill[o])] = link.seconds
                fill[o] += 1
            }
        }
        statistics.transfers = transferPairs.reduce(0) { $0 + ($1.from != $1.to ? 1 : 0) }
        statistics.accessLinks = accessStop.count
        let transfers = StopTransfers(stopCount: timetable.stops.count, pairs: transferPairs)
        transferPairs = []
        clock.lap("walking links")

        let profiles = TransitProfiles.scan(
            timetable, transfers: transfers, egress: egress,
            options: .init(boardSlack: options.boardSlack, maxRides: options.maxRides, maxSeconds: maxSeconds),
            layout: Self.spatialOrder(stopPoints))
        statistics.profileEntries = profiles.entryCount
        clock.lap("profile scan")

        let seconds = Self.travelSeconds(
            order: Self.spatialOrder(prepared.originPoints), minutes: minutes, direct: direct, accessOffsets: accessCounts,
            accessStop: accessStop, accessSeconds: accessSeconds, profiles: profiles, boardSlack: options.boardSlack,
            maxSeconds: maxSeconds)
        let summaries = Self.summaries(seconds, minutes: minutes.count, percentiles: [50] + options.percentiles)
        clock.lap("origins")

        let ids = try inputs.originId.map { try prepared.origins.values(of: $0) }
        func name(_ i: Int) -> String { ids?[i].text ?? "record \(i + 1)" }
        let islandReport = walk.islandReport(originName: name)
        islandReport.warnings.forEach(session.diagnostics.warning)
        if let summary = islandReport.summary { session.diagnostics.info(summary) }
        if !unreachable.isEmpty {
            session.diagnostics.warning(
                "\(unreachable.count) origins are more than \(options.maxSnap) m from the walk network and count as unreachable (first: \(unreachable.prefix(5).map(name).joined(separator: ", ")))")
        }

        let median = summaries.map { $0[0] }
        var ratio: [Double?] = []
        if let carMinutes {
            ratio = zip(median, carMinutes).map { transit, car in
                guard let transit, let car, car > 0 else { return nil }
                return transit / car
            }
        }

        let wgs84 = try inputs.origins.reprojected(to: .wgs84, context: session.proj)
        var cells = wgs84
        let cellSchema = cellSchema(compared: carCells != nil)
        cells.fields += cellSchema.map(\.field)
        for i in cells.features.indices {
            var values = summaries[i].map { $0.map(Value.double) ?? .null }
            if carCells != nil { values.append(ratio[i].map(Value.double) ?? .null) }
            cells.features[i].values += values
        }
        let areas = try areaLayer(inputs: inputs, prepared: prepared, minutes: median, ratio: carCells != nil ? ratio : nil, session: session)
        let base = HealthcareAccess(thresholds: thresholds)
        let isochroneLayer = isochrones
            ? try base.isochroneLayer(cells: wgs84, minutes: median, population: prepared.population, context: session.geos) : nil
        clock.lap("layers")
        return Outputs(
            areas: areas, cells: cells, isochrones: isochroneLayer, seconds: seconds, minutes: minutes,
            originLabels: try Self.labels(prepared.origins, idField: inputs.originId), walk: walk, statistics: statistics,
            stageSeconds: clock.laps)
    }

    /// Indices of the points in Z order of 250 m cells (points without a position last), so
    /// that points near each other are near each other in the order.
    static func spatialOrder(_ points: [Coordinate?]) -> [Int32] {
        var bounds = Bounds.empty
        for p in points { if let p { bounds.extend(p) } }
        func spread(_ v: UInt64) -> UInt64 {
            var x = v & 0xFFFF_FFFF
            x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF
            x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
            x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F
            x = (x | (x << 2)) & 0x3333_3333_3333_3333
            x = (x | (x << 1)) & 0x5555_5555_5555_5555
            return x
        }
        let keys = points.map { p -> UInt64 in
            guard let p else { return .max }
            let column = UInt64(max(0, min(Double(UInt32.max - 1), ((p.x - bounds.minX) / 250).rounded(.down))))
            let row = UInt64(max(0, min(Double(UInt32.max - 1), ((p.y - bounds.minY) / 250).rounded(.down))))
            return spread(column) | spread(row) << 1
        }
        return points.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }.map { Int32($0) }
    }

    static func labels(_ origins: Layer, idField: String?) throws -> [String] {
        guard let idField else { return origins.features.indices.map { String($0 + 1) } }
        return try origins.values(of: idField).enumerated().map { $0.element.text ?? String($0.offset + 1) }
    }

    /// Per origin and minute, seconds to the nearest destination (`.infinity` beyond `maxSeconds`);
    /// `order` lists every origin once, in the order they are worked through.
    static func travelSeconds(
        order: [Int32], minutes: [Int], direct: [Double], accessOffsets: [Int32], accessStop: [Int32],
        accessSeconds: [Double], profiles: TransitProfiles, boardSlack: Double, maxSeconds: Double
    ) -> [Double] {
        let origins = order.count
        let n = minutes.count
        let out = SecondsSlots(origins * n)
        let chunk = 256
        let chunks = (origins + chunk - 1) / chunk
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, chunks))
        let next = ChunkTicket()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var arrival = [Double](repeating: .infinity, count: n)
            while let c = next.take(below: chunks) {
                for position in c * chunk..<min((c + 1) * chunk, origins) {
                    let o = Int(order[position])
                    for i in 0..<n { arrival[i] = Double(minutes[i]) + direct[o] }
                    for a in Int(accessOffsets[o])..<Int(accessOffsets[o + 1]) {
                        let s = Int(accessStop[a])
                        let lo = Int(profiles.offsets[s])
                        var j = Int(profiles.offsets[s + 1]) - 1
                        guard j >= lo else { continue }
                        let lead = accessSeconds[a] + boardSlack
                        // Entries decrease in departure; later minutes board at earlier indices.
                        for i in 0..<n {
                            let ready = Double(minutes[i]) + lead
                            while j >= lo && Double(profiles.departures[j]) < ready { j -= 1 }
                            if j < lo { break }
                            if profiles.arrivals[j] < arrival[i] { arrival[i] = profiles.arrivals[j] }
                        }
                    }
                    for i in 0..<n {
                        let t = arrival[i] - Double(minutes[i])
                        out.set(o * n + i, t <= maxSeconds ? t : .infinity)
                    }
                }
            }
        }
        return out.values()
    }

    /// Per origin, minutes at each percentile (nearest rank over the window's minutes, the
    /// unreachable sorting last); nil where that rank is unreachable.
    static func summaries(_ seconds: [Double], minutes n: Int, percentiles: [Int]) -> [[Double?]] {
        guard n > 0 else { return [] }
        let origins = seconds.count / n
        var sorted = [Double](repeating: 0, count: n)
        return (0..<origins).map { o in
            for i in 0..<n { sorted[i] = seconds[o * n + i] }
            sorted.sort()
            return percentiles.map { p in
                let t = sorted[Self.rank(p, of: n)]
                return t.isFinite ? t / 60 : nil
            }
        }
    }

    /// The nearest-rank index of percentile p among n sorted values: ⌈p/100 · n⌉ − 1.
    static func rank(_ p: Int, of n: Int) -> Int {
        max(0, min(n - 1, (p * n + 99) / 100 - 1))
    }

    /// The cell properties in output order.
    public func cellSchema(compared: Bool) -> [PropertySpec] {
        [Self.minutesSpec] + options.percentiles.map(Self.percentileSpec) + (compared ? [Self.ratioCellSpec] : [])
    }

    static let minutesSpec = PropertySpec(
        "minutes", .real,
        "median (nearest rank) over the departure window's minutes of the travel time by public transport and on foot to the nearest destination; null when the median minute reaches none within max-minutes")

    static func percentileSpec(_ p: Int) -> PropertySpec {
        PropertySpec(
            "minutes_p\(p)", .real,
            "the \(p)th percentile (nearest rank: the ⌈\(p)/100 · n⌉-th shortest of the window's n minutes) of the travel time; null when unreachable")
    }

    static let ratioCellSpec = PropertySpec(
        "ratio_to_car", .real,
        "restidskvot: minutes by public transport / minutes by car for the same cell (compare-car); null when either is missing or the car's is 0")

    static let ratioAreaSpec = PropertySpec(
        "ratio_to_car", .real, "restidskvot: population-weighted mean of the cells' ratio_to_car over the cells that have one")

    /// The cell properties for the command's help, a percentile standing for all.
    public static let helpCellSchema: [PropertySpec] = [
        minutesSpec,
        PropertySpec("minutes_pNN", .real, "the NNth percentile (nearest rank) of the travel time over the window's minutes, per --percentiles"),
        ratioCellSpec,
    ]
    public static let helpAreaRatio: [PropertySpec] = [ratioAreaSpec]

    /// The area properties: the car's summary of the cells' `minutes`, and the restidskvot.
    public func summarySchema(compared: Bool) -> [PropertySpec] {
        HealthcareAccess(thresholds: thresholds).summarySchema + (compared ? [Self.ratioAreaSpec] : [])
    }

    private func areaLayer(
        inputs: HealthcareAccess.Inputs, prepared: PreparedInputs, minutes: [Double?], ratio: [Double?]?, session: Session
    ) throws -> Layer {
        let base = HealthcareAccess(thresholds: thresholds)
        let fields = summarySchema(compared: ratio != nil).map(\.field)
        func values(_ members: [Int]) -> [Value] {
            var v = base.summaryValues(base.summarize(minutes: members.map { minutes[$0] }, population: members.map { prepared.population[$0] }))
            if let ratio {
                var weighted = 0.0, weight = 0.0
                for i in members {
                    guard let r = ratio[i], prepared.population[i] > 0 else { continue }
                    weighted += r * prepared.population[i]
                    weight += prepared.population[i]
                }
                v.append(weight > 0 ? .double(weighted / weight) : .null)
            }
            return v
        }
        guard let areasInput = inputs.areas else {
            return Layer(
                source: "", format: "GeoJSON", crs: .wgs84, fields: [Field("area", .string)] + fields,
                features: [Feature(geometry: nil, values: [.string("all")] + values(Array(minutes.indices)))])
        }
        let areas = try areasInput.reprojected(to: prepared.origins.crs ?? .wgs84, context: session.proj)
        if let areaId = inputs.areaId { _ = try areas.fieldIndex(areaId) }
        let areaIndex = try AreaIndex(areas, context: session.geos)
        var members = [[Int]](repeating: [], count: areas.features.count)
        for (cell, point) in prepared.originPoints.enumerated() {
            if let point, let area = try areaIndex.area(containing: point) { members[area].append(cell) }
        }
        var out = try areasInput.reprojected(to: .wgs84, context: session.proj)
        out.fields += fields
        for a in out.features.indices { out.features[a].values += values(members[a]) }
        return out
    }

    /// The car's minutes per origin from a cells layer of `atlas access --mode car` on the same
    /// origins: matched by the origin id field when there is one, else by feature order with
    /// each cell's centroid checked against the origin's.
    static func carMinutes(_ car: Layer, inputs: HealthcareAccess.Inputs, prepared: PreparedInputs, session: Session) throws -> [Double?] {
        let column = try car.values(of: "minutes")
        var minutes: [Double?] = []
        for (i, value) in column.enumerated() {
            if value.isNull { minutes.append(nil); continue }
            guard let m = value.number, m >= 0, m.isFinite else {
                throw AtlasError(file: car.source, record: i + 1, field: "minutes", "expected minutes (a number ≥ 0) or null")
            }
            minutes.append(m)
        }
        let count = prepared.originPoints.count
        if let idField = inputs.originId, car.fields.contains(where: { $0.name == idField }) {
            var byId: [String: Int] = [:]
            for (i, value) in try car.values(of: idField).enumerated() {
                guard let id = value.text else { throw AtlasError(file: car.source, record: i + 1, field: idField, "the origin id is empty") }
                guard byId.updateValue(i, forKey: id) == nil else {
                    throw AtlasError(file: car.source, record: i + 1, field: idField, "the origin id '\(id)' appears twice")
                }
            }
            return try prepared.origins.values(of: idField).enumerated().map { i, value in
                guard let id = value.text, let k = byId[id] else {
                    throw AtlasError(
                        file: car.source, field: idField,
                        "has no cell for origin '\(value.text ?? "")' (record \(i + 1) of \(inputs.origins.source))")
                }
                return minutes[k]
            }
        }
        guard car.features.count == count else {
            throw AtlasError(
                file: car.source,
                "has \(car.features.count) cells but the origins have \(count); give origin-id to match them by id")
        }
        let metric = try car.reprojected(to: prepared.origins.crs ?? .wgs84, context: session.proj)
        let points = try metric.centroids(context: session.geos)
        for i in 0..<count {
            switch (points[i], prepared.originPoints[i]) {
            case (nil, nil): continue
            case (let a?, let b?) where ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot() <= 1: continue
            default:
                throw AtlasError(
                    file: car.source, record: i + 1,
                    "the cell does not stand where origin \(i + 1) does (more than 1 m apart): not a cells layer of the same origins, or give origin-id to match by id")
            }
        }
        return minutes
    }
}

/// Origins and destinations placed in the network's CRS: population per origin, one point per
/// feature (nil without geometry), destinations after the filter.
struct PreparedInputs {
    var origins: Layer
    var population: [Double]
    var originPoints: [Coordinate?]
    var destinations: Layer
    var destinationPoints: [Coordinate?]

    init(_ inputs: HealthcareAccess.Inputs, crs: CRS, session: Session) throws {
        origins = try inputs.origins.reprojected(to: crs, context: session.proj)
        let column = try origins.values(of: inputs.populationField)
        population = try column.enumerated().map { i, value in
            if value.isNull { return 0 }
            guard let p = value.parsedNumber, p >= 0, p.isFinite else {
                throw AtlasError(file: inputs.origins.source, record: i + 1, field: inputs.populationField, "expected a population (a number ≥ 0)")
            }
            return p
        }
        originPoints = try origins.centroids(context: session.geos)
        destinations = try inputs.destinations.reprojected(to: crs, context: session.proj)
        if let filter = inputs.destinationFilter {
            let keep = try filter.matches(destinations)
            destinations.features = zip(destinations.features, keep).filter(\.1).map(\.0)
            guard !destinations.features.isEmpty else {
                throw AtlasError(file: inputs.destinations.source, "no destination matches the filter")
            }
        }
        destinationPoints = try destinations.centroids(context: session.geos)
    }
}

/// Seconds written by several workers, each to its own indices, into one buffer.
private final class SecondsSlots: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<Double>

    init(_ count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: .infinity)
    }

    deinit { buffer.deallocate() }

    /// Safe without a lock: no two workers ever write the same index.
    func set(_ i: Int, _ value: Double) { buffer[i] = value }

    func values() -> [Double] { Array(buffer) }
}

extension RoadGraph {
    /// The same network walked at `kmh` wherever it may be travelled.
    func atWalkingSpeed(_ kmh: Double) throws -> RoadGraph {
        var segments = RoadSegmentList()
        segments.reserveCapacity(segmentCount)
        for i in 0..<segmentCount {
            segments.append(
                from: segmentStart[i], to: segmentEnd[i], forwardSpeed: forwardSeconds[i].isFinite ? kmh : 0,
                backwardSpeed: backwardSeconds[i].isFinite ? kmh : 0)
        }
        return try RoadGraph(crs: crs, x: x, y: y, segments: segments)
    }
}

extension TransitAccess.Outputs {
    /// The travel minutes per origin (rows, in layer order) and departure minute (columns named
    /// HH:MM), empty where unreachable; written whole or not at all.
    public func writeMinutesCSV(to path: String) throws {
        let file = try AtomicFile(path: path)
        let n = minutes.count
        var text = (["origin"] + minutes.map { String(format: "%02d:%02d", $0 / 3600, $0 / 60 % 60) }).joined(separator: ",") + "\n"
        for (o, label) in originLabels.enumerated() {
            let quoted = label.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + label.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : label
            text += quoted
            for i in 0..<n {
                let t = seconds[o * n + i]
                text += t.isFinite ? "," + String(format: "%.6f", t / 60) : ","
            }
            text += "\n"
            if text.utf8.count > 1 << 20 {
                try file.write(text)
                text = ""
            }
        }
        try file.write(text)
        try file.commit()
    }
}
