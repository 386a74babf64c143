import Foundation

/// A run of indicator 3, travel time to the nearest destination over a road network
/// (`atlas access`): the PIPOS / Tillväxtanalys method for healthcare.
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
    public var mode = TravelMode.car
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
        case out, cellsOut = "cells-out", isochronesOut = "isochrones-out", precision
    }

    public static let optionNames = CodingKeys.allCases.map(\.rawValue)
    public static let outputNames: Set<String> = ["out", "cells-out", "isochrones-out"]
    public static let inputNames: Set<String> = ["network", "destinations", "origins", "areas"]

    public func placingOutputs(_ place: (String) throws -> String) rethrows -> Self {
        var copy = self
        copy.out = try out.map(place)
        copy.cellsOut = try cellsOut.map(place)
        copy.isochronesOut = try isochronesOut.map(place)
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
    }

    public var outputs: [(role: String, path: String)] {
        [("areas", out), ("cells", cellsOut), ("isochrones", isochronesOut)].compactMap { role, path in path.map { (role, $0) } }
    }

    public var inputPaths: [(option: String, path: String)] {
        [("network", network.path), ("destinations", destinations.path), ("origins", origins.path)]
            + (areas.map { [("areas", $0.path)] } ?? [])
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
        if out == nil && cellsOut == nil && isochronesOut == nil { throw OptionError("out", "give out, cells-out or isochrones-out") }
        try OutputPath.check(precision: precision)
        for (option, path) in [("out", out), ("cells-out", cellsOut), ("isochrones-out", isochronesOut)] {
            if let path { try OutputPath.checkLayer(path, option: option) }
        }
        let filter = try destinationFilterValue()

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
            graph = try RoadGraph.openStreetMap(path: network.path, mode: mode, session: session)
        case .lines:
            let options = LineNetworkOptions(
                mode: mode, speedField: speedField, backwardSpeedField: backwardSpeedField, defaultSpeed: defaultSpeed,
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
        let provenance = try Provenance(self, session: session, warnings: Array(session.diagnostics.warnings.dropFirst(firstWarning)))
        return AccessResult(outputs: outputs, schema: indicator, areaID: areaID, provenance: provenance, stageSeconds: seconds)
    }
}

/// What an access run produced.
public struct AccessResult: IndicatorResult {
    public var outputs: HealthcareAccess.Outputs
    var schema: HealthcareAccess
    var areaID: String?
    public var provenance: Provenance
    /// Seconds per step: reading the network, reading the layers, the indicator.
    public var stageSeconds: [(stage: String, seconds: Double)]

    public var layers: [IndicatorLayer] {
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
}
