import ArgumentParser
import Atlas
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a layer, table or GTFS feed: format, CRS, count, fields, extent, encoding, invalid geometries, service dates."
    )

    @Argument(help: "A shapefile, GeoJSON or CSV layer, a CSV table, or a GTFS feed (zip or folder).")
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
        if path.lowercased().hasSuffix(".csv"), !LayerReader.hasCoordinates(csv: path, options: options) {
            print(TableInspection(table: try CSVTable.read(path: path)).report)
            return
        }
        let layer = try LayerReader.read(path: path, options: options)
        print(try LayerInspection(layer: layer).report)
    }
}
