import ArgumentParser
import Atlas

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Convert a layer to RFC 7946 GeoJSON (WGS 84 lon/lat, counter-clockwise exterior rings)."
    )

    @Argument(help: "A shapefile, GeoJSON or CSV layer.")
    var input: String

    @Option(help: "The GeoJSON file to write.")
    var out: String

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
        try execute(request, common)
    }
}
