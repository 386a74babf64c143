import ArgumentParser
import Atlas

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func apply() {
        Console.shared.quiet = quiet
    }
}

/// Options that say how to read a layer whose file does not carry everything itself.
struct LayerReadingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("CRS of input without one (shapefile without .prj, CSV), e.g. EPSG:3006.", valueName: "crs"))
    var crs: String?

    @Option(help: "X (easting/longitude) column of a CSV point table.")
    var x: String?

    @Option(help: "Y (northing/latitude) column of a CSV point table.")
    var y: String?

    @Option(help: "SCB grid id column (rutid) of a CSV grid table.")
    var rutid: String?

    @Option(help: ArgumentHelp("Cell size in metres of an SCB grid table (detected when omitted).", valueName: "metres"))
    var cellSize: Double?

    func layerOptions() throws -> LayerOptions {
        LayerOptions(crs: try crs.map(parseCRS), xField: x, yField: y, rutidField: rutid, cellSize: cellSize)
    }
}

/// Parses "EPSG:3006", "3006" or a PROJ/WKT definition.
func parseCRS(_ text: String) throws -> CRS {
    if let code = Int(text) { return CRS(epsg: code) }
    let crs = CRS(definition: text)
    guard !crs.definition.isEmpty else { throw ValidationError("--crs needs a value such as EPSG:3006") }
    return crs
}
