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
            Per area: population, population_near, share_near. Without --out, only the stop outputs \
            (--stops-out, --departures-csv) are written.
            """
    )

    @Option(help: "GTFS feed: a zip file or a folder.")
    var gtfs: String?

    @Option(help: "Service date of the GTFS feed, YYYY-MM-DD (a weekday for the national indicator).")
    var date: String?

    @Option(help: "Stops layer with counted departures, instead of a GTFS feed.")
    var stops: String?

    @Option(help: "Departures field of the stops layer.")
    var departuresField: String?

    @Option(help: "Stops layer: departures a stop needs to qualify (default: --min-per-hour × the window's hours).")
    var minDepartures: Double?

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

    @Option(help: "Time window on the date, start included, end excluded.")
    var window: String = "06:00-20:00"

    @Option(help: "Departures per hour a stop needs.")
    var minPerHour: Double = 1

    @Option(help: "every-hour: each hour of the window has --min-per-hour departures; average: the window's total does.")
    var rule: String = "every-hour"

    @Option(help: "parent: platforms count under their parent station; none: each stop by itself.")
    var groupStops: String = "parent"

    @Option(help: "Comma-separated modes or route types to count, e.g. bus,rail,tram (default: all).")
    var modes: String?

    @Option(help: "centroid: a cell counts when its centroid is near; areal: by the share of its area near.")
    var populationModel: String = "centroid"

    @Option(help: "centroid: a cell's people belong to the area holding its centroid; areal: they are split between the areas it overlaps by area.")
    var areaAssignment: String = "centroid"

    @Option(help: "Output areas layer (GeoJSON).")
    var out: String?

    @Option(help: "Output stops layer with departures, min_per_hour and qualifies (GeoJSON).")
    var stopsOut: String?

    @Option(help: "Output coverage: the union of the radius circles of the qualifying stops (GeoJSON).")
    var coverageOut: String?

    @Option(help: "Output departures per stop and hour of the window (CSV, GTFS only).")
    var departuresCsv: String?

    @OptionGroup var reading: LayerReadingOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (gtfs == nil) != (stops == nil) else { throw ValidationError("give either --gtfs or --stops") }
        if gtfs != nil {
            guard let date else { throw ValidationError("--gtfs needs --date YYYY-MM-DD") }
            guard ServiceDate(iso: date) != nil else { throw ValidationError("--date must be a date YYYY-MM-DD, got '\(date)'") }
        } else {
            guard departuresField != nil else { throw ValidationError("--stops needs --departures-field") }
            if departuresCsv != nil { throw ValidationError("--departures-csv needs --gtfs") }
        }
        guard TimeWindow(argument: window) != nil else {
            throw ValidationError("--window must look like 06:00-20:00 (start before end), got '\(window)'")
        }
        guard radius > 0 else { throw ValidationError("--radius must be positive") }
        guard minPerHour >= 0 else { throw ValidationError("--min-per-hour must not be negative") }
        guard DepartureRule(rawValue: rule) != nil else { throw ValidationError("--rule must be every-hour or average") }
        guard StopGrouping(rawValue: groupStops) != nil else { throw ValidationError("--group-stops must be parent or none") }
        guard AreaAssignment(rawValue: areaAssignment) != nil else {
            throw ValidationError("--area-assignment must be centroid or areal, got '\(areaAssignment)'")
        }
        guard PopulationModel(rawValue: populationModel) != nil else {
            throw ValidationError("--population-model must be centroid or areal")
        }
        if let modes { _ = try parsedModes(modes) }
        if out != nil {
            guard population != nil, populationField != nil, areas != nil, areaId != nil else {
                throw ValidationError("--out needs --population, --population-field, --areas and --area-id")
            }
        } else {
            guard stopsOut != nil || departuresCsv != nil || coverageOut != nil else {
                throw ValidationError("give --out (with --population and --areas), --stops-out, --coverage-out or --departures-csv")
            }
        }
    }

    private func parsedModes(_ text: String) throws -> Set<TransitMode> {
        var result = Set<TransitMode>()
        for item in text.split(separator: ",") {
            guard let mode = TransitMode(argument: String(item)) else {
                let names = TransitMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--modes: '\(item)' is not a mode (\(names)) or a route type number")
            }
            result.insert(mode)
        }
        guard !result.isEmpty else { throw ValidationError("--modes is empty") }
        return result
    }

    func run() throws {
        common.apply()
        let layerOptions = try reading.layerOptions()
        let timeWindow = TimeWindow(argument: window)!
        let departureRule = DepartureRule(rawValue: rule)!
        let stopLayer: Layer
        if let gtfs {
            let feed = try GTFSFeed.read(path: gtfs)
            let options = DepartureOptions(
                date: ServiceDate(iso: date!)!, window: timeWindow, grouping: StopGrouping(rawValue: groupStops)!,
                modes: try modes.map(parsedModes))
            let departures = try DepartureCounter.count(feed: feed, options: options)
            stopLayer = departures.stopsLayer(rule: departureRule, minPerHour: minPerHour, source: gtfs)
            if let departuresCsv {
                try departures.writeCSV(to: departuresCsv)
                Console.shared.info("\(departuresCsv): \(departures.stops.count) stops")
            }
        } else {
            let threshold = minDepartures ?? minPerHour * timeWindow.lengthInHours
            stopLayer = try TransitProximity.qualifyingStops(
                try LayerReader.read(path: stops!, options: layerOptions), departuresField: departuresField!, minDepartures: threshold)
        }
        let qualifiesColumn = try stopLayer.fieldIndex("qualifies")
        let qualifying = stopLayer.features.filter { $0.values[qualifiesColumn] == .bool(true) }.count
        Console.shared.info("\(qualifying) of \(stopLayer.features.count) stops qualify")

        let options = TransitProximity.Options(
            radius: radius, model: PopulationModel(rawValue: populationModel)!,
            areaAssignment: AreaAssignment(rawValue: areaAssignment)!)
        var metricCRS: CRS?
        if let out {
            let result = try TransitProximity.compute(
                stops: stopLayer, population: try LayerReader.read(path: population!, options: layerOptions),
                populationField: populationField!, areas: try LayerReader.read(path: areas!, options: layerOptions), areaId: areaId!,
                options: options)
            metricCRS = result.metricCRS
            _ = try result.areas.writeGeoJSON(to: out)
            let share = result.population > 0 ? result.populationNear / result.population * 100 : 0
            Console.shared.info(
                "\(out): \(result.areas.features.count) areas; \(Int(result.populationNear.rounded())) of "
                    + "\(Int(result.population.rounded())) people near a stop (\(String(format: "%.1f", share)) %)")
            if result.cellsOutsideAreas > 0 {
                Console.shared.warning("\(result.cellsOutsideAreas) populated cells lie outside every area and are not counted")
            }
        }
        if let stopsOut {
            _ = try stopLayer.writeGeoJSON(to: stopsOut)
            Console.shared.info("\(stopsOut): \(stopLayer.features.count) stops")
        }
        if let coverageOut {
            let crs = try metricCRS ?? stopLayer.toMetric().crs!
            let coverage = try TransitProximity.coverage(stops: stopLayer, metricCRS: crs, options: options)
            let layer = Layer(
                source: coverageOut, format: "GeoJSON", crs: .wgs84, fields: [Field("radius", .real)],
                features: [Feature(geometry: coverage, values: [.double(radius)])])
            _ = try layer.writeGeoJSON(to: coverageOut)
            Console.shared.info("\(coverageOut): coverage within \(Int(radius)) m")
        }
    }
}
