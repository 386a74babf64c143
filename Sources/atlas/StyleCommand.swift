import ArgumentParser
import Atlas
import Foundation

struct StyleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "style",
        abstract: "Write a QGIS style (.qml) or an Origo layer and style snippet (.json) for a layer.",
        discussion: """
            The classes are the layer's "atlas:classes" when they were made for --value and neither \
            --classes nor --scheme is given; otherwise they are computed (5 quantile classes by \
            default). A .qml file is a QGIS graduated style to load with the layer; a .json file \
            holds "layers" and "styles" members to paste into an Origo map's index.json, with one \
            rule per class and popup attributes labelled from the layer's "atlas:run" properties.
            """
    )

    @Argument(help: "The layer to style (GeoJSON, shapefile or CSV).")
    var layer: String

    @Option(help: "The field the colours show.")
    var value: String

    @Option(help: "Number of classes (1–7).")
    var classes: Int?

    @Option(help: "Classification: quantile, equal or jenks.")
    var scheme: ClassificationScheme?

    @Option(help: "The layer's title in the portal (default: file name and field).")
    var title: String?

    @Option(help: "The field naming each feature in tooltips (default: a name field, else the id).")
    var name: String?

    @Option(help: "The layer file as the portal finds it (default: its path relative to --out's folder).")
    var source: String?

    @Option(help: "Language of the labels: sv or en.")
    var lang: ReportLanguage = .swedish

    @Option(help: "The style file to write: STYLE.qml (QGIS) or STYLE.json (Origo).")
    var out: String

    @OptionGroup var reading: LayerReadingOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        let ext = URL(fileURLWithPath: out).pathExtension.lowercased()
        guard ext == "qml" || ext == "json" else {
            throw ValidationError("--out must end in .qml (a QGIS style) or .json (an Origo snippet), not '\(out)'")
        }
    }

    func run() throws {
        let session = try common.session()
        let input = try session.layer(try reading.source(layer))
        let style = try LayerStyle(
            layer: input, source: source ?? PortalFiles.relativePath(of: layer, from: out), field: value,
            classes: classes, scheme: scheme, title: title, nameField: name, language: lang)
        if URL(fileURLWithPath: out).pathExtension.lowercased() == "qml" {
            try QGISStyle.write(style, to: out)
        } else {
            try OrigoConfig.write([style], to: out)
        }
        let origin: String
        switch style.breakSource {
        case .layer: origin = "the layer's atlas:classes"
        case .computed(let scheme): origin = scheme.rawValue
        }
        session.diagnostics.info("wrote \(out): \(style.classes.count) classes of \(style.field) (\(origin))")
    }
}
