import Foundation

/// A run of indicator 2, kollektivtrafiknära läge (`atlas transit`): stops from a GTFS feed on a
/// date or from a stops layer with counted departures, a population layer and report areas.
public struct TransitRequest: IndicatorRequest {
    public static let indicator = "transit"

    public var gtfs: String?
    public var date: ServiceDate?
    public var stops: LayerSource?
    public var departuresField: String?
    /// Stops layer: departures a stop (or group) needs in a day (default 14: one an hour 06–20).
    public var minDepartures: Double?
    /// Stops layer grouped by parent: the field naming each platform's group (default `parent_station`).
    public var parentField: String?
    public var population: LayerSource?
    public var populationField: String?
    public var areas: LayerSource?
    public var areaID: String?
    public var radius = 500.0
    /// GTFS only: the window counted, 06:00–20:00 when nil.
    public var window: TimeWindow?
    /// GTFS only: departures per hour a stop needs, 1 when nil.
    public var minPerHour: Double?
    public var rule = DepartureRule.everyHour
    /// How the window's clock reads times past midnight (GTFS only).
    public var timeBasis = TimeBasis.clock
    /// nil: by parent for GTFS, and for a stops layer when it has the parent field.
    public var groupStops: StopGrouping?
    /// Modes to count; nil counts all.
    public var modes: [TransitMode]?
    public var populationModel = PopulationModel.centroid
    public var areaAssignment = AreaAssignment.centroid
    public var out: String?
    public var stopsOut: String?
    public var coverageOut: String?
    public var departuresCSV: String?
    public var precision = 6
    /// Map classes of the areas' main property (access without it: the PIPOS 5/10/30 minutes).
    public var classes: Int?
    public var scheme = ClassificationScheme.quantile
    public var simplify: Double?
    public var digits: Int?
    public var dropEmpty = false

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case gtfs, date, stops, departuresField = "departures-field", minDepartures = "min-departures"
        case parentField = "parent-field", population
        case populationField = "population-field", areas, areaID = "area-id", radius, window, minPerHour = "min-per-hour"
        case rule, timeBasis = "time-basis", groupStops = "group-stops", modes, populationModel = "population-model"
        case areaAssignment = "area-assignment", out, stopsOut = "stops-out", coverageOut = "coverage-out"
        case departuresCSV = "departures-csv", precision, simplify, digits, dropEmpty = "drop-empty", classes, scheme
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
        try c.read(&parentField, .parentField)
        try c.read(&population, .population)
        try c.read(&populationField, .populationField)
        try c.read(&areas, .areas)
        try c.read(&areaID, .areaID)
        try c.read(&radius, .radius)
        try c.read(&window, .window)
        try c.read(&minPerHour, .minPerHour)
        try c.read(&rule, .rule)
        try c.read(&timeBasis, .timeBasis)
        try c.read(&groupStops, .groupStops)
        try c.readModes(&modes, .modes)
        try c.read(&populationModel, .populationModel)
        try c.read(&areaAssignment, .areaAssignment)
        try c.read(&out, .out)
        try c.read(&stopsOut, .stopsOut)
        try c.read(&coverageOut, .coverageOut)
        try c.read(&departuresCSV, .departuresCSV)
        try c.read(&precision, .precision)
        try c.read(&simplify, .simplify)
        try c.read(&digits, .digits)
        try c.read(&dropEmpty, .dropEmpty)
        try c.read(&classes, .classes)
        try c.read(&scheme, .scheme)
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

    public func classified(_ layer: IndicatorLayer) -> IndicatorLayer {
        guard layer.role == "areas", let classes else { return layer }
        return layer.classified(field: "share_near", classes: classes, scheme: scheme)
    }

    public var outputs: [(role: String, path: String)] {
        [("areas", out), ("stops", stopsOut), ("coverage", coverageOut), ("departures", departuresCSV)]
            .compactMap { role, path in path.map { (role, $0) } }
    }

    public var inputPaths: [(option: String, path: String)] {
        [("gtfs", gtfs), ("stops", stops?.path), ("population", population?.path), ("areas", areas?.path)]
            .compactMap { option, path in path.map { (option, $0) } }
    }

    public static let defaultWindow = TimeWindow(start: 6 * 3600, end: 20 * 3600)!
    /// A stops layer's counts are per day: one departure an hour 06–20.
    public static let defaultMinDepartures = 14.0
    public static let defaultParentField = "parent_station"

    public var effectiveWindow: TimeWindow { window ?? Self.defaultWindow }
    public var effectiveMinPerHour: Double { minPerHour ?? 1 }

