import Foundation

/// How a layer is drawn on a map: one value field cut into classes, a colour per class, a
/// legend label per class and the attributes a popup shows with readable labels. The QGIS style
/// (`QGISStyle`), the Origo snippet (`OrigoConfig`) and the map page (`MapPage`) are all written
/// from this one description, so that they agree on the breaks and colours.
public struct LayerStyle: Sendable {
    /// One class: values in (lower, upper] — the first class includes its lower bound.
    public struct ValueClass: Sendable, Equatable {
        public var lower: Double
        public var upper: Double
        /// CSS hex colour, e.g. "#fd8d3c".
        public var color: String
        public var label: String
        /// Features of the layer in the class.
        public var count: Int
    }

    /// A field shown in a popup, with the label a reader sees.
    public struct Attribute: Sendable, Equatable {
        public var name: String
        public var label: String
    }

    public enum GeometryKind: String, Sendable {
        case polygon, line, point
    }

    /// Where the breaks came from: the layer's `"atlas:classes"` or a classification run here.
    public enum BreakSource: Sendable, Equatable {
        /// The layer's own breaks, with the scheme it names.
        case layer(ClassificationScheme?)
        case computed(ClassificationScheme)

        public var scheme: ClassificationScheme? {
            switch self {
            case .layer(let scheme): scheme
            case .computed(let scheme): scheme
            }
        }
    }

    /// An identifier for the layer and its style in a portal configuration: the file's name
    /// without extension, in letters, digits, `_` and `-`.
    public var name: String
    public var title: String
    /// The layer file as the portal finds it (relative to the configuration).
    public var source: String
    public var field: String
    public var fieldLabel: String
    public var classes: [ValueClass]
    public var breakSource: BreakSource
    /// Features whose value is null (missing or suppressed).
    public var missingCount: Int
    public var missingLabel: String
    public var attributes: [Attribute]
    /// The field naming each feature in a tooltip.
    public var nameField: String?
    public var geometry: GeometryKind
    public var format: ValueFormat
    public var language: ReportLanguage

    /// The fill of features without a value (with a hatch on the map page).
    public static let missingColor = "#d9d9d9"
    public static let defaultClassCount = 5
    public static let defaultScheme = ClassificationScheme.quantile

