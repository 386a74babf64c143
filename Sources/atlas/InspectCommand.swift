import ArgumentParser
import Atlas
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a layer, table or GTFS feed: format, CRS, count, fields, extent, encoding, invalid geometries, service dates."
    )

    @Argument(help: "A shapefile (also zipped), GeoPackage (every layer, or PATH|layername=NAME), GeoJSON or CSV layer, a CSV table, or a GTFS feed (zip or folder).")
    var path: String

    @OptionGroup var reading: LayerReadingOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
        common.apply()
        if FeedInspection.isFeed(path: path) {
            print(FeedInspection(feed: try GTFSFeed.read(path: path)).report)
            return
        }
        let options = try reading.layerOptions()
        let layer: Layer
        if path.lowercased().hasSuffix(".csv") {
            // Read once: a table without coordinates is described as a table.
            let table = try CSVTable.read(path: path)
            guard LayerReader.hasCoordinates(table, options: options) else {
                print(TableInspection(table: table).report)
                return
            }
            layer = try LayerReader.layer(csv: table, options: options)
        } else {
            // A GeoPackage or zip with several layers is described layer by layer.
            let paths = try LayerReader.layerPaths(path)
            for (k, layerPath) in paths.enumerated() {
                if k > 0 { print("") }
                if paths.count > 1 { print("layer \(k + 1) of \(paths.count)") }
                print(try LayerInspection(layer: try LayerReader.read(path: layerPath, options: options)).report)
            }
            return
        }
        print(try LayerInspection(layer: layer).report)
    }
}
