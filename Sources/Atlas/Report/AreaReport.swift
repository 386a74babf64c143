import Foundation

/// An area report: one self-contained HTML file (inline CSS and SVG, nothing fetched) with a
/// summary, then per indicator a definition, its sources, a choropleth map and a ranked table.
public struct AreaReport: Sendable {
    /// The version printed in the footer.
    public static let atlasVersion = "0.1.0"

    public var title: String
    /// The municipality or region the report is about, shown under the title.
    public var place: String
    public var language: ReportLanguage
    public var sections: [ReportSection]
    public var generatedAt: Date
    /// The input files the layers were made from; the footer lists their names.
    public var inputs: [String]

    public init(
        title: String, place: String, language: ReportLanguage = .swedish, sections: [ReportSection],
        generatedAt: Date = Date(), inputs: [String] = []
    ) {
        self.title = title
        self.place = place
        self.language = language
        self.sections = sections
        self.generatedAt = generatedAt
        self.inputs = inputs
    }

    public func html() -> String {
        ReportHTML(report: self).render()
    }

    /// Writes the report so that the file appears whole or not at all.
    public func write(to path: String) throws {
        let file = try AtomicFile(path: path)
        try file.write(html())
        try file.commit()
    }
}

/// How a section's values are put into classes.
public enum ReportClassing: Hashable, Sendable {
    /// Breaks computed from the values.
    case scheme(ClassificationScheme, classes: Int)
    /// Given upper class bounds, ascending, one per class, as `Classification.breaks` returns
    /// them; the first class starts at the lowest value.
    case breaks([Double])
    /// Fixed limits, ascending, with a class above the last one when a value lies above it and
    /// the first class starting at 0: PIPOS's 5, 10 and 30 minutes.
    case thresholds([Double])
    /// The layer's own `"atlas:classes"` when they are for the mapped field, else the fallback.
    indirect case layer(else: ReportClassing)

    public static let standard = ReportClassing.scheme(.quantile, classes: 5)
    /// The layer's classes, else quantiles in five classes.
    public static let automatic = ReportClassing.layer(else: .standard)
    /// PIPOS's travel-time classes: under 5, 5–10, 10–30 and over 30 minutes.
    public static let pipos = ReportClassing.thresholds([5, 10, 30])
}

/// Where a section's classes came from, for the map's caption.
enum ClassOrigin: Hashable, Sendable {
    case scheme(ClassificationScheme)
    /// The layer's `"atlas:classes"`, with the scheme it names.
    case layer(scheme: String?)
    case breaks
    case thresholds([Double])
}

/// Why an area has no value: withheld by the publisher or by a disclosure rule, or simply missing.
public enum AreaStatus: String, Sendable, Hashable {
    case ok, withheld, missing
}

/// An extra table column: a field of the layer, its heading and its format.
public struct ReportColumn: Hashable, Sendable {
    public var field: String
    public var title: String
    public var format: ValueFormat

    public init(field: String, title: String, format: ValueFormat) {
        self.field = field
        self.title = title
        self.format = format
    }
}

/// One indicator in a report: the texts a reader needs, and an area layer in WGS 84 with the
/// value to map. The layer is read once here, so a missing field is an error at construction.
public struct ReportSection: Sendable {
    public let title: String
    /// What the indicator measures, in plain words.
    public let definition: String
    /// Where the data come from.
    public let sources: String
    public let layer: Layer
    public let idField: String
    /// The field with the areas' names: the one given, else one found by `AreaNames`; nil when
    /// the layer has none or the caller gave "".
    public let nameField: String?
    public let valueField: String
    /// The heading of the value column; the section title when nil.
    public let valueTitle: String?
    public let format: ValueFormat
    public let classing: ReportClassing
    public let ramp: ColorRamp
    public let columns: [ReportColumn]
    /// The values over time, when the layer has one property per period of the mapped field.
    public let series: ReportSeries?

    /// The areas in layer order with their values looked up.
    let areas: [ReportArea]
    /// Upper class bounds, ascending, one per class; empty when no area has a value.
    let breaks: [Double]
    /// The lowest value, where the first class starts.
    let minimum: Double?
    let classOrigin: ClassOrigin

