import ArgumentParser
import Atlas
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Writes an area report: one self-contained HTML file with a map and a table per indicator.",
        discussion: """
            Give one --layer per section. --value, --id, --name, --label, --section-title, --definition \
            and --sources are given either once (for every layer) or once per layer, in the same order. \
            A layer atlas wrote says its own value and id fields, and its definition and sources are \
            written from how it was made ("atlas:run"); its classes ("atlas:classes") are kept unless \
            --scheme or --classes is given. Names are found by themselves (namn, name, lan beside \
            lan_kod, *_namn) unless --name names the field or --name "" turns them off. A layer with \
            one property per year (share_2019, share_2020, …) gets a trend with its references \
            ("atlas:references").

              atlas report --layer lowincome.geojson --value share --id desokod \\
                --layer transit.geojson --value share_near --id desokod \\
                --title "Områdesrapport" --place "Falu kommun" --out report.html
            """
    )

    @Option(name: .customLong("layer"), help: "An area layer (GeoJSON), one per section.")
    var layers: [String] = []

    @Option(name: .customLong("value"), help: "The field to map and rank.")
    var values: [String] = []

    @Option(name: .customLong("id"), help: "The area id field.")
    var ids: [String] = []

    @Option(name: .customLong("name"), help: "The area name field, used for labels and the table (\"\" for none).")
    var names: [String] = []

    @Option(
        name: .customLong("label"),
        help: "What the figure is about, in your words: the measure of a low-income layer, the destinations of an access layer (\"skola\").")
    var labels: [String] = []

    @Option(name: .customLong("section-title"), help: "A section heading instead of the indicator's own.")
    var sectionTitles: [String] = []

    @Option(name: .customLong("definition"), help: "What the value measures, in plain words.")
    var definitions: [String] = []

    @Option(name: .customLong("sources"), help: "Where the data come from.")
    var sources: [String] = []

    @Option(name: .customLong("format"), help: "How values are written: percent (a 0–1 share), minutes, count or number.")
    var formats: [String] = []

    @Option(name: .customLong("columns"), help: "Extra table columns: fields separated by commas.")
    var columns: [String] = []

    @Option(help: "The report title.")
    var title: String?

    @Option(help: "The municipality or region the report is about.")
    var place: String = ""

    @Option(help: "Language of the report: sv or en.")
    var lang: ReportLanguage = .swedish

    @Option(help: "Number of classes on each map (1–7); the layer's own classes, else 5, when not given.")
    var classes: Int?

    @Option(help: "How classes are formed: quantile, equal or jenks; the layer's own classes, else quantile, when not given.")
    var scheme: ClassificationScheme?

    @Option(help: "The HTML file to write.")
    var out: String

    @Flag(help: "No messages on stderr.")
    var quiet = false

    func validate() throws {
        guard !layers.isEmpty else { throw ValidationError("give at least one --layer") }
        let perLayer: [(String, [String])] = [
            ("--value", values), ("--id", ids), ("--name", names), ("--label", labels), ("--section-title", sectionTitles),
            ("--definition", definitions), ("--sources", sources), ("--format", formats), ("--columns", columns),
        ]
        for (flag, given) in perLayer where given.count > 1 && given.count != layers.count {
            throw ValidationError("\(flag) is given \(given.count) times for \(layers.count) layers: give it once or once per layer")
        }
        for format in formats where Self.valueFormat(format) == nil {
            throw ValidationError("--format must be percent, minutes, count or number, not '\(format)'")
        }
        if let classes, !(1...7).contains(classes) { throw ValidationError("--classes must be 1–7, not \(classes)") }
    }

    func run() throws {
        let session = try Session(diagnostics: .standardError(quiet: quiet))
        // A scheme or a number of classes given here wins over the layer's own classes.
        let classing: ReportClassing =
            scheme == nil && classes == nil
            ? .automatic
            : .scheme(scheme ?? .quantile, classes: classes ?? 5)
        func option(_ given: [String], _ k: Int) -> String? {
            given.isEmpty ? nil : given.count == 1 ? given[0] : given[k]
        }
        var sections: [ReportSection] = []
        for (k, path) in layers.enumerated() {
            var layer = try GeoJSONReader.read(path: path)
            if let epsg = layer.crs?.literalEPSG, epsg != 4326 { layer = try layer.reprojected(to: .wgs84, context: session.proj) }
            var section = try ReportSection.forLayer(
                layer, valueField: option(values, k), idField: option(ids, k), nameField: option(names, k),
                language: lang, classing: classing, title: option(sectionTitles, k),
                definition: option(definitions, k), sources: option(sources, k), label: option(labels, k))
            let extra = (option(columns, k) ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            if option(formats, k) != nil || !extra.isEmpty {
                let added = try extra.map { field in
                    ReportColumn(field: field, title: field, format: try ValueFormat.inferred(for: field, in: layer))
                }
                section = try section.with(format: option(formats, k).flatMap(Self.valueFormat), extraColumns: added)
            }
            sections.append(section)
        }
        let report = AreaReport(
            title: title ?? (lang == .swedish ? "Områdesrapport" : "Area report"), place: place,
            language: lang, sections: sections, generatedAt: Date(), inputs: layers)
        try report.write(to: out)
        session.diagnostics.info("wrote a report with \(sections.count) map\(sections.count == 1 ? "" : "s") to \(out)")
    }

    static func valueFormat(_ name: String) -> ValueFormat? {
        switch name {
        case "percent": .percent
        case "minutes": .minutes
        case "count": .count
        case "number": .number(decimals: 1)
        default: nil
        }
    }
}
