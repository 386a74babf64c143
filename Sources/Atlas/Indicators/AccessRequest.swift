import Foundation

/// A run of indicator 3, travel time to the nearest destination over a road network
/// (`atlas access`): the PIPOS / Tillväxtanalys method for healthcare; with `mode` transit, by
/// public transport and on foot over a departure window (`TransitAccess`).
public struct AccessRequest: IndicatorRequest {
    public static let indicator = "access"

    /// An OSM PBF file or a line layer.
    public var network: LayerSource
    /// nil: pbf for `.pbf` files, else lines.
    public var networkFormat: RoadNetworkFormat?
    public var destinations: LayerSource
    public var destinationID: String?
    /// `FIELD=VALUE` texts: OR within a field, AND across fields.
    public var destinationFilter: [String] = []
    public var origins: LayerSource
    public var populationField: String
    public var originID: String?
    public var areas: LayerSource?
    public var areaID: String?
    public var mode = AccessMode.car
    public var thresholds: [Double] = [5, 10, 30]
    public var maxSnap = 1000.0
    public var accessSpeed = 5.0
    /// Points snap only to strongly connected parts of the network with at least this many nodes.
    public var minComponent = 200
    public var speedField: String?
    /// Line networks: the speed against the digitised direction (NVDB); 0 or null closes it.
    public var backwardSpeedField: String?
    public var defaultSpeed = 50.0
    public var onewayField: String?
    public var onewayValues: String?
    public var snapTolerance = 0.5
    public var lineJunctions = LineJunctions.vertices
    public var out: String?
    public var cellsOut: String?
    public var isochronesOut: String?
    public var precision = 6
    /// Map classes of the areas' main property (access without it: the PIPOS 5/10/30 minutes).
    public var classes: Int?
    public var scheme = ClassificationScheme.quantile
    public var simplify: Double?
    public var digits: Int?
    public var dropEmpty = false
    /// Mode transit: the GTFS feeds (zip or folder), the date and the departure window.
    public var gtfs: [String] = []
    public var date: ServiceDate?
    public var departureWindow: TimeWindow?
    /// Mode transit: percentiles of the travel time over the window's minutes, whole numbers 1–99.
    public var percentiles: [Double] = [25, 50, 75]
    /// Mode transit: km/h on foot, on the network and off it.
    public var walkSpeed = 5.0
    /// Mode transit: minutes of each walk to, between and from stops.
    public var maxWalk = 20.0
    /// Mode transit: seconds from arriving at a stop to the earliest departure one may board.
    public var boardSlack = 60.0
    public var maxRides = 8
    /// Mode transit: the route modes ridden (nil: all).
    public var modes: [TransitMode]?
    /// Mode transit: minutes after the departure minute beyond which nothing counts as reached.
    public var maxMinutes = 120.0
    /// Mode transit: the cells layer of a car run on the same origins, for the restidskvot.
    public var compareCar: LayerSource?
    /// Mode transit: a CSV of the minutes per origin and departure minute.
    public var minutesCSV: String?

    public init(network: LayerSource, destinations: LayerSource, origins: LayerSource, populationField: String) {
        self.network = network
        self.destinations = destinations
        self.origins = origins
        self.populationField = populationField
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case network, networkFormat = "network-format", destinations, destinationID = "destination-id"
        case destinationFilter = "destination-filter", origins, populationField = "population-field"
        case originID = "origin-id", areas, areaID = "area-id", mode, thresholds, maxSnap = "max-snap"
        case accessSpeed = "access-speed", minComponent = "min-component", speedField = "speed-field"
        case backwardSpeedField = "backward-speed-field", defaultSpeed = "default-speed"
        case onewayField = "oneway-field", onewayValues = "oneway-values", snapTolerance = "snap-tolerance"
        case lineJunctions = "line-junctions"
        case out, cellsOut = "cells-out", isochronesOut = "isochrones-out", precision, simplify, digits, dropEmpty = "drop-empty", classes, scheme
        case gtfs, date, departureWindow = "departure-window", percentiles, walkSpeed = "walk-speed"
        case maxWalk = "max-walk", boardSlack = "board-slack", maxRides = "max-rides", modes, maxMinutes = "max-minutes"
        case compareCar = "compare-car", minutesCSV = "minutes-csv"
    }

    /// Options only a transit run reads, and options only the road modes read.
    static let transitKeys: Set<CodingKeys> = [.gtfs, .date, .departureWindow, .percentiles, .walkSpeed, .maxWalk, .boardSlack, .maxRides, .modes, .maxMinutes, .compareCar, .minutesCSV]
    static let roadKeys: Set<CodingKeys> = [.accessSpeed, .speedField, .defaultSpeed, .onewayField, .onewayValues]

