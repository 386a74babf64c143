import Foundation

/// How a population cell counts as near a qualifying stop.
public enum PopulationModel: String, Sendable, CaseIterable {
    /// The whole cell counts when its centroid is within the radius of a qualifying stop.
    case centroid
    /// The cell counts by the share of its area inside the union of the stops' radius circles.
    case areal
}

/// How a population cell's people are given to the report areas.
public enum AreaAssignment: String, Sendable, CaseIterable {
    /// All to the area holding the cell's centroid.
    case centroid
    /// Split between the areas the cell overlaps, by area fraction: small areas that hold no
    /// cell centroid (urban DeSO against a 1 km grid) still get their part.
    case areal
}

/// Kollektivtrafiknära läge: the share of the population within a straight-line radius
/// (500 m nationally, 400 m for Boverket) of a stop with enough departures.
///
/// Stops come as a point layer with a boolean `qualifies` field: from a GTFS feed
/// (`StopDepartures.stopsLayer`) or from a published stops layer (`qualifyingStops`).
/// Everything is computed in the metric CRS chosen for the population layer.
public enum TransitProximity {
    /// The properties of the areas layer, after the area id.
    public static let areaSchema: [PropertySpec] = [
        PropertySpec("population", .real, "people living in the area"),
        PropertySpec("population_near", .real, "people within the radius of a qualifying stop"),
        PropertySpec("share_near", .real, "population_near / population, 0–1; null when nobody lives in the area"),
    ]
    /// The properties of a stops layer counted from GTFS.
    public static let gtfsStopSchema: [PropertySpec] = [
        PropertySpec("stop_id", .string, "the stop, or the parent station its platforms are grouped under"),
        PropertySpec("stop_name", .string, "the stop's name"),
        PropertySpec("departures", .integer, "departures in the window"),
        PropertySpec("min_per_hour", .integer, "departures in the window's quietest hour"),
        PropertySpec("qualifies", .boolean, "whether the stop has the departures the rule asks for"),
    ]
    /// The properties added to a published stops layer.
    public static let layerStopSchema: [PropertySpec] = [
        PropertySpec("departures", .real, "the stop's departures, from the departures field"),
        PropertySpec("qualifies", .boolean, "whether the stop has at least min-departures"),
    ]
    /// The properties of a published stops layer grouped by parent: one feature per group.
    public static let groupedStopSchema: [PropertySpec] = [
        PropertySpec("stop_id", .string, "the group: the parent station, or the platform itself when it has none"),
        PropertySpec("departures", .real, "departures of all the group's platforms together"),
        PropertySpec("qualifies", .boolean, "whether the group has at least min-departures"),
        PropertySpec("platforms", .integer, "the platforms in the group; a home is near when within the radius of any of them"),
    ]
    public static let radiusProperty = PropertySpec("radius", .real, "the straight-line radius in metres around each qualifying stop")

    public struct Options: Sendable {
        public var radius: Double
        public var model: PopulationModel
        /// Segments per quarter circle of the radius buffers (areal model and coverage);
        /// 16 as in Shapely and GeoPandas.
        public var quadrantSegments: Int
        public var areaAssignment: AreaAssignment

        public init(
            radius: Double = 500, model: PopulationModel = .centroid, quadrantSegments: Int = 16,
            areaAssignment: AreaAssignment = .centroid
        ) {
            self.radius = radius
            self.model = model
            self.quadrantSegments = quadrantSegments
            self.areaAssignment = areaAssignment
        }
    }

    public struct Result {
        /// One feature per area in WGS 84: the area id, `population`, `population_near`,
        /// `share_near` (null when the population is 0).
        public var areas: Layer
        /// Population cells whose centroid lies in no area.
        public var cellsOutsideAreas: Int
        public var population: Double
        public var populationNear: Double
        public var qualifyingStops: Int
        /// The metric CRS the computation ran in.
        public var metricCRS: CRS
        /// Wall seconds of each step: projecting, indexing, distance tests, area assignment.
        public var stageSeconds: [(stage: String, seconds: Double)] = []
    }

    /// Marks the stops of a published layer: `departures` copies `departuresField`, and a stop
    /// `qualifies` with at least `minDepartures`. Empty values count as 0 departures.
    public static func qualifyingStops(_ layer: Layer, departuresField: String, minDepartures: Double) throws -> Layer {
        let departures = try departures(layer, departuresField)
        // Fields of those names already in the layer (an earlier atlas output) are replaced.
        var out = layer
        let added = layerStopSchema.map(\.name)
        let kept = layer.fields.indices.filter { !added.contains(layer.fields[$0].name) }
        out.fields = kept.map { layer.fields[$0] } + layerStopSchema.map(\.field)
        for i in out.features.indices {
            out.features[i].values = kept.map { layer.features[i].values[$0] }
            out.features[i].values += [.double(departures[i]), .bool(departures[i] >= minDepartures)]
        }
        return out
    }