    /// The style of `field` in `layer`.
    ///
    /// The breaks are the layer's `"atlas:classes"` when it was made for `field` and neither
    /// `classes` nor `scheme` is given; otherwise `Classification` computes them (5 quantile
    /// classes by default). Labels of fields come from the `meaning` of the layer's
    /// `"atlas:run".properties`.
    public init(
        layer: Layer, source: String, field: String, classes: Int? = nil, scheme: ClassificationScheme? = nil,
        title: String? = nil, nameField: String? = nil, language: ReportLanguage = .swedish
    ) throws {
        let index = try layer.fieldIndex(field)
        let fieldName = layer.fields[index].name
        var values: [Double?] = []
        values.reserveCapacity(layer.features.count)
        for (k, feature) in layer.features.enumerated() {
            let value = feature.values[index]
            if value.isNull {
                values.append(nil)
            } else if let number = value.parsedNumber, number.isFinite {
                values.append(number)
            } else {
                throw AtlasError(file: layer.source, record: k + 1, field: fieldName, "'\(value.text ?? "")' is not a number to map")
            }
        }
        let numbers = values.compactMap { $0 }
        guard !numbers.isEmpty else {
            throw AtlasError(file: layer.source, field: fieldName, "no feature has a value to map")
        }
        if let classes, !(1...ColorRamp.maximumClasses).contains(classes) {
            throw AtlasError("the number of classes must be 1–\(ColorRamp.maximumClasses), not \(classes)")
        }

        let run = layer.metadata["atlas:run"]
        let properties = Self.meanings(run)
        var breaks: [Double]
        var minimum = numbers.min()!
        if classes == nil, scheme == nil, let given = Self.layerBreaks(layer.metadata["atlas:classes"], field: fieldName),
            given.breaks.count <= ColorRamp.maximumClasses
        {
            breaks = given.breaks
            minimum = given.minimum.map { Swift.min($0, minimum) } ?? minimum
            breakSource = .layer(layer.metadata["atlas:classes"]?["scheme"]?.string.flatMap(ClassificationScheme.init(rawValue:)))
        } else {
            let scheme = scheme ?? Self.defaultScheme
            breaks = Classification.breaks(values: numbers, classes: classes ?? Self.defaultClassCount, scheme: scheme)
            breakSource = .computed(scheme)
        }
        if breaks.isEmpty { breaks = [numbers.max()!] }

        var format = Self.format(for: fieldName, meaning: properties[fieldName], numbers: numbers)
        let lowers = breaks.indices.map { $0 == 0 ? Swift.min(minimum, breaks[0]) : breaks[$0 - 1] }
        // Counts whose breaks fall between whole numbers (quantiles) need decimals in the legend.
        if case .count = format, (lowers + breaks).contains(where: { $0 != $0.rounded() }) { format = .number(decimals: 1) }
        let format2 = Self.distinguishing(format, bounds: [lowers[0]] + breaks, language)
        let colors = ColorRamp.yellowOrangeRed.colors(breaks.count)
        var counts = [Int](repeating: 0, count: breaks.count)
        for value in numbers { counts[Classification.classIndex(of: value, breaks: breaks) - 1] += 1 }
        self.classes = breaks.indices.map { k in
            ValueClass(
                lower: lowers[k], upper: breaks[k], color: colors[k], label: format2.range(lowers[k], breaks[k], language),
                count: counts[k])
        }

        let stem = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
        self.name = Self.identifier(stem.isEmpty ? fieldName : stem)
        self.source = source
        self.field = fieldName
        self.fieldLabel = Self.label(fieldName, properties)
        self.title = title ?? "\(stem): \(fieldName)"
        self.missingCount = values.count - numbers.count
        let sv = language == .swedish
        let suppressedField = layer.fields.contains { $0.name == "suppressed" }
        self.missingLabel = suppressedField
            ? (sv ? "Ej publicerat eller uppgift saknas" : "Suppressed or no data") : (sv ? "Uppgift saknas" : "No data")
        self.format = format2
        self.language = language
        self.geometry = Self.geometryKind(layer)

        let idField = run?["id"]?.string.flatMap { id in layer.fields.first { $0.name == id }?.name }
        let named = try nameField.map { try layer.fields[layer.fieldIndex($0)].name } ?? Self.guessNameField(layer, idField: idField)
        self.nameField = named ?? idField
        var shown: [String] = []
        for candidate in [idField, named, fieldName].compactMap({ $0 }) where !shown.contains(candidate) { shown.append(candidate) }
        let schema = (run?["properties"]).flatMap { value -> [String]? in
            guard case .array(let items) = value else { return nil }
            return items.compactMap { $0["name"]?.string }
        } ?? []
        let others = schema.isEmpty ? layer.fields.map(\.name) : schema
        for other in others where !shown.contains(other) && other != "class" && layer.fields.contains(where: { $0.name == other }) {
            shown.append(other)
        }
        self.attributes = shown.prefix(12).map { Attribute(name: $0, label: Self.label($0, properties)) }
    }

    /// The class (0-based) of a value.
    public func classIndex(of value: Double) -> Int {
        Classification.classIndex(of: value, breaks: classes.map(\.upper)) - 1
    }

    /// A value as a reader sees it, in the style's format ("12,3 %").
    public func formatted(_ value: Value) -> String {
        guard let number = value.parsedNumber else { return value.text ?? "–" }
        return format.format(number, language)
    }

    // MARK: Reading the layer's own description

