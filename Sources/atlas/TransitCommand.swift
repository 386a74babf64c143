import ArgumentParser
import Atlas
import Foundation

struct TransitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transit",
        abstract: "Share of the population near a stop with frequent departures: kollektivtrafiknära läge (indicator 2).",
        discussion: """
            Stops come from a GTFS feed on a date (departures counted per stop and hour of the window; \
            times past 24:00 count on the next day) or from a stops layer with a departures field. \
            A population cell is near when its centroid lies within --radius metres of a qualifying \
            stop (or, with --population-model areal, by the share of its area within that distance). \
            Per area: \(propertiesHelp(TransitProximity.areaSchema)) Without --out, only the stop outputs \
            (--stops-out, --coverage-out, --departures-csv) are written.
            """
    )

    @Option(help: "GTFS feed: a zip file or a folder.")
    var gtfs: String?

    @Option(help: "Service date of the GTFS feed, YYYY-MM-DD (a weekday for the national indicator).")
    var date: ServiceDate?

    @Option(help: "Stops layer with counted departures, instead of a GTFS feed.")
    var stops: String?

    @Option(help: "Departures field of the stops layer.")
    var departuresField: String?

    @Option(help: "Stops layer: departures a stop (or group of platforms) needs in a day (default 14: one an hour 06-20).")
    var minDepartures: Double?

    @Option(help: "Stops layer: the field naming each platform's parent stop (default parent_station).")
    var parentField: String?

    @Option(help: "Population layer: grid cells (polygons) or points.")
    var population: String?

    @Option(help: "Population field of the population layer.")
    var populationField: String?

    @Option(help: "Areas to report on (polygons).")
    var areas: String?

    @Option(help: "Id field of the areas, kept in the output.")
    var areaId: String?

    @Option(help: "Straight-line distance in metres from home to a stop (400 for Boverket's variant).")
    var radius: Double = 500

    @Option(help: "GTFS: time window on the date, start included, end excluded (default 06:00-20:00).")
    var window: TimeWindow?

    @Option(help: "GTFS: departures per hour a stop needs (default 1).")
    var minPerHour: Double?

    @Option(help: "every-hour: each hour of the window has --min-per-hour departures; average: the window's total does.")
    var rule = DepartureRule.everyHour

    @Option(help: "GTFS: clock reads the window from the date's midnight (a trip of the next day at 00:30 counts in a window to 25:00, one of the day before at 25:10 at 01:10); service-day counts only the date's own trips at their times, as gtfs-kit does.")
    var timeBasis = TimeBasis.clock

    @Option(help: "parent: platforms count together under their parent (GTFS parent_station, or --parent-field of a stops layer; the default when the layer has it); none: each stop by itself.")
    var groupStops: StopGrouping?

    @Option(help: "Comma-separated modes or route types to count, e.g. bus,rail,tram (default: all).")
    var modes: String?

    @Option(help: "centroid: a cell counts when its centroid is near; areal: by the share of its area near.")
    var populationModel = PopulationModel.centroid

    @Option(help: "centroid: a cell's people belong to the area holding its centroid; areal: they are split between the areas it overlaps by area.")
    var areaAssignment = AreaAssignment.centroid

    @Option(help: "Output areas layer (GeoJSON).")
    var out: String?

    @Option(help: "Output stops layer with departures, min_per_hour and qualifies (GeoJSON).")
    var stopsOut: String?

    @Option(help: "Output coverage: the union of the radius circles of the qualifying stops (GeoJSON).")
    var coverageOut: String?

    @Option(help: "Output departures per stop and hour of the window (CSV, GTFS only).")
    var departuresCsv: String?

    @Option(help: "Decimals of the output coordinates.")
    var precision: Int = 6

    @Flag(help: "Print the time taken by reading each input layer, each step of the indicator and writing to stderr.")
    var timings = false

    @Option(help: "Map classes of the areas' main property, added as 'class' with the breaks as atlas:classes.")
    var classes: Int?

    @Option(help: "Classification scheme: quantile, equal or jenks.")
    var scheme: ClassificationScheme = .quantile

    @OptionGroup var portal: PortalFlags
    @OptionGroup var reading: LayerReadingOptions
    @OptionGroup var common: CommonOptions

    func request() throws -> TransitRequest {
        var request = TransitRequest()
        request.gtfs = gtfs
        request.date = date
        request.stops = try reading.source(stops)
        request.departuresField = departuresField
        request.minDepartures = minDepartures
        request.parentField = parentField
        request.population = try reading.source(population)
        request.populationField = populationField
        request.areas = try reading.source(areas)
        request.areaID = areaId
        request.radius = radius
        request.window = window
        request.minPerHour = minPerHour
        request.rule = rule
        request.timeBasis = timeBasis
        request.groupStops = groupStops
        request.modes = try cliModes(modes)
        request.populationModel = populationModel
        request.areaAssignment = areaAssignment
        request.out = out
        request.stopsOut = stopsOut
        request.coverageOut = coverageOut
        request.departuresCSV = departuresCsv
        request.precision = precision
        request.classes = classes
        request.scheme = scheme
        portal.apply(to: &request)
        return request
    }

    func run() throws {
        try execute(try request(), common) { result, session, _, writing in
            guard timings else { return }
            // One line, stable wording: Scripts/bench_transit.sh reads these figures.
            session.diagnostics.info("timing: " + timingList(result.stageSeconds + [("writing", writing)]))
        }
    }
}