    /// The stops of a published layer grouped by `parentField` (platforms on either side of a
    /// street are one stop): one feature per group, its platforms as a multipoint, `departures`
    /// the group's sum and `qualifies` with at least `minDepartures`. A platform with an empty
    /// parent is a group of its own, named by its `stop_id` when the layer has one.
    public static func groupedStops(_ layer: Layer, departuresField: String, parentField: String, minDepartures: Double) throws -> Layer {
        let departures = try departures(layer, departuresField)
        let parents = try layer.values(of: parentField)
        let ownIDs = layer.fields.contains { $0.name == "stop_id" } ? try layer.values(of: "stop_id") : nil
        var groupOf: [String: Int] = [:]
        var groups: [(id: String, departures: Double, points: [Coordinate])] = []
        for (i, feature) in layer.features.enumerated() {
            let parent = parents[i].text?.trimmingCharacters(in: .whitespaces) ?? ""
            let id = parent.isEmpty ? (ownIDs?[i].text ?? "record \(i + 1)") : parent
            let points = feature.geometry?.points ?? []
            if let g = groupOf[id] {
                groups[g].departures += departures[i]
                groups[g].points += points
            } else {
                groupOf[id] = groups.count
                groups.append((id, departures[i], points))
            }
        }
        return Layer(
            source: layer.source, format: layer.format, crs: layer.crs, fields: groupedStopSchema.map(\.field),
            features: groups.map { group in
                Feature(
                    geometry: group.points.count == 1 ? .point(group.points[0]) : .multiPoint(group.points),
                    values: [
                        .string(group.id), .double(group.departures), .bool(group.departures >= minDepartures),
                        .int(group.points.count),
                    ])
            })
    }

    /// The departures field as numbers; an empty value counts as 0 departures.
    static func departures(_ layer: Layer, _ field: String) throws -> [Double] {
        try layer.values(of: field).enumerated().map { i, value in
            if value.isNull { return 0 }
            guard let number = value.parsedNumber, number >= 0, number.isFinite else {
                throw AtlasError(file: layer.source, record: i + 1, field: field, "'\(value.text ?? "")' is not a number of departures")
            }
            return number
        }
    }

