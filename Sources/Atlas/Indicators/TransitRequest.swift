import Foundation

/// A run of indicator 2, kollektivtrafiknära läge (`atlas transit`): stops from a GTFS feed on a
/// date or from a stops layer with counted departures, a population layer and report areas.
public struct TransitRequest: IndicatorRequest {
    public static let indicator = "transit"

    public var gtfs: String?
    public var date: ServiceDate?
    public var stops: LayerSource?
    public var departuresField: String?
    /// Stops layer: departures a stop needs (default: `minPerHour` × the window's hours).
    public var minDepartures: Double?
    public var population: LayerSource?
    public var populationField: String?
    public var areas: LayerSource?
    public var areaID: String?
    public var radius = 500.0
    public var window = TimeWindow(start: 6 * 3600, end: 20 * 3600)!
    public var minPerHour = 1.0
    public var rule = DepartureRule.everyHour
    public var groupStops = StopGrouping.parent
    /// Modes to count; nil counts all.
    public var modes: [TransitMode]?
    public var populationModel = PopulationModel.centroid
    public var areaAssignment = AreaAssignment.centroid
    public var out: String?
    public var stopsOut: String?
    public var coverageOut: String?
    public var departuresCSV: String?
    public var precision = 6

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case gtfs, date, stops, departuresField = "departures-field", minDepartures = "min-departures", population
        case populationField = "population-field", areas, areaID = "area-id", radius, window, minPerHour = "min-per-hour"
        case rule, groupStops = "group-stops", modes, populationModel = "population-model"
        case areaAssignment = "area-assignment", out, stopsOut = "stops-out", coverageOut = "coverage-out"
        case departuresCSV = "departures-csv", precision
    }

    public static let optionNames = CodingKeys.allCases.map(\.rawValue)
    public static let outputNames: Set<String> = ["out", "stops-out", "coverage-out", "departures-csv"]
    public static let inputNames: Set<String> = ["gtfs", "stops", "population", "areas"]
    public static let fileInputNames: Set<String> = ["gtfs"]

    public func placingOutputs(_ place: (String) throws -> String) rethrows -> Self {
        var copy = self
        copy.out = try out.map(place)
        copy.stopsOut = try stopsOut.map(place)
        copy.coverageOut = try coverageOut.map(place)
        copy.departuresCSV = try departuresCSV.map(place)
        return copy
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.read(&gtfs, .gtfs)
        try c.read(&date, .date)
        try c.read(&stops, .stops)
        try c.read(&departuresField, .departuresField)
        try c.read(&minDepartures, .minDepartures)
        try c.read(&population, .population)
        try c.read(&populationField, .populationField)
        try c.read(&areas, .areas)
        try c.read(&areaID, .areaID)
        try c.read(&radius, .radius)
        try c.read(&window, .window)
        try c.read(&minPerHour, .minPerHour)
        try c.read(&rule, .rule)
        try c.read(&groupStops, .groupStops)
        var modeTexts: [String] = []
        try c.readList(&modeTexts, .modes, commas: true)
        if c.contains(.modes) {
            do { modes = try Self.modes(modeTexts) } catch let error as OptionError {
                throw DecodingError.dataCorruptedError(forKey: .modes, in: c, debugDescription: error.message)
            }
        }
        try c.read(&populationModel, .populationModel)
        try c.read(&areaAssignment, .areaAssignment)
        try c.read(&out, .out)
        try c.read(&stopsOut, .stopsOut)
        try c.read(&coverageOut, .coverageOut)
        try c.read(&departuresCSV, .departuresCSV)
        try c.read(&precision, .precision)
    }

    /// Modes from their names or route type numbers, each once, in name order.
    public static func modes(_ texts: [String]) throws -> [TransitMode] {
        var result = Set<TransitMode>()
        for text in texts {
            guard let mode = TransitMode(argument: text) else {
                let names = TransitMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw OptionError("modes", "'\(text)' is not a mode (\(names)) or a route type number")
            }
            result.insert(mode)
        }
        guard !result.isEmpty else { throw OptionError("modes", "no mode given") }
        return result.sorted { $0.rawValue < $1.rawValue }
    }

    public var outputs: [(role: String, path: String)] {
        [("areas", out), ("stops", stopsOut), ("coverage", coverageOut), ("departures", departuresCSV)]
            .compactMap { role, path in path.map { (role, $0) } }
    }

    public var inputPaths: [(option: String, path: String)] {
        [("gtfs", gtfs), ("stops", stops?.path), ("population", population?.path), ("areas", areas?.path)]
            .compactMap { option, path in path.map { (option, $0) } }
    }

    /// The departures a stop of a stops layer needs.
    public var stopsLayerThreshold: Double { minDepartures ?? minPerHour * window.lengthInHours }

    public func validate(in session: Session) throws {
        guard (gtfs == nil) != (stops == nil) else { throw OptionError("gtfs", "give either gtfs (with date) or stops") }
        if gtfs != nil {
            guard date != nil else { throw OptionError("date", "a GTFS feed needs the date to count, YYYY-MM-DD") }
            if minDepartures != nil { throw OptionError("min-departures", "is for a stops layer; with GTFS use min-per-hour") }
        } else {
            guard departuresField != nil else { throw OptionError("stops", "needs departures-field, the field with each stop's departures") }
            if departuresCSV != nil { throw OptionError("departures-csv", "needs a GTFS feed") }
            if modes != nil { throw OptionError("modes", "needs a GTFS feed: a stops layer has no route types") }
        }
        guard radius.isFinite, radius >= 1, radius <= 100_000 else {
            throw OptionError("radius", "must be between 1 and 100000 metres, got \(radius)")
        }
        guard window.end <= 48 * 3600 else { throw OptionError("window", "must end by 48:00, got \(window)") }
        guard minPerHour >= 0, minPerHour.isFinite else { throw OptionError("min-per-hour", "must be a number ≥ 0") }
        if let minDepartures, !(minDepartures >= 0 && minDepartures.isFinite) {
            throw OptionError("min-departures", "must be a number ≥ 0")
        }
        try OutputPath.check(precision: precision)
        if out != nil {
            guard population != nil, populationField != nil, areas != nil, areaID != nil else {
                throw OptionError("out", "the areas layer needs population, population-field, areas and area-id")
            }
        } else if stopsOut == nil && departuresCSV == nil && coverageOut == nil {
            throw OptionError("out", "give out (with population and areas), stops-out, coverage-out or departures-csv")
        }
        for (option, path) in [("out", out), ("stops-out", stopsOut), ("coverage-out", coverageOut)] {
            if let path { try OutputPath.checkLayer(path, option: option) }
        }
        if let departuresCSV { try OutputPath.checkNotFolder(departuresCSV, option: "departures-csv") }

        if let gtfs {
            _ = try GTFSSource(path: gtfs)
        } else if let stops, let departuresField {
            _ = try session.layer(stops).fieldIndex(departuresField)
        }
        if let population, let populationField { _ = try session.layer(population).fieldIndex(populationField) }
        if let areas, let areaID { _ = try session.layer(areas).fieldIndex(areaID) }
    }

    public func run(in session: Session) throws -> TransitResult {
        let firstWarning = session.diagnostics.warnings.count
        var departures: StopDepartures?
        let stopLayer: Layer
        if let gtfs, let date {
            let feed = try GTFSFeed.read(path: gtfs, diagnostics: session.diagnostics)
            let options = DepartureOptions(date: date, window: window, grouping: groupStops, modes: modes.map(Set.init))
            let counted = try DepartureCounter.count(feed: feed, options: options)
            stopLayer = counted.stopsLayer(rule: rule, minPerHour: minPerHour, source: gtfs)
            departures = counted
        } else if let stops, let departuresField {
            stopLayer = try TransitProximity.qualifyingStops(
                try session.layer(stops), departuresField: departuresField, minDepartures: stopsLayerThreshold)
        } else {
            throw OptionError("gtfs", "give either gtfs (with date) or stops")
        }
        let qualifiesColumn = try stopLayer.fieldIndex("qualifies")
        let qualifying = stopLayer.features.filter { $0.values[qualifiesColumn] == .bool(true) }.count

        let options = TransitProximity.Options(radius: radius, model: populationModel, areaAssignment: areaAssignment)
        var proximity: TransitProximity.Result?
        if out != nil, let population, let populationField, let areas, let areaID {
            proximity = try TransitProximity.compute(
                stops: stopLayer, population: try session.layer(population), populationField: populationField,
                areas: try session.layer(areas), areaId: areaID, options: options, session: session)
            if let outside = proximity?.cellsOutsideAreas, outside > 0 {
                session.diagnostics.warning("\(outside) populated cells lie outside every area and are not counted")
            }
        }
        var coverage: Layer?
        if coverageOut != nil {
            let metric = try proximity?.metricCRS ?? stopLayer.toMetric(context: session.proj).crs!
            let union = try TransitProximity.coverage(stops: stopLayer, metricCRS: metric, options: options, session: session)
            coverage = Layer(
                source: "", format: "GeoJSON", crs: .wgs84, fields: [TransitProximity.radiusProperty.field],
                features: [Feature(geometry: union, values: [.double(radius)])])
        }
        // The threshold a stops layer was held to is recorded even when it was the default.
        var recorded = self
        if stops != nil { recorded.minDepartures = stopsLayerThreshold }
        let provenance = try Provenance(recorded, session: session, warnings: Array(session.diagnostics.warnings.dropFirst(firstWarning)))
        return TransitResult(
            proximity: proximity, stops: stopLayer, qualifyingStops: qualifying, coverage: coverage, departures: departures,
            provenance: provenance, fromGTFS: gtfs != nil)
    }
}