    public init(
        title: String, definition: String, sources: String, layer: Layer, idField: String,
        nameField: String? = nil, valueField: String, valueTitle: String? = nil,
        format: ValueFormat, classing: ReportClassing = .automatic, ramp: ColorRamp = .yellowOrangeRed,
        columns: [ReportColumn] = []
    ) throws {
        self.title = title
        self.definition = definition
        self.sources = sources
        self.layer = layer
        self.idField = idField
        self.valueField = valueField
        self.valueTitle = valueTitle
        self.format = format
        self.classing = classing
        self.ramp = ramp
        // A column with no value at all (counts of a layer made from published shares) says nothing.
        self.columns = try columns.filter { column in
            let k = try layer.fieldIndex(column.field)
            return layer.features.contains { !$0.values[k].isNull }
        }

        if let epsg = layer.crs?.literalEPSG, epsg != 4326 {
            throw AtlasError(file: layer.source, "the report maps WGS 84 lon/lat layers, this one is EPSG:\(epsg)")
        }
        if let b = layer.bounds, b.minX < -180.0001 || b.maxX > 180.0001 || b.minY < -90.0001 || b.maxY > 90.0001 {
            throw AtlasError(
                file: layer.source, "coordinates are not lon/lat degrees (the extent reaches \(b.maxX), \(b.maxY))")
        }
        let idIndex = try layer.fieldIndex(idField)
        let name = nameField.map { $0.isEmpty ? nil : $0 } ?? AreaNames.field(in: layer, idField: idField)
        let nameIndex = try name.map { try layer.fieldIndex($0) }
        self.nameField = name
        let valueIndex = try layer.fieldIndex(valueField)
        let columnIndices = try self.columns.map { try layer.fieldIndex($0.field) }
        // `status` (ok, suppressed, missing) says why a value is absent; older layers only have
        // `suppressed`, and a null without either is missing.
        let statusIndex = layer.fields.firstIndex { $0.name == "status" && $0.type == .string }
        let suppressedIndex = layer.fields.firstIndex { $0.name == "suppressed" }

        var areas: [ReportArea] = []
        areas.reserveCapacity(layer.features.count)
        for (n, feature) in layer.features.enumerated() {
            guard let id = feature.values[idIndex].text else {
                throw AtlasError(file: layer.source, record: n + 1, field: idField, "the area has no id")
            }
            let name = nameIndex.flatMap { feature.values[$0].text }.flatMap { $0.isEmpty ? nil : $0 }
            var value = feature.values[valueIndex].parsedNumber
            if let v = value, !v.isFinite { value = nil }
            var status = AreaStatus.ok
            switch statusIndex.flatMap({ feature.values[$0].text }) {
            case "suppressed"?: status = .withheld
            case "missing"?: status = .missing
            case "ok"?: break
            default: if let s = suppressedIndex, feature.values[s] == .bool(true) { status = .withheld }
            }
            if status != .ok { value = nil } else if value == nil { status = .missing }
            areas.append(
                ReportArea(
                    index: n, id: id, name: name, value: value, status: status,
                    extras: columnIndices.map { feature.values[$0].parsedNumber }, geometry: feature.geometry))
        }
        self.areas = areas
        series = try ReportSeries(layer: layer, valueField: valueField)

        let values = areas.compactMap(\.value)
        let layerClasses = try LayerClasses(layer)
        (breaks, minimum, classOrigin) = try Self.classes(classing, values: values, layerClasses: layerClasses, field: valueField)
    }

    private static func classes(
        _ classing: ReportClassing, values: [Double], layerClasses: LayerClasses?, field: String
    ) throws -> ([Double], Double?, ClassOrigin) {
        switch classing {
        case .scheme(let scheme, let classes):
            guard (1...ColorRamp.maximumClasses).contains(classes) else {
                throw AtlasError("the number of classes must be 1–\(ColorRamp.maximumClasses), not \(classes)")
            }
            let breaks = values.isEmpty ? [] : Classification.breaks(values: values, classes: classes, scheme: scheme)
            return (breaks, values.min(), .scheme(scheme))
        case .breaks(let given):
            try check(given)
            return (given, values.min(), .breaks)
        case .thresholds(let limits):
            try check(limits)
            guard let low = values.min(), let high = values.max() else { return ([], nil, .thresholds(limits)) }
            var breaks = limits
            if high > limits[limits.count - 1] { breaks.append(high) }
            guard breaks.count <= ColorRamp.maximumClasses else {
                throw AtlasError("thresholds make at most \(ColorRamp.maximumClasses) classes, not \(breaks.count): \(limits)")
            }
            return (breaks, min(low, 0), .thresholds(limits))
        case .layer(let fallback):
            if let given = layerClasses, given.field.lowercased() == field.lowercased(),
                given.breaks.count <= ColorRamp.maximumClasses, !values.isEmpty
            {
                let low = [given.minimum, values.min()].compactMap { $0 }.min()
                if given.scheme == "thresholds", let limits = given.limits, !limits.isEmpty {
                    return (given.breaks, min(low ?? 0, 0), .thresholds(limits))
                }
                return (given.breaks, low, .layer(scheme: given.scheme))
            }
            return try classes(fallback, values: values, layerClasses: nil, field: field)
        }
    }