    public static func compute(
        stops: Layer, population: Layer, populationField: String, areas: Layer, areaId: String,
        options: Options = Options(), session: Session
    ) throws -> Result {
        guard options.radius >= 1, options.radius <= 100_000 else {
            throw AtlasError("the radius must be between 1 and 100000 metres, got \(options.radius)")
        }
        var clock = StageClock()
        let projection = session.proj
        let metric = try population.metricCRS(context: projection)
        // The areal model and the areal assignment need the projected cells; the centroid rules
        // only where each cell stands.
        let needsCells = options.model == .areal || options.areaAssignment == .areal
        let metricCells = needsCells ? try population.toMetric(context: projection) : nil
        let cellCentroids = try CellCentroids.compute(
            metricCells ?? population, metric: metric.crs, transform: metricCells == nil && metric.transform)
        let metricStops = try stops.reprojected(to: metric.crs, context: projection)
        let metricAreas = try areas.reprojected(to: metric.crs, context: projection)
        let populationColumn = try population.fieldIndex(populationField)
        let areaColumn = try areas.fieldIndex(areaId)
        let qualifiesColumn = try stops.fieldIndex("qualifies")

        var points: [Coordinate] = []
        for feature in metricStops.features where feature.values[qualifiesColumn] == .bool(true) {
            points += feature.geometry?.points ?? []
        }
        let cells = try Cells(population, populationColumn, populationField, cellCentroids, metricCells)
        clock.lap("projecting")

        let geos = session.geos
        let areaIndex = try AreaIndex(metricAreas, context: geos)
        let nearShare: [Double]
        switch options.model {
        case .centroid:
            let stopIndex = PointGrid(points, cellSize: options.radius)
            clock.lap("indexing")
            let (radius, centroids) = (options.radius, cells.centroids)
            nearShare = try ParallelRanges.map(centroids.count) { _, range in
                range.map { stopIndex.anyWithin(radius, of: centroids[$0]) ? 1.0 : 0.0 }
            }.flatMap { $0 }
        case .areal:
            let coverage = try coverageGeometry(points, options, geos)
            let prepared = try PreparedGeometry(coverage)
            clock.lap("indexing")
            nearShare = try cells.arealShares(coverage, prepared, geos)
        }
        clock.lap("distance tests")

        let (centroids, indexedAreas) = (cells.centroids, areaIndex.areas)
        let areaOf = try ParallelRanges.map(centroids.count) { context, range in
            let index = AreaIndex(indexedAreas, context: context)
            return try range.map { try index.area(containing: centroids[$0]) }
        }.flatMap { $0 }
        var areaPopulation = [Double](repeating: 0, count: areas.features.count)
        var areaNear = [Double](repeating: 0, count: areas.features.count)
        var outside = 0
        // Summed in cell order, one cell at a time, whatever the threads did.
        for (i, people) in cells.people.enumerated() {
            guard let a = areaOf[i] else {
                if people > 0 { outside += 1 }
                continue
            }
            if options.areaAssignment == .centroid {
                areaPopulation[a] += people
                areaNear[a] += people * nearShare[i]
            }
        }
        if options.areaAssignment == .areal {
            // The same area-weighted overlay as the re-aggregation of indicator 1.
            let polygons = try cells.geometries.enumerated().map { i, geometry in
                guard let geometry else {
                    throw AtlasError(file: population.source, record: i + 1, "areal assignment needs polygon cells, not points")
                }
                return geometry
            }
            let figures = cells.people.indices.map {
                AreaFigures(count: cells.people[$0] * nearShare[$0], total: cells.people[$0], share: nil)
            }
            let split = try Reaggregation.apportionment(
                sources: polygons, targets: metricAreas.features.map { $0.geometry ?? .collection([]) }, weights: nil,
                diagnostics: session.diagnostics
            ).apply(figures)
            areaPopulation = split.map { $0.total ?? 0 }
            areaNear = split.map { $0.count ?? 0 }
        }

        let wgs84Areas = try areas.reprojected(to: .wgs84, context: projection)
        let idField = areas.fields[areaColumn]
        let kept = areas.keptAttributes(idField: areaColumn, replacedBy: areaSchema.map(\.name))
        var out = Layer(
            source: areas.source, format: "GeoJSON", crs: .wgs84,
            fields: [idField] + areaSchema.map(\.field) + kept.fields,
            features: [])
        for (a, feature) in wgs84Areas.features.enumerated() {
            let share: Value = areaPopulation[a] > 0 ? .double(areaNear[a] / areaPopulation[a]) : .null
            out.features.append(Feature(
                geometry: feature.geometry,
                values: [feature.values[areaColumn], .double(areaPopulation[a]), .double(areaNear[a]), share] + kept.values[a]))
        }
        clock.lap("area assignment")
        return Result(
            areas: out, cellsOutsideAreas: outside, population: areaPopulation.reduce(0, +),
            populationNear: areaNear.reduce(0, +), qualifyingStops: points.count, metricCRS: metric.crs,
            stageSeconds: clock.laps)
    }

    /// The population cells as the computation takes them: people, where each stands in the
    /// metric CRS and, for the areal rules, each projected polygon.
    struct Cells {
        var people: [Double] = []
        var centroids: [Coordinate] = []
        /// Each projected cell, nil for a point; empty unless the projected layer was given.
        var geometries: [Geometry?] = []

        init(_ population: Layer, _ column: Int, _ field: String, _ centroids: [Coordinate?], _ projected: Layer?) throws {
            let features = population.features
            people.reserveCapacity(features.count)
            self.centroids.reserveCapacity(features.count)
            for i in features.indices {
                let value = features[i].values[column]
                guard let count = value.isNull ? 0 : value.parsedNumber, count.isFinite, count >= 0 else {
                    throw AtlasError(
                        file: population.source, record: i + 1, field: field, "'\(value.text ?? "")' is not a population count")
                }
                // Only a cell without geometry or with an empty one has no centroid.
                guard let c = centroids[i] else {
                    let what = features[i].geometry == nil ? "the cell has no geometry" : "the cell geometry is empty"
                    throw AtlasError(file: population.source, record: i + 1, what)
                }
                people.append(count)
                self.centroids.append(c)
                if let projected, let geometry = projected.features[i].geometry {
                    geometries.append(geometry.polygons.isEmpty ? nil : geometry)
                }
            }
        }

