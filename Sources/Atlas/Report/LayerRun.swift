import Foundation

/// How a layer was made, read from its `"atlas:run"` member: the report's sentences about a
/// figure are built from these values, so they say what the run did rather than what the
/// indicator usually does. A parameter that is absent stays absent and its sentence is left out.
public struct LayerRun: Sendable {
    /// `lowincome`, `transit`, `access`, `export`, or whatever a newer atlas writes.
    public var indicator: String
    /// Every option with its effective value, keyed by option name.
    public var parameters: JSONValue
    /// Input file names by option.
    public var inputs: [(option: String, file: String)]
    /// The layer's role: `areas`, `stops`, `cells`, …
    public var role: String?
    /// The id field.
    public var id: String?
    /// The property a map shows first.
    public var primary: String?
    public var warnings: [String]

    /// The run a layer describes, or nil for a layer without `"atlas:run"` (an older or foreign file).
    public init?(_ layer: Layer) {
        guard let run = layer.metadata["atlas:run"], let indicator = run["indicator"]?.string else { return nil }
        self.indicator = indicator
        parameters = run["parameters"] ?? .object([])
        var inputs: [(option: String, file: String)] = []
        if case .array(let items)? = run["inputs"] {
            for item in items {
                if let option = item["option"]?.string, let file = item["file"]?.string { inputs.append((option, file)) }
            }
        }
        self.inputs = inputs
        role = run["layer"]?.string
        id = run["id"]?.string
        primary = run["primary"]?.string
        if case .array(let items)? = run["warnings"] { warnings = items.compactMap(\.string) } else { warnings = [] }
    }

    /// A parameter as text: a string, or a number or boolean written as JSON writes it.
    func text(_ key: String) -> String? {
        switch parameters[key] {
        case .string(let s)?: s.isEmpty ? nil : s
        case .int(let i)?: String(i)
        case .double(let d)?: d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .bool(let b)?: b ? "true" : "false"
        default: nil
        }
    }

    func number(_ key: String) -> Double? {
        switch parameters[key] {
        case .string(let s)?: Double(s)
        case let value?: value.number
        case nil: nil
        }
    }

    /// A list parameter (`where`, `thresholds`, `modes`); a single value is a list of one.
    func texts(_ key: String) -> [String] {
        switch parameters[key] {
        case .array(let items)?: items.compactMap { item in item.string ?? item.number.map { ReportNumber.plain($0) } }
        case .string(let s)?: s.isEmpty ? [] : [s]
        case let value?: value.number.map { [ReportNumber.plain($0)] } ?? []
        case nil: []
        }
    }

    func numbers(_ key: String) -> [Double] {
        texts(key).compactMap(Double.init)
    }

    func has(_ key: String) -> Bool {
        switch parameters[key] {
        case nil, .null?: false
        case .string(let s)?: !s.isEmpty
        case .array(let items)?: !items.isEmpty
        default: true
        }
    }

    /// The file an input option names: from `inputs`, else the parameter's last path component.
    func file(_ option: String) -> String? {
        if let input = inputs.first(where: { $0.option == option }) { return input.file }
        return text(option).map { URL(fileURLWithPath: $0).lastPathComponent }
    }
}

/// The legend classes a layer carries as `"atlas:classes"`:
/// `{"field": "share", "scheme": "jenks", "breaks": [0.056, …, 0.122], "minimum": 0.042}`,
/// breaks being upper class bounds in increasing order as `Classification.breaks` returns them.
public struct LayerClasses: Sendable, Hashable {
    public var field: String
    /// `quantile`, `equal`, `jenks`, or another name a writer used.
    public var scheme: String?
    public var breaks: [Double]
    public var minimum: Double?
    /// With the scheme `thresholds`: the fixed limits (the PIPOS 5, 10 and 30 minutes) the
    /// breaks are made of, a last class reaching the largest value.
    public var limits: [Double]?

    /// The layer's classes, nil when it has none; an error naming the file when they are malformed.
    public init?(_ layer: Layer) throws {
        guard let classes = layer.metadata["atlas:classes"] else { return nil }
        guard let field = classes["field"]?.string, case .array(let items)? = classes["breaks"] else {
            throw AtlasError(file: layer.source, "\"atlas:classes\" needs a field and a list of breaks")
        }
        let breaks = items.compactMap(\.number)
        guard breaks.count == items.count, !breaks.isEmpty, zip(breaks, breaks.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw AtlasError(file: layer.source, "\"atlas:classes\": the breaks must be ascending numbers, not \(items.map(\.kind))")
        }
        self.field = field
        scheme = classes["scheme"]?.string
        self.breaks = breaks
        minimum = classes["minimum"]?.number
        if case .array(let items)? = classes["limits"] { limits = items.compactMap(\.number) }
    }
}

/// Which field holds an area's name, when the caller names none: `namn`, `name`, a field
/// named like the id without its code suffix (`lan` beside `lan_kod`, `kommun` beside
/// `kommun_kod`), or one ending in `namn` or `_name` (`kommunnamn`, `lan_namn`, `deso_name`).
/// Only text fields with at least one non-empty value count.
enum AreaNames {
    static func field(in layer: Layer, idField: String) -> String? {
        let id = idField.lowercased()
        let candidates = layer.fields.filter { field in
            field.type == .string && field.name.lowercased() != id
        }
        func filled(_ field: Field) -> Bool {
            guard let k = layer.fields.firstIndex(of: field) else { return false }
            return layer.features.contains { !($0.values[k].text ?? "").isEmpty }
        }
        var stems: [String] = []
        for suffix in ["_kod", "kod", "_code", "code", "_id", "id", "_nr", "nr"] where id.hasSuffix(suffix) && id.count > suffix.count {
            let stem = String(id.dropLast(suffix.count))
            stems += [stem + "namn", stem + "_namn", stem + "_name", stem + "name", stem]
        }
        let rules: [(String) -> Bool] = [
            { $0 == "namn" || $0 == "name" || $0 == "benämning" || $0 == "benamning" },
            { stems.contains($0) },
            { $0.hasSuffix("namn") || $0.hasSuffix("_name") },
        ]
        for rule in rules {
            if let field = candidates.first(where: { rule($0.name.lowercased()) && filled($0) }) { return field.name }
        }
        return nil
    }
}
