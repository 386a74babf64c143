import ArgumentParser
import Atlas

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a layer: format, CRS, feature count, fields, extent, encoding and invalid geometries."
    )

    @Argument(help: "A shapefile, GeoJSON or CSV layer.")
    var path: String

    @OptionGroup var reading: LayerReadingOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
        common.apply()
        let layer = try LayerReader.read(path: path, options: try reading.layerOptions())
        print(try LayerInspection(layer: layer).report)
    }
}
