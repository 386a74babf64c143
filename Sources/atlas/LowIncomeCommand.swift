import ArgumentParser
import Atlas
import Foundation

struct LowIncomeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lowincome",
        abstract: "Children in low-income households per area, from a published table (indicator 1).",
        discussion: """
            Joins a PxWeb or Kolada table (long form filtered with --where, or wide form) to area \
            polygons and writes per area the area id, then: \(propertiesHelp(LowIncome.schema)) \
            Region codes are matched leniently: 0484C1010_DeSO2025 and '0180 Stockholm' match \
            0484C1010 and 0180, Kolada's 0004 matches county 04, and 114 matches municipality 0114. \
            Cells '..', '.', '-' and empty are not published: null, never zero ('..' also marks the \
            area suppressed). Without --stats, --count/--total/--share name fields of the areas.

            Every area has a status: ok (a figure), suppressed (withheld: '..' from the publisher, \
            or a total below --min-total; suppressed: true) or missing (no row, an empty cell).

            With --target (or --target-grid) the figures are re-aggregated: apportioned by the \
            population of --weights split by area over the sources (dasymetric), or by area \
            without weights; shares are recomputed from the apportioned counts. Each target is \
            computed from the sources with usable figures only, so one gap does not blank a whole \
            area nor bias its share, and gets a coverage: the part of its weight (weight \
            population, else area) those sources give; below --min-coverage it is missing. \
            Disclosure control applies to the result.

            --classes adds a class (1..K) per area and the breaks to the FeatureCollection as \
            "atlas:classes": {"field": "share", "scheme": ..., "breaks": [upper bounds], "minimum": ...}.
            """
    )

    @Option(help: "Area polygons the table describes (shapefile, GeoJSON).")
    var areas: String

    @Option(help: "Id field of the areas (kept as it is in the output).")
    var areaId: String

    @Option(help: "Statistics table (CSV export from SCB PxWeb or Kolada); omit to read the measures from the areas' fields.")
    var stats: String?

    @Option(help: "Region code column of the table.")
    var statsId: String?

    @Option(name: .customLong("where"), help: ArgumentHelp("Keep table rows with COLUMN=VALUE; repeat for several columns.", valueName: "column=value"))
    var filters: [String] = []

    @Option(help: "Period column of a long table (e.g. year): one count_P, total_P and share_P per period, share the latest, and change.")
    var series: String?

    @Option(help: "A region code of the table that is a reference, not an area (the nation, e.g. Kolada 0000); repeat for several.")
    var reference: [String] = []

    @Option(help: "Key table (CSV) mapping the table's region codes to the areas' before the join, e.g. SCB's DeSO–RegSO key.")
    var key: String?

    @Option(help: "Column of --key with the table's codes.")
    var keyFrom: String?

    @Option(help: "Column of --key with the areas' codes; counts are summed per code, shares recomputed from their totals.")
    var keyTo: String?

    @Option(help: "Column with the count of children in low-income households.")
    var count: String?

    @Option(help: "Column with the total number of children (with --share: the weight for re-aggregation).")
    var total: String?

    @Option(help: "Column with a published share, instead of --count.")
    var share: String?

    @Option(help: "Unit of --share: percent or fraction.")
    var shareUnit: ShareUnit = .percent

    @Option(help: "Areas to re-aggregate to (polygons).")
    var target: String?

    @Option(help: "Id field of the target areas.")
    var targetId: String?

    @Option(help: ArgumentHelp("Re-aggregate to the cells of an SCB-aligned grid of this size over the areas (ids as rutid).", valueName: "metres"))
    var targetGrid: Double?

    @Option(help: "Population layer weighting the re-aggregation (SCB 1 km or 250 m grid, polygons or points).")
    var weights: String?

    @Option(help: "Population field of --weights.")
    var weightField: String?

    @Option(help: "Withhold the figures of areas whose total is below this.")
    var minTotal: Double = DisclosureControl.defaultMinimumTotal

    @Option(help: "Re-aggregation: a target whose weight comes less than this (0–1) from sources with usable figures is missing.")
    var minCoverage = 0.5

    @Option(help: "Re-aggregation: available computes each target from the sources with usable figures; propagate makes a target unknown when any material part of it is.")
    var missing = MissingRule.available

    @Option(help: "Number of map classes to add as 'class'.")
    var classes: Int?

    @Option(help: "Classification scheme: quantile, equal or jenks.")
    var scheme: ClassificationScheme = .quantile

    @Flag(help: "Fail when areas have no row in the table or rows have no area.")
    var strict = false

    @Option(help: "Output layer (GeoJSON).")
    var out: String

    @Option(help: "Decimals of the output coordinates.")
    var precision: Int = 6

    @Flag(help: "Print the time taken by computing and by writing to stderr.")
    var timings = false

    @OptionGroup var portal: PortalFlags
    @OptionGroup var reading: LayerReadingOptions
    @OptionGroup var common: CommonOptions

    func request() throws -> LowIncomeRequest {
        var request = LowIncomeRequest(areas: try reading.source(areas), areaID: areaId)
        request.stats = stats
        request.statsID = statsId
        request.filters = try filters.map { filter in try cliValue("--where") { try StatisticsFilter(parsing: filter) } }
        request.series = series
        request.reference = reference
        request.key = key
        request.keyFrom = keyFrom
        request.keyTo = keyTo
        request.count = count
        request.total = total
        request.share = share
        request.shareUnit = shareUnit
        request.target = try reading.source(target)
        request.targetID = targetId
        request.targetGrid = targetGrid
        request.weights = try reading.source(weights)
        request.weightField = weightField
        request.minTotal = minTotal
        request.minCoverage = minCoverage
        request.missing = missing
        request.classes = classes
        request.scheme = scheme
        request.strict = strict
        request.out = out
        request.precision = precision
        portal.apply(to: &request)
        return request
    }

    func run() throws {
        try execute(try request(), common) { _, session, compute, write in
            if timings {
                session.diagnostics.info(String(format: "timing: reading and computing %.3f s, writing %.3f s", compute, write))
            }
        }
    }
}