    /// Breaks and minimum from `"atlas:classes"` when it is for `field`.
    static func layerBreaks(_ classes: JSONValue?, field: String) -> (breaks: [Double], minimum: Double?)? {
        guard let classes, classes["field"]?.string == field, case .array(let items)? = classes["breaks"] else { return nil }
        let breaks = items.compactMap(\.number)
        guard breaks.count == items.count, !breaks.isEmpty, zip(breaks, breaks.dropFirst()).allSatisfy({ $0 < $1 }) else {
            return nil
        }
        return (breaks, classes["minimum"]?.number)
    }

    /// Each property's meaning from `"atlas:run".properties`, by name.
    static func meanings(_ run: JSONValue?) -> [String: String] {
        guard case .array(let items)? = run?["properties"] else { return [:] }
        var out: [String: String] = [:]
        for item in items {
            if let name = item["name"]?.string, let meaning = item["meaning"]?.string { out[name] = meaning }
        }
        return out
    }

    /// A readable label: the meaning up to its first semicolon, capitalised; else the field name.
    static func label(_ field: String, _ meanings: [String: String]) -> String {
        guard let meaning = meanings[field], !meaning.isEmpty else { return field }
        let head = meaning.split(whereSeparator: { $0 == ";" || $0 == ":" }).first.map(String.init) ?? meaning
        let trimmed = head.trimmingCharacters(in: .whitespaces)
        return trimmed.prefix(1).uppercased() + trimmed.dropFirst()
    }

    /// Shares (a 0–1 property, or a `share…`/`andel…` field within 0–1) as percentages, minutes
    /// as minutes, whole numbers as counts.
    static func format(for field: String, meaning: String?, numbers: [Double]) -> ValueFormat {
        let unit = numbers.allSatisfy { (0...1).contains($0) }
        let lower = field.lowercased()
        if unit, meaning?.contains("0–1") == true || lower.hasPrefix("share") || lower.hasPrefix("andel") {
            return .percent(decimals: 1)
        }
        if lower.hasSuffix("minutes") { return .minutes(decimals: 1) }
        if numbers.allSatisfy({ $0 == $0.rounded() }) { return .count }
        return .number(decimals: 1)
    }

    /// The format with as many decimals (up to 4) as it takes for the class bounds to differ.
    static func distinguishing(_ format: ValueFormat, bounds: [Double], _ language: ReportLanguage) -> ValueFormat {
        func make(_ decimals: Int) -> ValueFormat {
            switch format {
            case .percent: .percent(decimals: decimals)
            case .minutes: .minutes(decimals: decimals)
            case .number: .number(decimals: decimals)
            case .count: .count
            }
        }
        let start: Int
        switch format {
        case .count: return format
        case .percent(let d), .minutes(let d), .number(let d): start = d
        }
        for decimals in start...max(start, 4) {
            let candidate = make(decimals)
            let texts = bounds.map { candidate.format($0, language) }
            if Set(texts).count == Set(bounds).count { return candidate }
        }
        return make(4)
    }

    static func guessNameField(_ layer: Layer, idField: String?) -> String? {
        let names = ["namn", "name", "kommunnamn", "kommun", "lan", "lansnamn", "deso_namn", "regso", "regsonamn", "stop_name"]
        for candidate in names {
            if let field = layer.fields.first(where: { $0.name.lowercased() == candidate && $0.type == .string }) {
                return field.name
            }
        }
        return nil
    }

    static func geometryKind(_ layer: Layer) -> GeometryKind {
        for feature in layer.features {
            switch feature.geometry {
            case .point?, .multiPoint?: return .point
            case .lineString?, .multiLineString?: return .line
            case .polygon?, .multiPolygon?: return .polygon
            case .collection(let parts)?:
                if parts.contains(where: { !$0.polygons.isEmpty }) { return .polygon }
            case nil: continue
            }
        }
        return .polygon
    }

    static func identifier(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        let mapped = String(text.map { allowed.contains($0) ? $0 : "_" })
        return mapped.isEmpty ? "layer" : mapped
    }

    /// A CSS hex colour as its red, green and blue components.
    static func rgb(_ hex: String) -> (Int, Int, Int) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        let value = Int(digits, radix: 16) ?? 0
        return ((value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff)
    }
}
