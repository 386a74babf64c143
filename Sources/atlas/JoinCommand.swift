import ArgumentParser
import Atlas

struct JoinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Any table as a map layer: columns of a statistics table joined to areas, optionally re-aggregated.",
        discussion: """
            Region codes are matched as by lowincome (0484C1010_DeSO2025 → 0484C1010, Kolada's 0004 → \
            county 04), '..', '.', '-' and empty cells are null, numbers are written as numbers and \
            other text as text. With --series each value column V gives V_P per period P and V the \
            latest. With --target (or --target-grid) every value column is re-aggregated: --extensive \
            columns (counts) are apportioned and summed, --intensive columns (rates, medians, \
            indices) are the mean weighted by the apportioning weights (the population of --weights, \
            else area).

              atlas join --areas DeSO_2025.shp --area-id desokod --stats inkomst.csv --stats-id region \\
                --value median_inkomst --target kommundelar.shp --target-id KOMMUNDEL \\
                --weights befolkning_250m.csv --weight-field beftotalt --intensive median_inkomst --out x.geojson
            """
    )

    @Option(help: "Area polygons the table describes.")
    var areas: String

    @Option(help: "Id field of the areas.")
    var areaId: String

    @Option(help: "Statistics table (CSV export from SCB PxWeb, Kolada or any other source).")
    var stats: String

    @Option(help: "Region code column of the table.")
    var statsId: String

    @Option(name: .customLong("value"), help: ArgumentHelp("Columns to join, separated by commas or repeated.", valueName: "column"))
    var values: [String] = []

    @Option(name: .customLong("where"), help: ArgumentHelp("Keep table rows with COLUMN=VALUE; repeat for several columns.", valueName: "column=value"))
    var filters: [String] = []

    @Option(help: "Period column of a long table (e.g. year): V_P per period P, V the latest.")
    var series: String?

    @Option(help: "Key table (CSV) mapping the table's codes to the areas' before the join (values summed per code).")
    var key: String?

    @Option(help: "Column of --key with the table's codes.")
    var keyFrom: String?

    @Option(help: "Column of --key with the areas' codes.")
    var keyTo: String?

    @Option(help: "Areas to re-aggregate to (polygons).")
    var target: String?

    @Option(help: "Id field of the target areas.")
    var targetId: String?

    @Option(help: ArgumentHelp("Re-aggregate to the cells of an SCB-aligned grid of this size (ids as rutid).", valueName: "metres"))
    var targetGrid: Double?

    @Option(help: "Population layer weighting the re-aggregation.")
    var weights: String?

    @Option(help: "Population field of --weights.")
    var weightField: String?

    @Option(help: "Value columns that are counts: apportioned and summed when re-aggregating.")
    var extensive: [String] = []

    @Option(help: "Value columns that are rates, medians or indices: weighted means when re-aggregating.")
    var intensive: [String] = []

    @Flag(help: "Fail when areas have no row in the table or rows have no area.")
    var strict = false

    @Option(help: "Number of map classes of the first value column, added as 'class'.")
    var classes: Int?

    @Option(help: "Classification scheme: quantile, equal or jenks.")
    var scheme: ClassificationScheme = .quantile

    @Option(help: "Output layer (GeoJSON).")
    var out: String

    @Option(help: "Decimals of the output coordinates.")
    var precision: Int = 6

    @OptionGroup var portal: PortalFlags
    @OptionGroup var reading: LayerReadingOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
        func list(_ items: [String]) -> [String] { items.flatMap { $0.split(separator: ",").map(String.init) } }
        var request = JoinRequest(areas: try reading.source(areas), areaID: areaId, stats: stats, statsID: statsId, values: list(values))
        request.filters = try filters.map { filter in try cliValue("--where") { try StatisticsFilter(parsing: filter) } }
        request.series = series
        request.key = key
        request.keyFrom = keyFrom
        request.keyTo = keyTo
        request.target = try reading.source(target)
        request.targetID = targetId
        request.targetGrid = targetGrid
        request.weights = try reading.source(weights)
        request.weightField = weightField
        request.extensive = list(extensive)
        request.intensive = list(intensive)
        request.strict = strict
        request.classes = classes
        request.scheme = scheme
        request.out = out
        request.precision = precision
        portal.apply(to: &request)
        try execute(request, common)
    }
}
