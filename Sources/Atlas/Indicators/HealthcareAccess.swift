import Foundation

/// Population-weighted travel-time figures for one area.
public struct AccessSummary: Equatable, Sendable {
    public var population: Double
    public var populationUnreachable: Double
    /// Mean and weighted median minutes over the reachable population; nil when nobody is reachable.
    public var meanMinutes: Double?
    public var medianMinutes: Double?
    /// Share of the whole population (0–1) within each threshold; nil for an empty area.
    public var shareWithin: [Double?]
    /// Shares in the PIPOS classes ≤ 5, 5–10, 10–30 and > 30 minutes (unreachable counts as > 30).
    public var classShares: [Double?]
}

/// Indicator 3, travel time to healthcare (the PIPOS / Tillväxtanalys method): the fastest
/// route on the road network from every populated cell to the nearest care point, reported per
/// area as population shares within thresholds and in the PIPOS classes.
///
/// Origins are grid cells (polygons use their centroid) or points, in the network's CRS;
/// each gets `minutes` and `nearest_id`. Class limits are inclusive at the top: a cell 5.0
/// minutes away is in "0–5" and within 5 minutes, so `share_0_5` equals `share_within_5`.
/// Shares are of the whole population, unreachable people included (and counted as > 30).
public struct HealthcareAccess: Sendable {
    public var thresholds: [Double]
    public var search: NearestFacility

    /// Upper limits (minutes) of the PIPOS classes and their property names.
    public static let pipos: [(name: String, label: String, upper: Double)] = [
        ("share_0_5", "0–5 minutes", 5), ("share_5_10", "5–10 minutes", 10), ("share_10_30", "10–30 minutes", 30),
        ("share_30_plus", "over 30 minutes or unreachable", .infinity),
    ]

    public init(thresholds: [Double] = [5, 10, 30], search: NearestFacility = NearestFacility()) {
        self.thresholds = thresholds
        self.search = search
    }

    /// Figures for a set of cells given their minutes (nil when unreachable) and population.
    public func summarize(minutes: [Double?], population: [Double]) -> AccessSummary {
        var total = 0.0, unreachable = 0.0, reachable = 0.0, weighted = 0.0
        var within = [Double](repeating: 0, count: thresholds.count)
        var classes = [Double](repeating: 0, count: Self.pipos.count)
        var reached: [(minutes: Double, population: Double)] = []
        for (m, p) in zip(minutes, population) where p > 0 {
            total += p
            guard let m else {
                unreachable += p
                classes[classes.count - 1] += p
                continue
            }
            reachable += p
            weighted += m * p
            reached.append((m, p))
            for (k, t) in thresholds.enumerated() where m <= t { within[k] += p }
            classes[Self.pipos.firstIndex { m <= $0.upper }!] += p
        }
        var median: Double?
        if reachable > 0 {
            // A national grid has hundreds of thousands of cells: one radix sort of the minutes,
            // stable as the standard sort is, so ties add up in the same order.
            var keys = reached.map { Self.sortKey($0.minutes) }
            var running = 0.0
            for k in keys.radixSortReturningPositions() {
                running += reached[Int(k)].population
                if running >= reachable / 2 { median = reached[Int(k)].minutes; break }
            }
        }
        return AccessSummary(
            population: total, populationUnreachable: unreachable,
            meanMinutes: reachable > 0 ? weighted / reachable : nil, medianMinutes: median,
            shareWithin: within.map { total > 0 ? $0 / total : nil },
            classShares: classes.map { total > 0 ? $0 / total : nil })
    }

    /// An integer that orders as the number does: the sign bit flipped for a positive number,
    /// every bit for a negative one; −0 counts as 0.
    static func sortKey(_ value: Double) -> UInt64 {
        let bits = (value + 0).bitPattern
        return bits >> 63 == 1 ? ~bits : bits | 1 << 63
    }

