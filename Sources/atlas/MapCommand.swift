import ArgumentParser
import Atlas
import Foundation

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Write a self-contained interactive map page (Leaflet inlined) of one or more layers.",
        discussion: """
            Each layer is drawn as SVG paths coloured by class, with a layer switcher, a legend, a \
            tooltip with the feature's name and value and a popup with its attributes; features \
            without a value are hatched. Leaflet is read from Debian's libjs-leaflet \
            (/usr/share/javascript/leaflet, or the folder ATLAS_LEAFLET_DIR names) and written into \
            the page, which opens offline and makes no network request.
            """
    )

    @Argument(help: "The layers to show; the first is shown when the page opens.")
    var layers: [String]

    @Option(help: "The field the colours show: once for all layers, or once per layer (a layer without it shows its atlas:run primary property).")
    var value: [String]

    @Option(help: "Number of classes (1–7); default: a layer's atlas:classes, else 5.")
    var classes: Int?

    @Option(help: "Classification: quantile, equal or jenks.")
    var scheme: ClassificationScheme?

    @Option(help: "The page's title.")
    var title: String?

    @Option(help: "Language of the labels: sv or en.")
    var lang: ReportLanguage = .swedish

    @Option(help: "The HTML file to write.")
    var out: String

    @OptionGroup var reading: LayerReadingOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard value.count == 1 || value.count == layers.count else {
            throw ValidationError("--value: give it once for all layers or once per layer (\(layers.count)), not \(value.count) times")
        }
    }

    func run() throws {
        let session = try common.session()
        let leaflet = try LeafletAssets.load()
        let inputs = try layers.map { path in
            (layer: try session.layer(try reading.source(path)), source: PortalFiles.relativePath(of: path, from: out))
        }
        let page = try MapPage.forLayers(
            inputs, fields: value, title: title, classes: classes, scheme: scheme,
            language: lang, session: session)
        for entry in page.entries where entry.layer.features.count > MapPage.maximumFeatures {
            session.diagnostics.warning(
                "\(entry.style.source): \(entry.layer.features.count) features will be slow to draw in a browser; export a smaller layer (--drop-empty, --simplify)")
        }
        try page.write(to: out, leaflet: leaflet)
        let features = page.entries.map { String($0.layer.features.count) }.joined(separator: " + ")
        session.diagnostics.info("wrote \(out): \(page.entries.count) layers, \(features) features")
    }
}