        /// The areal model: each cell's share of its area inside the coverage.
        func arealShares(_ coverage: GEOSGeometry, _ prepared: PreparedGeometry, _ geos: GEOSContext) throws -> [Double] {
            var shares = [Double](repeating: 0, count: people.count)
            for i in people.indices {
                guard let geometry = geometries[i] else {
                    // A population point has no area: it is near when it lies in the coverage.
                    shares[i] = try prepared.coversPoint(centroids[i]) ? 1 : 0
                    continue
                }
                let cell = try GEOSGeometry(geometry, context: geos)
                if try prepared.covers(cell) {
                    shares[i] = 1
                } else if try prepared.intersects(cell) {
                    let area = try cell.area
                    shares[i] = area > 0 ? min(1, try cell.intersection(coverage).area / area) : 0
                }
            }
            return shares
        }
    }

    /// The union of the radius circles around the qualifying stops, in WGS 84.
    public static func coverage(stops: Layer, metricCRS: CRS, options: Options = Options(), session: Session) throws -> Geometry {
        let metricStops = try stops.reprojected(to: metricCRS, context: session.proj)
        let qualifiesColumn = try stops.fieldIndex("qualifies")
        let points = metricStops.features.flatMap { f -> [Coordinate] in
            f.values[qualifiesColumn] == .bool(true) ? f.geometry?.points ?? [] : []
        }
        let union = try coverageGeometry(points, options, session.geos).toGeometry()
        return try session.transformer(from: metricCRS, to: .wgs84).transform(union)
    }

    static func coverageGeometry(_ points: [Coordinate], _ options: Options, _ geos: GEOSContext) throws -> GEOSGeometry {
        let circles = try points.map {
            try GEOSGeometry(.point($0), context: geos).buffer(distance: options.radius, quadrantSegments: options.quadrantSegments)
        }
        return try GEOSGeometry.unaryUnion(of: circles, context: geos)
    }
}

/// Points hashed into square buckets of the search radius: any point within the radius of
/// a query lies in the query's bucket or one of its eight neighbours. The points are stored
/// bucket by bucket in one array and the buckets in an open-addressing table, so that each of a
/// query's nine lookups is a multiplication and a probe or two, and the grid can be shared by
/// threads.
struct PointGrid: Sendable {
    private struct Slot {
        var key: Int64
        /// The bucket's points are `points[start..<end]`; end 0 marks an empty slot.
        var start: Int
        var end: Int
    }

    private let cellSize: Double
    private let points: [Coordinate]
    private let slots: [Slot]
    private let mask: Int

    init(_ points: [Coordinate], cellSize: Double) {
        self.cellSize = cellSize
        let keys = points.map { Self.key(Self.bucket($0.x, cellSize), Self.bucket($0.y, cellSize)) }
        let order = points.indices.sorted { keys[$0] < keys[$1] }
        self.points = order.map { points[$0] }
        var capacity = 16
        while capacity < 2 * points.count { capacity <<= 1 }
        mask = capacity - 1
        var slots = [Slot](repeating: Slot(key: 0, start: 0, end: 0), count: capacity)
        var start = 0
        while start < order.count {
            let key = keys[order[start]]
            var end = start + 1
            while end < order.count && keys[order[end]] == key { end += 1 }
            var s = Self.slot(key, mask)
            while slots[s].end != 0 { s = (s + 1) & mask }
            slots[s] = Slot(key: key, start: start, end: end)
            start = end
        }
        self.slots = slots
    }

    private static func bucket(_ v: Double, _ cellSize: Double) -> Int64 { Int64((v / cellSize).rounded(.down)) }

    /// Buckets whose keys collide share a slot: their points are all measured, which costs a
    /// little time and changes no answer.
    private static func key(_ i: Int64, _ j: Int64) -> Int64 { i &* 73_856_093 ^ j &* 19_349_663 &* 83_492_791 }

    private static func slot(_ key: Int64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The positions in `points` of the bucket with this key (empty when there is none).
    private func bucket(_ key: Int64) -> Range<Int> {
        var s = Self.slot(key, mask)
        while slots[s].end != 0 {
            if slots[s].key == key { return slots[s].start..<slots[s].end }
            s = (s + 1) & mask
        }
        return 0..<0
    }

    func anyWithin(_ radius: Double, of c: Coordinate) -> Bool {
        let i = Self.bucket(c.x, cellSize), j = Self.bucket(c.y, cellSize)
        let r2 = radius * radius
        for di in -1...1 {
            for dj in -1...1 {
                for k in bucket(Self.key(i + Int64(di), j + Int64(dj))) {
                    let dx = points[k].x - c.x, dy = points[k].y - c.y
                    if dx * dx + dy * dy <= r2 { return true }
                }
            }
        }
        return false
    }
}