    private static func check(_ breaks: [Double]) throws {
        let ascending = zip(breaks, breaks.dropFirst()).allSatisfy { $0 < $1 }
        guard (1...ColorRamp.maximumClasses).contains(breaks.count), ascending, breaks.allSatisfy(\.isFinite) else {
            throw AtlasError("class breaks must be 1–\(ColorRamp.maximumClasses) ascending numbers, not \(breaks)")
        }
    }

    /// The same section with another value format and more table columns.
    public func with(format: ValueFormat? = nil, extraColumns: [ReportColumn] = []) throws -> ReportSection {
        try ReportSection(
            title: title, definition: definition, sources: sources, layer: layer, idField: idField,
            nameField: nameField ?? "", valueField: valueField, valueTitle: valueTitle, format: format ?? self.format,
            classing: classing, ramp: ramp, columns: columns + extraColumns)
    }

    var classCount: Int { breaks.count }

    /// The class of a value, 0-based (`Classification` counts from 1).
    func classIndex(of value: Double) -> Int? {
        guard classCount > 0 else { return nil }
        return Classification.classIndex(of: value, breaks: breaks) - 1
    }

    /// Each class's lower and upper bound, for the legend.
    var classRanges: [(low: Double, high: Double)] {
        guard let minimum else { return [] }
        return breaks.indices.map { k in (k == 0 ? min(minimum, breaks[0]) : breaks[k - 1], breaks[k]) }
    }

    var colors: [String] { ramp.colors(classCount) }

    /// How many areas have each status.
    func count(_ status: AreaStatus) -> Int { areas.filter { $0.status == status }.count }

    /// Areas by value, highest first; areas without a value last; ties by id so the order is stable.
    var ranked: [ReportArea] {
        areas.sorted { a, b in
            switch (a.value, b.value) {
            case let (x?, y?): x != y ? x > y : a.id < b.id
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a.status != b.status ? a.status == .withheld : a.id < b.id
            }
        }
    }
}

/// An area of a section as the report shows it.
struct ReportArea: Sendable {
    /// The feature's position in the layer, which is also its row in the section's series.
    var index: Int
    var id: String
    var name: String?
    var value: Double?
    var status: AreaStatus
    var extras: [Double?]
    var geometry: Geometry?

    var label: String { name ?? id }
}

/// Sequential ColorBrewer ramps (Cynthia Brewer, Apache 2.0), all colour-blind safe, light to dark.
public enum ColorRamp: String, Sendable, CaseIterable {
    case yellowOrangeRed, blues, greens, purples, orangeRed

    static let maximumClasses = 7

    /// The ramp for `count` classes (1–7), as CSS hex colours.
    func colors(_ count: Int) -> [String] {
        guard count > 0 else { return [] }
        let table: [[String]]
        switch self {
        case .yellowOrangeRed:
            table = [
                ["#ffeda0", "#feb24c", "#f03b20"],
                ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
                ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
                ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
                ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
            ]
        case .blues:
            table = [
                ["#deebf7", "#9ecae1", "#3182bd"],
                ["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"],
                ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
                ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"],
                ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"],
            ]
        case .greens:
            table = [
                ["#e5f5e0", "#a1d99b", "#31a354"],
                ["#edf8e9", "#bae4b3", "#74c476", "#238b45"],
                ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],
                ["#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"],
                ["#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#005a32"],
            ]
        case .purples:
            table = [
                ["#efedf5", "#bcbddc", "#756bb1"],
                ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#6a51a3"],
                ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"],
                ["#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f"],
                ["#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"],
            ]
        case .orangeRed:
            table = [
                ["#fee8c8", "#fdbb84", "#e34a33"],
                ["#fef0d9", "#fdcc8a", "#fc8d59", "#d7301f"],
                ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"],
                ["#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"],
                ["#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000"],
            ]
        }
        // One or two classes take the middle and dark end of the three-class ramp.
        if count == 1 { return [table[0][1]] }
        if count == 2 { return [table[0][0], table[0][2]] }
        return table[min(count, Self.maximumClasses) - 3]
    }
}