    /// How a stops layer's platforms are grouped: the parent field, or nil for each by itself.
    func stopsLayerParentField(_ layer: Layer) throws -> String? {
        let field = parentField ?? Self.defaultParentField
        let has = layer.fields.contains { $0.name == field }
        switch groupStops {
        case .none?: return nil
        case .parent?:
            guard has else {
                throw OptionError(
                    parentField == nil ? "group-stops" : "parent-field",
                    "\(layer.source) has no field '\(field)' to group platforms by; name it with parent-field, or give group-stops none")
            }
            return field
        case nil:
            if parentField != nil && !has { _ = try layer.fieldIndex(field) }
            return has ? field : nil
        }
    }

    public func validate(in session: Session) throws {
        guard (gtfs == nil) != (stops == nil) else { throw OptionError("gtfs", "give either gtfs (with date) or stops") }
        if gtfs != nil {
            guard date != nil else { throw OptionError("date", "a GTFS feed needs the date to count, YYYY-MM-DD") }
            if minDepartures != nil { throw OptionError("min-departures", "is for a stops layer; with GTFS use min-per-hour") }
            if parentField != nil { throw OptionError("parent-field", "is for a stops layer; a GTFS feed groups by parent_station") }
        } else if timeBasis != .clock {
            throw OptionError("time-basis", "is for a GTFS feed; a stops layer's departures are per day")
        } else {
            guard departuresField != nil else { throw OptionError("stops", "needs departures-field, the field with each stop's departures") }
            if departuresCSV != nil { throw OptionError("departures-csv", "needs a GTFS feed") }
            if modes != nil { throw OptionError("modes", "needs a GTFS feed: a stops layer has no route types") }
            if minPerHour != nil { throw OptionError("min-per-hour", "needs a GTFS feed: a stops layer's departures are per day, use min-departures") }
            if window != nil { throw OptionError("window", "needs a GTFS feed: a stops layer's departures are per day, use min-departures") }
        }
        guard radius.isFinite, radius >= 1, radius <= 100_000 else {
            throw OptionError("radius", "must be between 1 and 100000 metres, got \(radius)")
        }
        guard effectiveWindow.end <= 48 * 3600 else { throw OptionError("window", "must end by 48:00, got \(effectiveWindow)") }
        guard effectiveMinPerHour >= 0, effectiveMinPerHour.isFinite else { throw OptionError("min-per-hour", "must be a number ≥ 0") }
        if let minDepartures, !(minDepartures >= 0 && minDepartures.isFinite) {
            throw OptionError("min-departures", "must be a number ≥ 0")
        }
        try OutputPath.check(precision: precision)
        try validatePortalOptions()
        if let classes, classes < 1 { throw OptionError("classes", "must be at least 1, got \(classes)") }
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
            let layer = try session.layer(stops)
            _ = try layer.fieldIndex(departuresField)
            _ = try stopsLayerParentField(layer)
        }
        if let population, let populationField { _ = try session.layer(population).fieldIndex(populationField) }
        if let areas, let areaID { _ = try session.layer(areas).fieldIndex(areaID) }
    }

    /// The indicator is defined for weekdays: a weekend date, or a weekday with fewer than 80 %
    /// of the trips of the same weekday a week before (or after, at the start of the feed),
    /// probably a holiday, is worth a warning.
    static func dateWarnings(_ feed: GTFSFeed, _ date: ServiceDate) -> [String] {
        let names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        guard date.isWeekday else {
            return ["\(date) is a \(names[date.weekday]); kollektivtrafiknära läge is defined for weekdays"]
        }
        let calendar = ServiceCalendar(feed: feed)
        func trips(_ day: ServiceDate) -> Int {
            let active = calendar.activeServices(on: day)
            return feed.trips.reduce(0) { $0 + (active[Int($1.service)] ? 1 : 0) }
        }
        guard let range = calendar.dateRange else { return [] }
        let other = [date.adding(days: -7), date.adding(days: 7)].first { range.contains($0) }
        guard let other else { return [] }
        let (here, there) = (trips(date), trips(other))
        guard there > 0, Double(here) < 0.8 * Double(there) else { return [] }
        return [
            "\(date) has \(here) trips against \(there) on \(other), the same weekday a week \(other < date ? "before" : "after"): a holiday? The indicator describes an ordinary weekday"
        ]
    }

    public func run(in session: Session) throws -> TransitResult {
        let firstWarning = session.diagnostics.warnings.count
        var clock = StageClock()
        var departures: StopDepartures?
        var grouping: String?
        let stopLayer: Layer
        if let gtfs, let date {
            let feed = try GTFSFeed.read(path: gtfs, diagnostics: session.diagnostics)
            var options = DepartureOptions(
                date: date, window: effectiveWindow, grouping: groupStops ?? .parent, modes: modes.map(Set.init))
            options.timeBasis = timeBasis
            Self.dateWarnings(feed, date).forEach(session.diagnostics.warning)
            let counted = try DepartureCounter.count(feed: feed, options: options)
            stopLayer = counted.stopsLayer(rule: rule, minPerHour: effectiveMinPerHour, source: gtfs)
            departures = counted
        } else if let stops, let departuresField {
            let layer = try session.layer(stops)
            let threshold = minDepartures ?? Self.defaultMinDepartures
            if let parent = try stopsLayerParentField(layer) {
                stopLayer = try TransitProximity.groupedStops(
                    layer, departuresField: departuresField, parentField: parent, minDepartures: threshold)
                grouping = parent
            } else {
                stopLayer = try TransitProximity.qualifyingStops(layer, departuresField: departuresField, minDepartures: threshold)
            }
        } else {
            throw OptionError("gtfs", "give either gtfs (with date) or stops")
        }
        let qualifiesColumn = try stopLayer.fieldIndex("qualifies")
        let qualifying = stopLayer.features.filter { $0.values[qualifiesColumn] == .bool(true) }.count
        clock.lap(gtfs != nil ? "departures" : "qualifying stops")

        let options = TransitProximity.Options(radius: radius, model: populationModel, areaAssignment: areaAssignment)
        var proximity: TransitProximity.Result?
        if out != nil, let population, let populationField, let areas, let areaID {
            proximity = try TransitProximity.compute(
                stops: stopLayer, population: try session.layer(population), populationField: populationField,
                areas: try session.layer(areas), areaId: areaID, options: options, session: session)
            if let outside = proximity?.cellsOutsideAreas, outside > 0 {
                session.diagnostics.warning("\(outside) populated cells lie outside every area and are not counted")
            }
            clock.lap("proximity")
        }
        var coverage: Layer?
        if coverageOut != nil {
            let metric = try proximity?.metricCRS ?? stopLayer.toMetric(context: session.proj).crs!
            let union = try TransitProximity.coverage(stops: stopLayer, metricCRS: metric, options: options, session: session)
            coverage = Layer(
                source: "", format: "GeoJSON", crs: .wgs84, fields: [TransitProximity.radiusProperty.field],
                features: [Feature(geometry: union, values: [.double(radius)])])
            clock.lap("coverage")
        }
        // The rule actually applied is recorded, defaults included.
        var recorded = self
        if stops != nil {
            recorded.minDepartures = minDepartures ?? Self.defaultMinDepartures
            recorded.groupStops = grouping == nil ? StopGrouping.none : .parent
            recorded.parentField = grouping
        } else {
            recorded.window = effectiveWindow
            recorded.minPerHour = effectiveMinPerHour
            recorded.groupStops = groupStops ?? .parent
        }
        let provenance = try Provenance(recorded, session: session, warnings: Array(session.diagnostics.warnings.dropFirst(firstWarning)))
        clock.lap("fingerprints")
        return TransitResult(
            proximity: proximity, stops: stopLayer, qualifyingStops: qualifying, coverage: coverage, departures: departures,
            provenance: provenance, stopSchema: gtfs != nil ? TransitProximity.gtfsStopSchema
                : grouping != nil ? TransitProximity.groupedStopSchema : TransitProximity.layerStopSchema,
            // The proximity lap is told step by step.
            stageSeconds: readingSeconds(session)
                + clock.laps.flatMap { lap in lap.stage == "proximity" ? proximity?.stageSeconds ?? [lap] : [lap] })
    }

    /// The seconds the session took to read each input layer (during validation, which reads
    /// them first), by role.
    func readingSeconds(_ session: Session) -> [(stage: String, seconds: Double)] {
        [("reading stops", stops), ("reading population", population), ("reading areas", areas)].compactMap { stage, source in
            source.flatMap { session.readSeconds[$0] }.map { (stage, $0) }
        }
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
    var stopSchema: [PropertySpec]
    /// Wall seconds of each step, in order: reading each input layer, counting departures (a
    /// GTFS feed is read in that step) or marking the stops of a layer, the proximity steps
    /// (`TransitProximity.Result.stageSeconds`) when areas were asked for, the coverage, and
    /// fingerprinting the inputs for the provenance (what is left of it after reading).
    public var stageSeconds: [(stage: String, seconds: Double)] = []

    public var layers: [IndicatorLayer] {
        var layers: [IndicatorLayer] = []
        if let proximity {
            layers.append(IndicatorLayer(
                role: "areas", layer: proximity.areas, schema: TransitProximity.areaSchema, primary: "share_near",
                idField: proximity.areas.fields.first?.name, provenance: provenance))
        }
        layers.append(IndicatorLayer(
            role: "stops", layer: stops, schema: stopSchema, primary: "departures",
            idField: stopSchema.contains { $0.name == "stop_id" } ? "stop_id" : nil,
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
                "\(proximity.areas.features.count) areas; " + String(format: "%.0f", proximity.populationNear) + " of "
                    + String(format: "%.0f", proximity.population) + " people near a stop (\(String(format: "%.1f", share)) %)")
        }
        return lines
    }
}
