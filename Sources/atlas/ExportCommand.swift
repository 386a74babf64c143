import ArgumentParser
import Atlas

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Convert a layer to RFC 7946 GeoJSON (WGS 84 lon/lat, counter-clockwise exterior rings) or to a GeoPackage layer."
    )

    @Argument(help: "A shapefile (also zipped), GeoPackage (PATH|layername=NAME when it has several layers), GeoJSON or CSV layer.")
    var input: String

    @Option(help: "The file to write: OUT.geojson, or OUT.gpkg (a layer named OUT, or OUT.gpkg|layername=NAME; other layers are kept).")
    var out: String

    @Option(help: ArgumentHelp("CRS of a GeoPackage output, e.g. EPSG:3006 (default WGS 84; GeoJSON is always WGS 84).", valueName: "crs"))
    var outCrs: String?

    @Option(help: "Decimals of the coordinates (6 ≈ 0.1 m).")
    var precision = 6

    @Flag(help: "Repair invalid polygons with GEOS make-valid before writing.")
    var makeValid = false

    @OptionGroup var reading: LayerReadingOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
        var request = ExportRequest(input: try reading.source(input), out: out)
        request.precision = precision
        request.makeValid = makeValid
        request.outCRS = try outCrs.map { text in try cliValue("--out-crs") { try CRS(parsing: text) } }
        try execute(request, common)
    }
}