    /// A selection of destinations: features matching any listed value of each named field.
    public struct DestinationFilter: Sendable {
        public var values: [(field: String, value: String)]

        public init(_ values: [(field: String, value: String)]) { self.values = values }

        /// Parses `FIELD=VALUE` texts.
        public init(parsing texts: [String]) throws {
            values = try texts.map { text in
                guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                    throw AtlasError("destination filter: expected FIELD=VALUE, got '\(text)'")
                }
                return (String(text[..<eq]), String(text[text.index(after: eq)...]))
            }
        }

        func matches(_ layer: Layer) throws -> [Bool] {
            var byField: [String: Set<String>] = [:]
            for v in values { byField[v.field, default: []].insert(v.value) }
            var keep = [Bool](repeating: true, count: layer.features.count)
            for (field, accepted) in byField.sorted(by: { $0.key < $1.key }) {
                let column = try layer.values(of: field)
                for i in keep.indices where keep[i] {
                    keep[i] = column[i].text.map { accepted.contains($0) } ?? false
                }
            }
            return keep
        }
    }

    public struct Inputs {
        public var origins: Layer
        public var populationField: String
        public var originId: String?
        public var destinations: Layer
        public var destinationId: String?
        public var destinationFilter: DestinationFilter?
        public var areas: Layer?
        public var areaId: String?

        public init(
            origins: Layer, populationField: String, originId: String? = nil, destinations: Layer,
            destinationId: String? = nil, destinationFilter: DestinationFilter? = nil,
            areas: Layer? = nil, areaId: String? = nil
        ) {
            self.origins = origins
            self.populationField = populationField
            self.originId = originId
            self.destinations = destinations
            self.destinationId = destinationId
            self.destinationFilter = destinationFilter
            self.areas = areas
            self.areaId = areaId
        }
    }

    /// The layers the indicator publishes, in WGS 84.
    public struct Outputs {
        /// One feature per area (or one for everything, without geometry, when no areas were given).
        public var areas: Layer
        /// The origins with `minutes` and `nearest_id`.
        public var cells: Layer
        /// Per threshold, the union of the cells reached within it (polygon origins only).
        public var isochrones: Layer?
        public var result: NearestFacilityResult
        /// Wall time of the steps around the search (`result.stageSeconds`), for `--timings`.
        public var stageSeconds: [(stage: String, seconds: Double)] = []
    }

    public func run(graph: RoadGraph, inputs: Inputs, isochrones: Bool = false, session: Session) throws -> Outputs {
        guard let crs = graph.crs else { throw AtlasError("the road network has no coordinate reference system") }
        guard !thresholds.isEmpty, thresholds.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw AtlasError("thresholds must be positive minutes")
        }
        let context = session.geos
        var clock = StageClock()

        let origins = inputs.origins
        // Where each origin stands in the network's CRS, on all cores, without building the
        // projected layer; a layer without a CRS is the error `requireCRS` words.
        _ = try origins.requireCRS()
        let originPoints = try CellCentroids.compute(origins, metric: crs, transform: origins.crs != crs)
        let populationColumn = try origins.values(of: inputs.populationField)
        var population: [Double] = []
        population.reserveCapacity(populationColumn.count)
        for (i, value) in populationColumn.enumerated() {
            if value.isNull { population.append(0); continue }
            guard let p = value.parsedNumber, p >= 0, p.isFinite else {
                throw AtlasError(file: origins.source, record: i + 1, field: inputs.populationField, "expected a population (a number ≥ 0)")
            }
            population.append(p)
        }
        clock.lap("origins")

        var destinations = try inputs.destinations.reprojected(to: crs, context: session.proj)
        if let filter = inputs.destinationFilter {
            let keep = try filter.matches(destinations)
            destinations.features = zip(destinations.features, keep).filter(\.1).map(\.0)
            guard !destinations.features.isEmpty else {
                throw AtlasError(file: destinations.source, "no destination matches the filter")
            }
        }
        let destinationIds: [String]
        if let field = inputs.destinationId {
            destinationIds = try destinations.values(of: field).enumerated().map { $0.element.text ?? "\($0.offset + 1)" }
        } else {
            destinationIds = destinations.features.indices.map { String($0 + 1) }
        }
        let destinationPoints = try destinations.centroids(context: context)
        clock.lap("destinations")

        // Features without a geometry cannot be placed: they count as unreachable.
        let placedOrigins = originPoints.indices.filter { originPoints[$0] != nil }
        let placedDestinations = destinationPoints.indices.filter { destinationPoints[$0] != nil }
        var result = try search.run(
            graph: graph, origins: placedOrigins.map { originPoints[$0]! },
            destinations: placedDestinations.map { destinationPoints[$0]! })
        clock.lap("nearest facility")
        result = Self.expand(result, origins: placedOrigins, count: originPoints.count, destinations: placedDestinations)
        let unplaced = originPoints.indices.filter { originPoints[$0] == nil }
        result.unsnappedOrigins = (result.unsnappedOrigins + unplaced).sorted()

        if !result.unsnappedDestinations.isEmpty {
            let names = result.unsnappedDestinations.prefix(5).map { destinationIds[$0] }.joined(separator: ", ")
            session.diagnostics.warning("\(result.unsnappedDestinations.count) destinations are more than \(search.maxSnap) m from a road and are left out (first: \(names))")
        }
        let originIds = try inputs.originId.map { try origins.values(of: $0) }
        let islandReport = result.islandReport { i in originIds?[i].text ?? "record \(i + 1)" }
        islandReport.warnings.forEach(session.diagnostics.warning)
        if let summary = islandReport.summary { session.diagnostics.info(summary) }
        if !result.unsnappedOrigins.isEmpty {
            let ids = try inputs.originId.map { try origins.values(of: $0) }
            let names = result.unsnappedOrigins.prefix(5).map { i in ids?[i].text ?? "record \(i + 1)" }.joined(separator: ", ")
            session.diagnostics.warning("\(result.unsnappedOrigins.count) origins are more than \(search.maxSnap) m from a road and count as unreachable (first: \(names))")
        }

        clock.lap("warnings")
        let minutes = result.seconds.map { $0.isFinite ? $0 / 60 : nil }
        let cellsWGS84 = try inputs.origins.reprojected(to: .wgs84, context: session.proj)
        var cells = cellsWGS84
        cells.fields += Self.cellSchema.map(\.field)
        // Each cell with its three values more, on all cores: a national grid has many cells.
        let features = cellsWGS84.features, nearest = result.nearest, snapMetres = result.originSnapMetres
        cells.features = concurrentMap(Array(features.indices), placeholder: Feature(geometry: nil, values: [])) { i in
            var cell = features[i]
            cell.values.reserveCapacity(cell.values.count + 3)
            cell.values.append(minutes[i].map(Value.double) ?? .null)
            cell.values.append(nearest[i] >= 0 ? .string(destinationIds[Int(nearest[i])]) : .null)
            cell.values.append(snapMetres[i].isFinite ? .double(snapMetres[i]) : .null)
            return cell
        }

        clock.lap("cells")
        let areas = try areaLayer(inputs: inputs, metric: crs, originPoints: originPoints, minutes: minutes, population: population, session: session)
        clock.lap("areas")
        let isochroneLayer = isochrones ? try isochroneLayer(cells: cellsWGS84, minutes: minutes, population: population, context: context) : nil
        if isochrones { clock.lap("isochrones") }
        return Outputs(areas: areas, cells: cells, isochrones: isochroneLayer, result: result, stageSeconds: clock.laps)
    }

    /// The summary properties in output order.
    public var summarySchema: [PropertySpec] {
        [
            PropertySpec("population", .real, "people in the area's populated cells"),
            PropertySpec("population_unreachable", .real, "people whose cell reaches no destination"),
            PropertySpec("mean_minutes", .real, "population-weighted mean travel time of the reachable population"),
            PropertySpec("median_minutes", .real, "population-weighted median travel time of the reachable population"),
        ]
            + thresholds.map { t in
                let minutes = Value.double(t).text!
                return PropertySpec("share_within_\(minutes)", .real, "share of the population, 0–1, within \(minutes) minutes")
            }
            + Self.pipos.map { PropertySpec($0.name, .real, "share of the population, 0–1, in the PIPOS class \($0.label)") }
    }

    public var summaryFields: [Field] { summarySchema.map(\.field) }

    /// The properties added to each origin cell.
    public static let cellSchema: [PropertySpec] = [
        PropertySpec("minutes", .real, "travel time to the nearest destination; null when none is reachable"),
        PropertySpec("nearest_id", .string, "the nearest destination"),
        PropertySpec("snap_m", .real, "metres walked between the cell's centre and the road it starts on; null when no road is near"),
    ]

    public static let isochroneSchema: [PropertySpec] = [
        PropertySpec("minutes", .real, "the threshold"),
        PropertySpec("population", .real, "people in the cells reached within the threshold"),
    ]

    func summaryValues(_ s: AccessSummary) -> [Value] {
        func number(_ d: Double?) -> Value { d.map(Value.double) ?? .null }
        return [.double(s.population), .double(s.populationUnreachable), number(s.meanMinutes), number(s.medianMinutes)]
            + s.shareWithin.map(number) + s.classShares.map(number)
    }

    private func areaLayer(
        inputs: Inputs, metric: CRS, originPoints: [Coordinate?], minutes: [Double?], population: [Double],
        session: Session
    ) throws -> Layer {
        guard let areasInput = inputs.areas else {
            return Layer(
                source: "", format: "GeoJSON", crs: .wgs84, fields: [Field("area", .string)] + summaryFields,
                features: [Feature(geometry: nil, values: [.string("all")] + summaryValues(summarize(minutes: minutes, population: population)))])
        }
        let areas = try areasInput.reprojected(to: metric, context: session.proj)
        if let areaId = inputs.areaId { _ = try areas.fieldIndex(areaId) }
        let areaIndex = try AreaIndex(areas, context: session.geos)
        let areaOf = try originPoints.map { try $0.flatMap(areaIndex.area(containing:)) }
        var members = [[Int]](repeating: [], count: areas.features.count)
        for (cell, area) in areaOf.enumerated() { if let area { members[area].append(cell) } }
        var out = try areasInput.reprojected(to: .wgs84, context: session.proj)
        out.fields += summaryFields
        for a in out.features.indices {
            let summary = summarize(minutes: members[a].map { minutes[$0] }, population: members[a].map { population[$0] })
            out.features[a].values += summaryValues(summary)
        }
        return out
    }

    func isochroneLayer(cells: Layer, minutes: [Double?], population: [Double], context: GEOSContext) throws -> Layer {
        var features: [Feature] = []
        for t in thresholds {
            var parts: [GEOSGeometry] = []
            var reached = 0.0
            for (i, feature) in cells.features.enumerated() {
                guard let m = minutes[i], m <= t, let g = feature.geometry, !g.polygons.isEmpty else { continue }
                parts.append(try GEOSGeometry(g, context: context))
                reached += population[i]
            }
            let union = try GEOSGeometry.unaryUnion(of: parts, context: context)
            features.append(Feature(geometry: try union.toGeometry(), values: [.double(t), .double(reached)]))
        }
        return Layer(source: "", format: "GeoJSON", crs: .wgs84, fields: Self.isochroneSchema.map(\.field), features: features)
    }

    /// Maps a result over the placed origins back to all origins.
    static func expand(_ r: NearestFacilityResult, origins placed: [Int], count: Int, destinations: [Int]) -> NearestFacilityResult {
        r.mapped(origins: placed, count: count, destinations: destinations)
    }
}