    public static let optionNames = CodingKeys.allCases.map(\.rawValue)
    public static let outputNames: Set<String> = ["out", "cells-out", "isochrones-out", "minutes-csv"]
    public static let inputNames: Set<String> = ["network", "destinations", "origins", "areas", "gtfs", "compare-car"]
    public static let fileInputNames: Set<String> = ["gtfs"]
    public static let derivedInputNames: Set<String> = ["compare-car"]

    public func placingInputs(_ place: (_ option: String, _ path: String) throws -> String) rethrows -> Self {
        var copy = self
        if let compareCar { copy.compareCar = LayerSource(try place("compare-car", compareCar.path), options: compareCar.options) }
        return copy
    }

    public func placingOutputs(_ place: (String) throws -> String) rethrows -> Self {
        var copy = self
        copy.out = try out.map(place)
        copy.cellsOut = try cellsOut.map(place)
        copy.isochronesOut = try isochronesOut.map(place)
        copy.minutesCSV = try minutesCSV.map(place)
        return copy
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            network: try c.decode(LayerSource.self, forKey: .network),
            destinations: try c.decode(LayerSource.self, forKey: .destinations),
            origins: try c.decode(LayerSource.self, forKey: .origins),
            populationField: try c.decode(String.self, forKey: .populationField))
        try c.read(&networkFormat, .networkFormat)
        try c.read(&destinationID, .destinationID)
        try c.readList(&destinationFilter, .destinationFilter)
        try c.read(&originID, .originID)
        try c.read(&areas, .areas)
        try c.read(&areaID, .areaID)
        try c.read(&mode, .mode)
        try c.readNumbers(&thresholds, .thresholds)
        try c.read(&maxSnap, .maxSnap)
        try c.read(&accessSpeed, .accessSpeed)
        try c.read(&minComponent, .minComponent)
        try c.read(&speedField, .speedField)
        try c.read(&backwardSpeedField, .backwardSpeedField)
        try c.read(&defaultSpeed, .defaultSpeed)
        try c.read(&onewayField, .onewayField)
        try c.read(&onewayValues, .onewayValues)
        try c.read(&snapTolerance, .snapTolerance)
        try c.read(&lineJunctions, .lineJunctions)
        try c.read(&out, .out)
        try c.read(&cellsOut, .cellsOut)
        try c.read(&isochronesOut, .isochronesOut)
        try c.read(&precision, .precision)
        try c.read(&simplify, .simplify)
        try c.read(&digits, .digits)
        try c.read(&dropEmpty, .dropEmpty)
        try c.read(&classes, .classes)
        try c.read(&scheme, .scheme)
        try c.readList(&gtfs, .gtfs)
        try c.read(&date, .date)
        try c.read(&departureWindow, .departureWindow)
        try c.readNumbers(&percentiles, .percentiles)
        try c.read(&walkSpeed, .walkSpeed)
        try c.read(&maxWalk, .maxWalk)
        try c.read(&boardSlack, .boardSlack)
        try c.read(&maxRides, .maxRides)
        try c.readModes(&modes, .modes)
        try c.read(&maxMinutes, .maxMinutes)
        try c.read(&compareCar, .compareCar)
        try c.read(&minutesCSV, .minutesCSV)
    }

    /// Every option with its value, except those the run's mode does not read.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let skipped = mode == .transit ? Self.roadKeys : Self.transitKeys
        func put<T: Encodable>(_ value: T?, _ key: CodingKeys) throws {
            guard !skipped.contains(key), let value else { return }
            try c.encode(value, forKey: key)
        }
        try put(network, .network)
        try put(networkFormat, .networkFormat)
        try put(destinations, .destinations)
        try put(destinationID, .destinationID)
        try put(destinationFilter, .destinationFilter)
        try put(origins, .origins)
        try put(populationField, .populationField)
        try put(originID, .originID)
        try put(areas, .areas)
        try put(areaID, .areaID)
        try put(mode, .mode)
        try put(thresholds, .thresholds)
        try put(maxSnap, .maxSnap)
        try put(accessSpeed, .accessSpeed)
        try put(speedField, .speedField)
        try put(defaultSpeed, .defaultSpeed)
        try put(onewayField, .onewayField)
        try put(onewayValues, .onewayValues)
        try put(snapTolerance, .snapTolerance)
        try put(out, .out)
        try put(cellsOut, .cellsOut)
        try put(isochronesOut, .isochronesOut)
        try put(precision, .precision)
        // Feeds by file name, as layers are: provenance records inputs by name and fingerprint.
        try put(gtfs.map { URL(fileURLWithPath: $0).lastPathComponent }, .gtfs)
        try put(date, .date)
        try put(departureWindow, .departureWindow)
        try put(percentiles, .percentiles)
        try put(walkSpeed, .walkSpeed)
        try put(maxWalk, .maxWalk)
        try put(boardSlack, .boardSlack)
        try put(maxRides, .maxRides)
        try put(modes, .modes)
        try put(maxMinutes, .maxMinutes)
        try put(compareCar, .compareCar)
    }

    /// The areas classed by mean minutes: by `scheme` with `classes`, else at the PIPOS breaks.
    public func classified(_ layer: IndicatorLayer) -> IndicatorLayer {
        guard layer.role == "areas" else { return layer }
        guard let classes else { return layer.classified(field: "mean_minutes", fixed: [5, 10, 30]) }
        return layer.classified(field: "mean_minutes", classes: classes, scheme: scheme)
    }

    public var outputs: [(role: String, path: String)] {
        [("areas", out), ("cells", cellsOut), ("isochrones", isochronesOut), ("minutes", minutesCSV)].compactMap { role, path in path.map { (role, $0) } }
    }

    public var inputPaths: [(option: String, path: String)] {
        [("network", network.path), ("destinations", destinations.path), ("origins", origins.path)]
            + (areas.map { [("areas", $0.path)] } ?? [])
            + (mode == .transit ? gtfs.map { ("gtfs", $0) } + (compareCar.map { [("compare-car", $0.path)] } ?? []) : [])
    }

    public var format: RoadNetworkFormat { networkFormat ?? RoadNetworkFormat.guess(path: network.path) }

    public func validate(in session: Session) throws {
        guard !thresholds.isEmpty, thresholds.allSatisfy({ $0 > 0 && $0 <= 24 * 60 }) else {
            throw OptionError("thresholds", "must be minutes between 0 and 1440, separated by commas, e.g. 5,10,30")
        }
        guard maxSnap >= 0, maxSnap <= 100_000 else { throw OptionError("max-snap", "must be between 0 and 100000 metres, got \(maxSnap)") }
        guard accessSpeed > 0, accessSpeed <= 100 else { throw OptionError("access-speed", "must be between 0 and 100 km/h, got \(accessSpeed)") }
        guard defaultSpeed > 0, defaultSpeed <= 300 else { throw OptionError("default-speed", "must be between 0 and 300 km/h, got \(defaultSpeed)") }
        guard snapTolerance >= 0, snapTolerance <= 1000 else { throw OptionError("snap-tolerance", "must be between 0 and 1000 metres") }
        guard minComponent >= 1 else { throw OptionError("min-component", "must be at least 1 node, got \(minComponent)") }
        if backwardSpeedField != nil && speedField == nil { throw OptionError("backward-speed-field", "needs speed-field, the speed along the line") }
        guard (onewayField == nil) == (onewayValues == nil) else { throw OptionError("oneway-field", "oneway-field and oneway-values go together") }
        if areas != nil && areaID == nil { throw OptionError("areas", "needs area-id, the id field of the areas") }
        if out == nil && cellsOut == nil && isochronesOut == nil && minutesCSV == nil {
            throw OptionError("out", "give out, cells-out, isochrones-out or minutes-csv")
        }
        if let minutesCSV { try OutputPath.checkNotFolder(minutesCSV, option: "minutes-csv") }
        try OutputPath.check(precision: precision)
        try validatePortalOptions()
        if let classes, classes < 1 { throw OptionError("classes", "must be at least 1, got \(classes)") }
        for (option, path) in [("out", out), ("cells-out", cellsOut), ("isochrones-out", isochronesOut)] {
            if let path { try OutputPath.checkLayer(path, option: option) }
        }
        let filter = try destinationFilterValue()
        if mode == .transit {
            try validateTransit(in: session)
        } else {
            for (option, given) in [
                ("gtfs", !gtfs.isEmpty), ("date", date != nil), ("departure-window", departureWindow != nil), ("modes", modes != nil),
                ("compare-car", compareCar != nil), ("minutes-csv", minutesCSV != nil),
            ] where given {
                throw OptionError(option, "is for mode transit")
            }
        }

        switch format {
        case .pbf:
            _ = try OSMPBFFile(path: network.path)
            if let option = [("speed-field", speedField), ("backward-speed-field", backwardSpeedField), ("oneway-field", onewayField)]
                .first(where: { $0.1 != nil })?.0 {
                throw OptionError(option, "is for line networks; an OSM network has its own tags")
            }
        case .lines:
            let lines = try session.layer(network)
            for field in [speedField, backwardSpeedField, onewayField].compactMap({ $0 }) { _ = try lines.fieldIndex(field) }
            _ = try onewayRule()
        }
        let destinationLayer = try session.layer(destinations)
        if let destinationID { _ = try destinationLayer.fieldIndex(destinationID) }
        for field in Set(filter?.values.map(\.field) ?? []) { _ = try destinationLayer.fieldIndex(field) }
        let originLayer = try session.layer(origins)
        _ = try originLayer.fieldIndex(populationField)
        if let originID { _ = try originLayer.fieldIndex(originID) }
        if let areas, let areaID { _ = try session.layer(areas).fieldIndex(areaID) }
    }

    /// How long reading each input layer took; validation reads them, before `run`.
    func readingSeconds(_ session: Session) -> [(stage: String, seconds: Double)] {
        [("reading origins", origins), ("reading destinations", destinations), ("reading areas", areas)].compactMap { stage, source in
            source.flatMap { session.readSeconds[$0] }.map { (stage, $0) }
        }
    }

    func destinationFilterValue() throws -> HealthcareAccess.DestinationFilter? {
        guard !destinationFilter.isEmpty else { return nil }
        do { return try HealthcareAccess.DestinationFilter(parsing: destinationFilter) } catch let error as AtlasError {
            throw OptionError("destination-filter", error.message)
        }
    }

    func onewayRule() throws -> OnewayRule? {
        guard let onewayField else { return nil }
        do { return try OnewayRule(field: onewayField, values: onewayValues ?? "") } catch let error as AtlasError {
            throw OptionError("oneway-values", error.message)
        }
    }

    public func run(in session: Session) throws -> AccessResult {
        if mode == .transit { return try runTransit(in: session) }
        let firstWarning = session.diagnostics.warnings.count
        var seconds: [(stage: String, seconds: Double)] = []
        var started = Date()
        func lap(_ stage: String) {
            seconds.append((stage, Date().timeIntervalSince(started)))
            started = Date()
        }
        let graph: RoadGraph
        switch format {
        case .pbf:
            graph = try RoadGraph.openStreetMap(path: network.path, mode: mode.travelMode, session: session)
        case .lines:
            let options = LineNetworkOptions(
                mode: mode.travelMode, speedField: speedField, backwardSpeedField: backwardSpeedField, defaultSpeed: defaultSpeed,
                oneway: try onewayRule(), snapTolerance: snapTolerance, junctions: lineJunctions)
            graph = try RoadGraph.lineLayer(try session.layer(network), options: options, session: session)
        }
        session.diagnostics.info("network: \(graph.nodeCount) nodes, \(graph.segmentCount) road segments (\(graph.crs?.description ?? "?"))")
        lap("network")

        let inputs = HealthcareAccess.Inputs(
            origins: try session.layer(origins), populationField: populationField, originId: originID,
            destinations: try session.layer(destinations), destinationId: destinationID,
            destinationFilter: try destinationFilterValue(),
            areas: try areas.map { try session.layer($0) }, areaId: areaID)
        lap("layers")
        let indicator = HealthcareAccess(thresholds: thresholds, search: NearestFacility(maxSnap: maxSnap, accessSpeed: accessSpeed, minComponentNodes: minComponent))
        let outputs = try indicator.run(graph: graph, inputs: inputs, isochrones: isochronesOut != nil, session: session)
        lap("indicator")
        // Mostly waiting for the fingerprints of the inputs, hashed on another core meanwhile.
        let provenance = try Provenance(self, session: session, warnings: Array(session.diagnostics.warnings.dropFirst(firstWarning)))
        lap("provenance")
        return AccessResult(
            outputs: outputs, schema: indicator, areaID: areaID, provenance: provenance, stageSeconds: readingSeconds(session) + seconds)
    }
}

