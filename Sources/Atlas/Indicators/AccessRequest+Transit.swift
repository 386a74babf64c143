import Foundation

/// How an access run travels: over the road network by car, bicycle or on foot, or by public
/// transport and on foot (`transit`, walking on the network as `walk` does).
public enum AccessMode: String, Sendable, CaseIterable {
    case car, bike, walk, transit

    /// The road profile the network is read with.
    public var travelMode: TravelMode {
        switch self {
        case .car: .car
        case .bike: .bike
        case .walk, .transit: .walk
        }
    }
}

extension AccessMode: OptionEnum {}

extension AccessRequest {
    /// The transit options, checked without computing: the feeds open and run on the date, the
    /// window and limits are in range, the car cells have what the comparison needs.
    func validateTransit(in session: Session) throws {
        guard !gtfs.isEmpty else { throw OptionError("gtfs", "mode transit needs a GTFS feed (zip or folder); repeat for several") }
        guard let date else { throw OptionError("date", "mode transit needs the date of travel, YYYY-MM-DD") }
        guard let window = departureWindow else {
            throw OptionError("departure-window", "mode transit needs the departure window, e.g. 07:00-09:00")
        }
        guard window.end <= 48 * 3600 else { throw OptionError("departure-window", "must end by 48:00, got \(window)") }
        guard window.end - window.start >= 60 else { throw OptionError("departure-window", "must hold at least one minute, got \(window)") }
        guard !percentiles.isEmpty, percentiles.allSatisfy({ $0 >= 1 && $0 <= 99 && $0 == $0.rounded() }) else {
            throw OptionError("percentiles", "must be whole numbers from 1 to 99, separated by commas, e.g. 25,50,75")
        }
        guard Set(percentiles).count == percentiles.count else { throw OptionError("percentiles", "lists a percentile twice") }
        guard walkSpeed > 0, walkSpeed <= 30 else { throw OptionError("walk-speed", "must be between 0 and 30 km/h, got \(walkSpeed)") }
        guard maxWalk > 0, maxWalk <= 180 else { throw OptionError("max-walk", "must be between 0 and 180 minutes, got \(maxWalk)") }
        guard boardSlack >= 0, boardSlack <= 3600 else { throw OptionError("board-slack", "must be between 0 and 3600 seconds, got \(boardSlack)") }
        guard maxRides >= 1, maxRides <= 16 else { throw OptionError("max-rides", "must be between 1 and 16, got \(maxRides)") }
        guard maxMinutes > 0, maxMinutes <= 1440 else { throw OptionError("max-minutes", "must be between 0 and 1440 minutes, got \(maxMinutes)") }
        for (option, given) in [("speed-field", speedField != nil), ("oneway-field", onewayField != nil)] where given {
            throw OptionError(option, "is for car networks; mode transit walks every line both ways")
        }
        for path in gtfs {
            let feed = try GTFSFeed.read(path: path)
            let calendar = ServiceCalendar(feed: feed)
            guard let range = calendar.dateRange, range.contains(date) else {
                throw AtlasError(file: path, "the date \(date) is outside the feed's service dates (\(calendar.rangeDescription))")
            }
        }
        if let compareCar, !session.plannedOutputs.contains(compareCar.path) {
            let car = try session.layer(compareCar)
            _ = try car.fieldIndex("minutes")
        }
    }

    func runTransit(in session: Session) throws -> AccessResult {
        let firstWarning = session.diagnostics.warnings.count
        var clock = StageClock()
        let feeds = try gtfs.map { try GTFSFeed.read(path: $0, diagnostics: session.diagnostics) }
        clock.lap("feeds")
        var graph: RoadGraph
        switch format {
        case .pbf:
            graph = try RoadGraph.openStreetMap(path: network.path, mode: .walk, session: session)
        case .lines:
            let options = LineNetworkOptions(mode: .walk, snapTolerance: snapTolerance)
            graph = try RoadGraph.lineLayer(try session.layer(network), options: options, session: session)
        }
        if walkSpeed != TravelProfile.walkSpeed { graph = try graph.atWalkingSpeed(walkSpeed) }
        session.diagnostics.info("walk network: \(graph.nodeCount) nodes, \(graph.segmentCount) segments (\(graph.crs?.description ?? "?"))")
        clock.lap("network")

        let inputs = HealthcareAccess.Inputs(
            origins: try session.layer(origins), populationField: populationField, originId: originID,
            destinations: try session.layer(destinations), destinationId: destinationID,
            destinationFilter: try destinationFilterValue(),
            areas: try areas.map { try session.layer($0) }, areaId: areaID)
        let car = try compareCar.map { try session.layer($0) }
        clock.lap("layers")
        let options = TransitAccess.Options(
            date: date!, window: departureWindow!, walkSpeed: walkSpeed, maxWalk: maxWalk, boardSlack: boardSlack,
            maxRides: maxRides, maxMinutes: maxMinutes, percentiles: percentiles.map { Int($0) }, maxSnap: maxSnap,
            minComponent: minComponent, modes: modes.map(Set.init))
        let indicator = TransitAccess(options: options, thresholds: thresholds)
        let outputs = try indicator.run(
            feeds: feeds, graph: graph, inputs: inputs, carCells: car, isochrones: isochronesOut != nil, session: session)
        let s = outputs.statistics
        session.diagnostics.info(
            "timetable \(date!) \(departureWindow!): \(s.connections) connections of \(s.tripInstances) trips; "
                + "\(s.stopsOnNetwork) stops on the walk network, \(s.transfers) transfers, \(s.accessLinks) walks from origins to stops; "
                + "\(s.profileEntries) profile entries")
        clock.lap("indicator")
        let provenance = try Provenance(self, session: session, warnings: Array(session.diagnostics.warnings.dropFirst(firstWarning)))
        let run = TransitRun(indicator: indicator, outputs: outputs, compared: car != nil)
        return AccessResult(
            outputs: HealthcareAccess.Outputs(areas: outputs.areas, cells: outputs.cells, isochrones: outputs.isochrones, result: outputs.walk),
            schema: HealthcareAccess(thresholds: thresholds), areaID: areaID, provenance: provenance,
            stageSeconds: clock.laps, transit: run)
    }
}

/// What a transit access run produced, with the schemas of its layers.
public struct TransitRun {
    public var indicator: TransitAccess
    public var outputs: TransitAccess.Outputs
    /// Whether the run was compared with the car (`ratio_to_car`).
    public var compared: Bool

    func layers(areaID: String?, provenance: Provenance) -> [IndicatorLayer] {
        var layers = [
            IndicatorLayer(
                role: "areas", layer: outputs.areas, schema: indicator.summarySchema(compared: compared), primary: "mean_minutes",
                idField: areaID ?? "area", provenance: provenance),
            IndicatorLayer(
                role: "cells", layer: outputs.cells, schema: indicator.cellSchema(compared: compared), primary: "minutes",
                provenance: provenance),
        ]
        if let isochrones = outputs.isochrones {
            layers.append(IndicatorLayer(role: "isochrones", layer: isochrones, schema: HealthcareAccess.isochroneSchema, provenance: provenance))
        }
        return layers
    }
}
