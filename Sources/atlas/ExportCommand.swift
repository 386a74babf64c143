import ArgumentParser
import Atlas
import Foundation

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

    @Option(help: ArgumentHelp(
        "Simplify polygons to this many metres (in the metric CRS), keeping boundaries shared by neighbours shared.",
        valueName: "metres"))
    var simplify: Double?

    @Option(help: ArgumentHelp("Keep only these fields, in this order (comma-separated).", valueName: "a,b"))
    var fields: String?

    @Option(help: ArgumentHelp("Leave out features whose value in this field is null or zero.", valueName: "field"))
    var dropEmpty: String?

    @Option(help: ArgumentHelp("Write real-valued properties with this many significant digits (default: full precision).", valueName: "n"))
    var digits: Int?

    @Flag(help: "Print the seconds (and bytes) of reading, transforming, fingerprinting and writing to stderr, on one line.")
    var timings = false

    @OptionGroup var reading: LayerReadingOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
        var request = ExportRequest(input: try reading.source(input), out: out)
        request.precision = precision
        request.makeValid = makeValid
        request.outCRS = try outCrs.map { text in try cliValue("--out-crs") { try CRS(parsing: text) } }
        request.simplify = simplify
        request.fields = fields.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        request.dropEmpty = dropEmpty
        request.digits = digits
        try execute(request, common) { result, session, computing, writing in
            guard timings else { return }
            session.diagnostics.info(Self.timingLine(result, out: out, computing: computing, writing: writing))
        }
    }

    /// One line, stable wording: Scripts/bench_io.sh reads these figures. The input is read while
    /// the request is validated, so reading is the computing time less the run's own steps.
    static func timingLine(_ result: ExportResult, out: String, computing: Double, writing: Double) -> String {
        let steps = result.stageSeconds.reduce(0) { $0 + $1.seconds }
        let readBytes = result.layer.provenance.inputs.first?.fingerprint.bytes ?? 0
        let written = (try? LayerFormat.parse(outputPath: out).file).flatMap(InputFile.size) ?? 0
        return "timing: reading \(seconds(max(0, computing - steps))) (\(readBytes) bytes), \(timingList(result.stageSeconds)), "
            + "writing \(seconds(writing)) (\(written) bytes)"
    }
}
