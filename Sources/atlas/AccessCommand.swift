import ArgumentParser
import Atlas
import Foundation

struct AccessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Travel time from populated cells to the nearest healthcare facility over a road network (indicator 3).",
        discussion: """
            Every origin (grid cell centroid or point) snaps to the nearest point on a road within \
            --max-snap metres, among the roads of the strongly connected parts of the network with at \
            least --min-component nodes; one search from all destinations gives each origin its minutes to the \
            nearest one. Per area: population, mean_minutes and median_minutes (population-weighted, \
            reachable population), share_within_T per threshold, population_unreachable and the PIPOS \
            classes share_0_5, share_5_10, share_10_30, share_30_plus.
            """
    )

    @Option(help: "Road network: an OSM .pbf file or a line layer (shapefile, GeoJSON).")
    var network: String

    @Option(help: "Network format: pbf or lines (default: pbf for .pbf files, else lines).")
    var networkFormat: String?

    @Option(help: "Destinations layer (care points).")
    var destinations: String

    @Option(help: "Field holding the destination id written as nearest_id (default: the record number).")
    var destinationId: String?

    @Option(help: "Keep destinations with FIELD=VALUE; repeat for several values (OR within a field, AND across fields).")
    var destinationFilter: [String] = []

    @Option(help: "Origins layer: population grid cells (polygons) or points.")
    var origins: String

    @Option(help: "Population field of the origins.")
    var populationField: String

    @Option(help: "Field naming origins in warnings (default: the record number).")
    var originId: String?

    @Option(help: "Areas to report on (polygons); without it one summary for all origins.")
    var areas: String?

    @Option(help: "Id field of the areas.")
    var areaId: String?

    @Option(help: "Travel mode: car, bike or walk.")
    var mode: String = "car"

    @Option(help: "Comma-separated thresholds in minutes.")
    var thresholds: String = "5,10,30"

    @Option(help: "Largest distance in metres from a point to the road it snaps to.")
    var maxSnap: Double = 1000

    @Option(help: "Walking speed (km/h) between a point and the road.")
    var accessSpeed: Double = 5

    @Option(help: "Points snap only to roads in strongly connected parts of the network with at least this many nodes; smaller islands are left out.")
    var minComponent: Int = 200

    @Option(help: "Line networks: speed field in km/h (car).")
    var speedField: String?

    @Option(help: "Line networks: speed field in km/h against the digitised direction (car); --speed-field is then the speed along it, and 0 or empty closes a direction.")
    var backwardSpeedField: String?

    @Option(help: "Line networks: speed in km/h where the speed field is missing.")
    var defaultSpeed: Double = 50

    @Option(help: "Line networks: field telling the direction of travel.")
    var onewayField: String?

    @Option(help: "Line networks: values of the oneway field, e.g. forward=FT,backward=TF,closed=N (| between alternatives).")
    var onewayValues: String?

    @Option(help: "Line networks: vertices of lines closer than this (metres) are joined into one junction.")
    var snapTolerance: Double = 0.5

    @Option(help: "Line networks: lines meet at every shared vertex (vertices) or only where their ends meet (ends).")
    var lineJunctions: String = "vertices"

    @Option(help: "Output areas layer (GeoJSON).")
    var out: String

    @Option(help: "Output cells layer with minutes and nearest_id (GeoJSON).")
    var cellsOut: String?

    @Option(help: "Output isochrone polygons per threshold, the union of the cells reached (GeoJSON).")
    var isochronesOut: String?

    @Flag(help: "Print the time taken by reading the network and the layers, the indicator's steps and writing to stderr.")
    var timings = false

    @OptionGroup var reading: LayerReadingOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard TravelMode(rawValue: mode) != nil else { throw ValidationError("--mode must be car, bike or walk") }
        if let networkFormat, RoadNetworkFormat(rawValue: networkFormat) == nil {
            throw ValidationError("--network-format must be pbf or lines")
        }
        guard (try? parsedThresholds()) != nil else {
            throw ValidationError("--thresholds must be positive minutes separated by commas, e.g. 5,10,30")
        }
        guard maxSnap >= 0 else { throw ValidationError("--max-snap must not be negative") }
        guard accessSpeed > 0 else { throw ValidationError("--access-speed must be positive") }
        guard minComponent >= 1 else { throw ValidationError("--min-component must be at least 1") }
        guard (onewayField == nil) == (onewayValues == nil) else {
            throw ValidationError("--oneway-field and --oneway-values go together")
        }
        if areas != nil && areaId == nil { throw ValidationError("--areas needs --area-id") }
        if backwardSpeedField != nil && speedField == nil { throw ValidationError("--backward-speed-field needs --speed-field") }
        guard LineJunctions(rawValue: lineJunctions) != nil else { throw ValidationError("--line-junctions must be vertices or ends") }
    }

    func parsedThresholds() throws -> [Double] {
        let values = thresholds.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! > 0 }) else { throw ValidationError("bad thresholds") }
        return values.map { $0! }
    }

    func run() throws {
        common.apply()
        let started = Date()
        let layerOptions = try reading.layerOptions()
        let travelMode = TravelMode(rawValue: mode)!
        let format = networkFormat.flatMap(RoadNetworkFormat.init(rawValue:)) ?? RoadNetworkFormat.guess(path: network)
        let graph: RoadGraph
        switch format {
        case .pbf:
            graph = try RoadGraph.openStreetMap(path: network, mode: travelMode)
        case .lines:
            let oneway = try onewayField.map { try OnewayRule(field: $0, values: onewayValues ?? "") }
            let options = LineNetworkOptions(
                mode: travelMode, speedField: speedField, backwardSpeedField: backwardSpeedField, defaultSpeed: defaultSpeed,
                oneway: oneway, snapTolerance: snapTolerance, junctions: LineJunctions(rawValue: lineJunctions)!)
            graph = try RoadGraph.lineLayer(try LayerReader.read(path: network, options: layerOptions), options: options)
        }
        let networkSeconds = Date().timeIntervalSince(started)
        Console.shared.info("network: \(graph.nodeCount) nodes, \(graph.segmentCount) road segments (\(graph.crs?.description ?? "?"))")

        let inputs = HealthcareAccess.Inputs(
            origins: try LayerReader.read(path: origins, options: layerOptions), populationField: populationField,
            originId: originId, destinations: try LayerReader.read(path: destinations, options: layerOptions),
            destinationId: destinationId,
            destinationFilter: destinationFilter.isEmpty ? nil : try HealthcareAccess.DestinationFilter(parsing: destinationFilter),
            areas: try areas.map { try LayerReader.read(path: $0, options: layerOptions) }, areaId: areaId)
        let layersSeconds = Date().timeIntervalSince(started) - networkSeconds
        let indicatorStarted = Date()
        let indicator = HealthcareAccess(
            thresholds: try parsedThresholds(), search: NearestFacility(maxSnap: maxSnap, accessSpeed: accessSpeed, minComponentNodes: minComponent))
        let outputs = try indicator.run(graph: graph, inputs: inputs, isochrones: isochronesOut != nil)
        let indicatorSeconds = Date().timeIntervalSince(indicatorStarted)

        let writingStarted = Date()
        try write(outputs.areas, to: out)
        if let cellsOut { try write(outputs.cells, to: cellsOut) }
        if let isochronesOut, let layer = outputs.isochrones { try write(layer, to: isochronesOut) }
        if timings {
            // One line, stable wording: Scripts/bench_access.sh reads these figures.
            func s(_ seconds: Double) -> String { String(format: "%.3f s", seconds) }
            let stages = outputs.result.stageSeconds.map { "\($0.stage) \(s($0.seconds))" }.joined(separator: ", ")
            let nearest = outputs.result.stageSeconds.reduce(0) { $0 + $1.seconds }
            Console.shared.info(
                "timing: network \(s(networkSeconds)), layers \(s(layersSeconds)), indicator \(s(indicatorSeconds)) "
                    + "(nearest facility \(s(nearest)): \(stages)), writing \(s(Date().timeIntervalSince(writingStarted)))")
        }
    }

    private func write(_ layer: Layer, to path: String) throws {
        let writer = try GeoJSONWriter(path: path, fields: layer.fields)
        for feature in layer.features { try writer.write(feature) }
        let count = try writer.finish()
        Console.shared.info("wrote \(path): \(count) features")
    }
}
