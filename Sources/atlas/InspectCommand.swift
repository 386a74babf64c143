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
        if FeedInspection.isFeed(path: path) {
            print(FeedInspection(feed: try GTFSFeed.read(path: path)).report)
            return
        }
        var options = try reading.source(path).options
        // A CRS that does not fit the coordinates is reported as a warning, not refused.
        options.checksCoordinates = false
        let diagnostics = Diagnostics.standardError(quiet: common.quiet)
        let layer: Layer
        if path.lowercased().hasSuffix(".csv") {
            // A table without coordinates is described as a table, with an export's title and notes.
            let (framed, skipped) = try StatisticsTable.csv(path: path)
            guard LayerReader.hasCoordinates(framed, options: options) else {
                (try? CSVTable.read(path: path))?.warnings.forEach(diagnostics.warning)
                print(TableInspection(table: framed, skippedLines: skipped).report)
                return
            }
            layer = try LayerReader.layer(csv: try CSVTable.read(path: path), options: options)
        } else {
            // A GeoPackage or zip with several layers is described layer by layer.
            let paths = try LayerReader.layerPaths(path)
            for (k, layerPath) in paths.enumerated() {
                if k > 0 { print("") }
                if paths.count > 1 { print("layer \(k + 1) of \(paths.count)") }
                let layer = try LayerReader.read(path: layerPath, options: options)
                layer.warnings.forEach(diagnostics.warning)
                print(try LayerInspection(layer: layer).report)
            }
            return
        }
        layer.warnings.forEach(diagnostics.warning)
        print(try LayerInspection(layer: layer).report)
    }
}