/// What an access run produced.
public struct AccessResult: IndicatorResult {
    public var outputs: HealthcareAccess.Outputs
    var schema: HealthcareAccess
    var areaID: String?
    public var provenance: Provenance
    /// Seconds per step: reading the input layers, the network, the layers (read already),
    /// the indicator and the provenance.
    public var stageSeconds: [(stage: String, seconds: Double)]
    /// A transit run's outputs (`outputs` then holds its walk-only search).
    public var transit: TransitRun?

    public var layers: [IndicatorLayer] {
        if let transit { return transit.layers(areaID: areaID, provenance: provenance) }
        var layers = [
            IndicatorLayer(
                role: "areas", layer: outputs.areas, schema: schema.summarySchema, primary: "mean_minutes", idField: areaID ?? "area",
                provenance: provenance),
            IndicatorLayer(role: "cells", layer: outputs.cells, schema: HealthcareAccess.cellSchema, primary: "minutes", provenance: provenance),
        ]
        if let isochrones = outputs.isochrones {
            layers.append(IndicatorLayer(role: "isochrones", layer: isochrones, schema: HealthcareAccess.isochroneSchema, provenance: provenance))
        }
        return layers
    }

    public var summary: [String] { [] }

    public func writeOther(role: String, to path: String) throws -> Bool {
        guard role == "minutes", let transit else { return false }
        try transit.outputs.writeMinutesCSV(to: path)
        return true
    }
}
