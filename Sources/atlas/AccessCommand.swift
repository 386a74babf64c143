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
            nearest one. Per area: \(propertiesHelp(HealthcareAccess().summarySchema)) Per cell \
            (--cells-out): \(propertiesHelp(HealthcareAccess.cellSchema))

            --mode transit: by public transport and on foot, for every minute of --departure-window \
            on --date, over the GTFS feeds (--gtfs, repeatable) and the walk network (--network, OSM \
            walk profile or a line layer walked both ways). Per cell: \(propertiesHelp(TransitAccess.helpCellSchema)) \
            With --compare-car (a cells layer of a car run on the same origins), per area also: \
            \(propertiesHelp(TransitAccess.helpAreaRatio))
            """
    )

    @Option(help: "Road network: an OSM .pbf file or a line layer (shapefile, GeoJSON).")
    var network: String

    @Option(help: "Network format: pbf or lines (default: pbf for .pbf files, else lines).")
    var networkFormat: RoadNetworkFormat?

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

    @Option(help: "Travel mode: car, bike, walk or transit.")
    var mode = AccessMode.car

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
    var lineJunctions = LineJunctions.vertices

    @Option(help: "Output areas layer (GeoJSON).")
    var out: String?

    @Option(help: "Output cells layer with minutes and nearest_id (GeoJSON).")
    var cellsOut: String?

    @Option(help: "Output isochrone polygons per threshold, the union of the cells reached (GeoJSON).")
    var isochronesOut: String?

    @Flag(help: "Print the time taken by reading the network and the layers, the indicator's steps and writing to stderr.")
    var timings = false

    @Option(help: "Decimals of the output coordinates.")
    var precision: Int = 6

    @Option(help: "Transit: a GTFS feed (zip or folder); repeat for several feeds.")
    var gtfs: [String] = []

    @Option(help: "Transit: the date of travel, YYYY-MM-DD.")
    var date: ServiceDate?

    @Option(help: "Transit: departure minutes HH:MM-HH:MM, the start included, the end excluded (up to 48:00).")
    var departureWindow: TimeWindow?

    @Option(help: "Transit: comma-separated percentiles (1–99) of the travel time over the window's minutes.")
    var percentiles: String = "25,50,75"

    @Option(help: "Transit: walking speed in km/h, on the network and off it.")
    var walkSpeed: Double = 5

    @Option(help: "Transit: longest walk in minutes to, between and from stops.")
    var maxWalk: Double = 20

    @Option(help: "Transit: seconds between arriving at a stop and the earliest departure one may board.")
    var boardSlack: Double = 60

    @Option(help: "Transit: most boardings in one journey.")
    var maxRides: Int = 8

    @Option(help: "Transit: comma-separated modes or route types to ride, e.g. rail,tram (default: all).")
    var modes: String?

    @Option(help: "Transit: minutes after departure beyond which a destination counts as unreachable.")
    var maxMinutes: Double = 120

    @Option(help: "Transit: the cells layer of a car run on the same origins; adds ratio_to_car (restidskvot).")
    var compareCar: String?

    @Option(help: "Transit: output CSV of the minutes per origin (rows) and departure minute (columns).")
    var minutesCsv: String?

    @Option(help: "Map classes of the areas' main property, added as 'class' with the breaks as atlas:classes; without it, the PIPOS breaks 5, 10 and 30 minutes.")
    var classes: Int?

    @Option(help: "Classification scheme: quantile, equal or jenks.")
    var scheme: ClassificationScheme = .quantile

    @OptionGroup var portal: PortalFlags
    @OptionGroup var reading: LayerReadingOptions
    @OptionGroup var common: CommonOptions

    func request() throws -> AccessRequest {
        var request = AccessRequest(
            network: try reading.source(network), destinations: try reading.source(destinations),
            origins: try reading.source(origins), populationField: populationField)
        request.networkFormat = networkFormat
        request.destinationID = destinationId
        request.destinationFilter = destinationFilter
        request.originID = originId
        request.areas = try reading.source(areas)
        request.areaID = areaId
        request.mode = mode
        request.thresholds = try thresholds.split(separator: ",").map { text in
            guard let minutes = Double(text.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--thresholds must be minutes separated by commas, e.g. 5,10,30; '\(text)' is not a number")
            }
            return minutes
        }
        request.maxSnap = maxSnap
        request.accessSpeed = accessSpeed
        request.minComponent = minComponent
        request.backwardSpeedField = backwardSpeedField
        request.lineJunctions = lineJunctions
        request.speedField = speedField
        request.defaultSpeed = defaultSpeed
        request.onewayField = onewayField
        request.onewayValues = onewayValues
        request.snapTolerance = snapTolerance
        request.out = out
        request.cellsOut = cellsOut
        request.isochronesOut = isochronesOut
        request.precision = precision
        request.classes = classes
        request.scheme = scheme
        portal.apply(to: &request)
        request.gtfs = gtfs
        request.date = date
        request.departureWindow = departureWindow
        request.percentiles = try percentiles.split(separator: ",").map { text in
            guard let p = Double(text.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--percentiles must be whole numbers separated by commas, e.g. 25,50,75; '\(text)' is not a number")
            }
            return p
        }
        request.walkSpeed = walkSpeed
        request.maxWalk = maxWalk
        request.boardSlack = boardSlack
        request.maxRides = maxRides
        request.modes = try cliModes(modes)
        request.maxMinutes = maxMinutes
        request.compareCar = try reading.source(compareCar)
        request.minutesCSV = minutesCsv
        return request
    }

    func run() throws {
        try execute(try request(), common) { result, session, computing, writing in
            guard timings else { return }
            // One line, stable wording: Scripts/bench_access.sh reads these figures.
            let step = Dictionary(uniqueKeysWithValues: result.stageSeconds.map { ($0.stage, $0.seconds) })
            if let transit = result.transit {
                session.diagnostics.info(
                    "timing: feeds \(seconds(step["feeds"] ?? 0)), network \(seconds(step["network"] ?? 0)), layers \(seconds(step["layers"] ?? 0)), "
                        + "indicator \(seconds(step["indicator"] ?? 0)) (\(timingList(transit.outputs.stageSeconds))), writing \(seconds(writing))")
                return
            }
            let search = result.outputs.result.stageSeconds
            let building = result.outputs.result.networkStageSeconds
            let nearest = search.reduce(0) { $0 + $1.seconds }
            let reading = result.stageSeconds.filter { $0.stage.hasPrefix("reading ") }
            let around = result.outputs.stageSeconds.filter { $0.stage != "nearest facility" }
            // Validation checks the options and reads the layers; what is not reading is checking.
            let checking = computing - result.stageSeconds.reduce(0) { $0 + $1.seconds }
            session.diagnostics.info(
                "timing: \(timingList(reading)), checking \(seconds(max(0, checking))), "
                    + "network \(seconds(step["network"] ?? 0))\(building.isEmpty ? "" : " (\(timingList(building)))"), "
                    + "layers \(seconds(step["layers"] ?? 0)), indicator \(seconds(step["indicator"] ?? 0)) "
                    + "(nearest facility \(seconds(nearest)): \(timingList(search)); \(timingList(around))), "
                    + "provenance \(seconds(step["provenance"] ?? 0)), writing \(seconds(writing)), total \(seconds(computing + writing))")
        }
    }
}
