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

    func validate() throws {
        guard (0...15).contains(precision) else { throw ValidationError("--precision must be between 0 and 15") }
    }

    func run() throws {
        common.apply()
        var layer = try LayerReader.read(path: input, options: try reading.layerOptions())
        if makeValid { layer = try layer.madeValid() }
        let count = try layer.writeGeoJSON(to: out, precision: precision)
        Console.shared.info("wrote \(count) features to \(out)")
    }
}