/// What a transit run produced.
public struct TransitResult: IndicatorResult {
    /// The areas' figures, when an areas layer was asked for.
    public var proximity: TransitProximity.Result?
    /// The stops with `departures` and `qualifies`.
    public var stops: Layer
    public var qualifyingStops: Int
    public var coverage: Layer?
    /// Departures per stop and hour (GTFS only).
    public var departures: StopDepartures?
    public var provenance: Provenance
    var fromGTFS: Bool

    public var layers: [IndicatorLayer] {
        var layers: [IndicatorLayer] = []
        if let proximity {
            layers.append(IndicatorLayer(
                role: "areas", layer: proximity.areas, schema: TransitProximity.areaSchema, primary: "share_near",
                idField: proximity.areas.fields.first?.name, provenance: provenance))
        }
        let stopSchema = fromGTFS ? TransitProximity.gtfsStopSchema : TransitProximity.layerStopSchema
        layers.append(IndicatorLayer(
            role: "stops", layer: stops, schema: stopSchema, primary: "departures", idField: fromGTFS ? "stop_id" : nil,
            provenance: provenance))
        if let coverage {
            layers.append(IndicatorLayer(
                role: "coverage", layer: coverage, schema: [TransitProximity.radiusProperty], provenance: provenance))
        }
        return layers
    }

    public func writeOther(role: String, to path: String) throws -> Bool {
        guard role == "departures", let departures else { return false }
        try departures.writeCSV(to: path)
        return true
    }

    public var summary: [String] {
        var lines = ["\(qualifyingStops) of \(stops.features.count) stops qualify"]
        if let proximity {
            let share = proximity.population > 0 ? proximity.populationNear / proximity.population * 100 : 0
            lines.append(
                "\(proximity.areas.features.count) areas; \(Int(proximity.populationNear.rounded())) of "
                    + "\(Int(proximity.population.rounded())) people near a stop (\(String(format: "%.1f", share)) %)")
        }
        return lines
    }
}
