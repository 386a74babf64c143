import Foundation

/// One run of an indicator, as a value: everything the run needs, with the defaults in one place.
/// The command line, a project file and a Swift program all build the same request, so the same
/// run gives the same layers whichever way it was asked for.
///
/// `validate(in:)` opens every input and checks every field name, CRS and combination of options
/// without computing; `run(in:)` computes. Keys (`CodingKeys`) are the command-line options' long
/// names, which are also the keys of a run's `options` in a project file.
public protocol IndicatorRequest: Codable, Sendable {
    associatedtype Result: IndicatorResult
    /// The indicator's name: `lowincome`, `transit`, `access`.
    static var indicator: String { get }
    /// Every key the request decodes.
    static var optionNames: [String] { get }
    /// Keys that name output files (not recorded among the parameters).
    static var outputNames: Set<String> { get }
    /// Keys that name input layers or files, which a project file may give as input names.
    static var inputNames: Set<String> { get }
    /// Input keys whose value is a plain file path rather than a layer (a table, a feed).
    static var fileInputNames: Set<String> { get }
    /// The input files the request names, by option, in the order of `inputNames`' options.
    var inputPaths: [(option: String, path: String)] { get }

    func validate(in session: Session) throws
    func run(in session: Session) throws -> Result
    /// The output files the request names, with the layer (or table) each receives.
    var outputs: [(role: String, path: String)] { get }
    /// Decimals of the written coordinates.
    var precision: Int { get }
    /// Portal-sized outputs: polygon layers simplified with shared boundaries kept (metres),
    /// property values to this many significant digits, areas without a figure left out.
    var simplify: Double? { get }
    var digits: Int? { get }
    var dropEmpty: Bool { get }
    /// A layer about to be written, with the map classes the request asks for.
    func classified(_ layer: IndicatorLayer) -> IndicatorLayer
    /// The same request with every output path passed through `place`.
    func placingOutputs(_ place: (String) throws -> String) rethrows -> Self
    /// Input keys that may name another run's output in a project file (the car cells a
    /// transit run compares with).
    static var derivedInputNames: Set<String> { get }
    /// The same request with the paths of `derivedInputNames` passed through `place`.
    func placingInputs(_ place: (_ option: String, _ path: String) throws -> String) rethrows -> Self
}

/// What a run produced: its layers by role, and anything else the caller may print.
public protocol IndicatorResult {
    var layers: [IndicatorLayer] { get }
    /// Lines summarising the run for the user.
    var summary: [String] { get }
    /// Writes outputs that are not layers (tables); returns false when `role` is not one.
    func writeOther(role: String, to path: String) throws -> Bool
}

extension IndicatorResult {
    public func writeOther(role: String, to path: String) throws -> Bool { false }

    public func layer(_ role: String) -> IndicatorLayer? { layers.first { $0.role == role } }
}

/// One property an indicator writes: its name, type and meaning, defined once and used by the
/// writer, the provenance, the report and the command's help.
public struct PropertySpec: Sendable, Hashable {
    public var name: String
    public var type: FieldType
    public var meaning: String

    public init(_ name: String, _ type: FieldType, _ meaning: String) {
        self.name = name
        self.type = type
        self.meaning = meaning
    }

    public var field: Field { Field(name, type) }

    var json: JSONValue {
        .object([("name", .string(name)), ("type", .string(type.rawValue)), ("meaning", .string(meaning))])
    }
}

/// A layer an indicator produced, in WGS 84, with what it needs to describe itself.
public struct IndicatorLayer: Sendable {
    /// `areas`, `stops`, `cells`, `isochrones`, `coverage`.
    public var role: String
    public var layer: Layer
    /// The indicator's own properties on this layer, in output order.
    public var schema: [PropertySpec]
    /// The property a map or report shows first (`share`, `share_near`, `mean_minutes`).
    public var primary: String?
    /// The field that identifies each feature (the area id).
    public var idField: String?
    /// The legend breaks, written as `"atlas:classes"`.
    public var classes: JSONValue?
    /// Other members the indicator writes beside the features (`"atlas:references"`).
    public var members: [(String, JSONValue)]
    /// The CRS a GeoPackage output stores the layer in.
    public var crs: CRS = .wgs84
    public var provenance: Provenance
    /// Significant digits of the written real-valued properties; nil writes them in full.
    public var significantDigits: Int?

    public init(
        role: String, layer: Layer, schema: [PropertySpec], primary: String? = nil, idField: String? = nil,
        classes: JSONValue? = nil, members: [(String, JSONValue)] = [], provenance: Provenance
    ) {
        self.members = members
        self.role = role
        self.layer = layer
        self.schema = schema
        self.primary = primary
        self.idField = idField
        self.classes = classes
        self.provenance = provenance
    }

    /// The FeatureCollection's foreign members (RFC 7946 §6.1).
    public var foreignMembers: [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [("atlas:run", provenance.json(role: role, schema: schema, primary: primary, idField: idField))]
        if let classes { members.append(("atlas:classes", classes)) }
        return members + self.members
    }

    /// Writes the layer as RFC 7946 GeoJSON or as a GeoPackage layer (`X.gpkg[|layername=N]`),
    /// the members as GeoPackage metadata; returns the number of features written.
    @discardableResult
    public func write(to path: String, precision: Int = 6) throws -> Int {
        let writer = try LayerFileWriter(
            path: path, fields: layer.fields, precision: precision, foreignMembers: foreignMembers, crs: crs,
            significantDigits: significantDigits)
        try writer.write(contentsOf: layer.features)
        return try writer.finish()
    }
}

extension IndicatorLayer {
    /// The layer with a `class` (1 to the number of classes) per feature from `field`, and the
    /// legend as `"atlas:classes"`: breaks computed by `scheme`, or the given upper bounds
    /// (`fixed`, e.g. the PIPOS 5/10/30 minutes, with a last class up to the largest value).
    public func classified(field: String, classes: Int, scheme: ClassificationScheme) -> IndicatorLayer {
        let values = numbers(field)
        return classified(field: field, breaks: Classification.breaks(values: values.compactMap { $0 }, classes: classes, scheme: scheme), scheme: scheme.rawValue)
    }

    public func classified(field: String, fixed: [Double]) -> IndicatorLayer {
        let largest = numbers(field).compactMap { $0 }.max() ?? 0
        var out = classified(field: field, breaks: fixed + (largest > (fixed.last ?? 0) ? [largest] : []), scheme: "thresholds")
        if case .object(var members)? = out.classes {
            members.append(("limits", .array(fixed.map { .double($0) })))
            out.classes = .object(members)
        }
        return out
    }

    private func numbers(_ field: String) -> [Double?] {
        guard let column = layer.fields.firstIndex(where: { $0.name == field }) else { return [] }
        return layer.features.map { $0.values[column].number }
    }

    private func classified(field: String, breaks: [Double], scheme: String) -> IndicatorLayer {
        let values = numbers(field)
        guard !values.isEmpty, !breaks.isEmpty else { return self }
        var out = self
        out.layer.fields.append(LowIncome.classProperty.field)
        for k in out.layer.features.indices {
            out.layer.features[k].values.append(values[k].map { .int(Classification.classIndex(of: $0, breaks: breaks)) } ?? .null)
        }
        out.schema.append(PropertySpec("class", .integer, "map class of \(field), 1 (lowest) to \(breaks.count)"))
        out.classes = .object([
            ("field", .string(field)), ("scheme", .string(scheme)), ("breaks", .array(breaks.map { .double($0) })),
            ("minimum", values.compactMap { $0 }.min().map(JSONValue.double) ?? .null),
        ])
        return out
    }
}

/// How a layer was made: written as the `"atlas:run"` member of every FeatureCollection atlas writes.
public struct Provenance: Sendable {
    public static let atlasVersion = "0.2.0"

    public var indicator: String
    public var version = Provenance.atlasVersion
    /// Every parameter with its effective value, defaults included, keyed by option name.
    public var parameters: JSONValue
    /// Each input by option name, file name, size and SHA-256.
    public var inputs: [(option: String, fingerprint: InputFingerprint)]
    /// ISO 8601, UTC.
    public var time: String
    public var warnings: [String]

    public init(indicator: String, parameters: JSONValue, inputs: [(option: String, fingerprint: InputFingerprint)], time: String, warnings: [String]) {
        self.indicator = indicator
        self.parameters = parameters
        self.inputs = inputs
        self.time = time
        self.warnings = warnings
    }

    /// The provenance of a request's run: its parameters from the request's own encoding.
    public init<Request: IndicatorRequest>(_ request: Request, session: Session, warnings: [String]) throws {
        let data = try Self.encoder.encode(request)
        guard case .object(let members) = try JSONParser.parse([UInt8](data)) else {
            throw AtlasError("the parameters of a \(Request.indicator) run did not encode as an object")
        }
        let parameters = members.filter { !Request.outputNames.contains($0.0) }
        let inputs = try request.inputPaths.map { (option: $0.option, fingerprint: try session.fingerprint($0.path)) }
        self.init(
            indicator: Request.indicator, parameters: .object(parameters), inputs: inputs,
            time: Self.timestamp(session.startedAt), warnings: warnings)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    public func json(role: String? = nil, schema: [PropertySpec] = [], primary: String? = nil, idField: String? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("indicator", .string(indicator)), ("version", .string(version)), ("time", .string(time)),
            ("parameters", parameters),
            ("inputs", .array(inputs.map { input in
                .object([
                    ("option", .string(input.option)), ("file", .string(input.fingerprint.file)),
                    ("bytes", .int(input.fingerprint.bytes)), ("sha256", .string(input.fingerprint.sha256)),
                ])
            })),
        ]
        if let role { members.append(("layer", .string(role))) }
        if let idField { members.append(("id", .string(idField))) }
        if let primary { members.append(("primary", .string(primary))) }
        if !schema.isEmpty { members.append(("properties", .array(schema.map(\.json)))) }
        members.append(("warnings", .array(warnings.map { .string($0) })))
        return .object(members)
    }
}

extension IndicatorRequest {
    public static var fileInputNames: Set<String> { [] }
    public var simplify: Double? { nil }
    public var digits: Int? { nil }
    public var dropEmpty: Bool { false }

    /// A written layer with the map classes the request asks for (by default none are added).
    public func classified(_ layer: IndicatorLayer) -> IndicatorLayer { layer }

    /// The portal options checked as `validate` does.
    func validatePortalOptions() throws {
        if let simplify, !(simplify.isFinite && simplify > 0 && simplify <= 100_000) {
            throw OptionError("simplify", "the tolerance must be a positive number of metres, got \(simplify)")
        }
        if let digits, !(1...17).contains(digits) {
            throw OptionError("digits", "significant digits must be between 1 and 17, got \(digits)")
        }
    }

    /// A layer as `simplify`, `digits` and `drop-empty` ask: areas whose primary property is
    /// null (or whose population is 0) left out, polygons simplified along shared arcs.
    func portalSized(_ layer: IndicatorLayer, session: Session) throws -> IndicatorLayer {
        var out = layer
        out.significantDigits = digits ?? layer.significantDigits
        if dropEmpty, let primary = layer.primary, layer.layer.fields.contains(where: { $0.name == primary }) {
            let before = out.layer.features.count
            out.layer = try out.layer.droppingEmpty(primary)
            session.diagnostics.info("left out \(before - out.layer.features.count) of \(before) \(layer.role) without \(primary)")
        }
        if let simplify, out.layer.features.contains(where: { !($0.geometry?.polygons.isEmpty ?? true) }) {
            let metric = try out.layer.toMetric(context: session.proj)
            out.layer = try metric.simplifiedCoverage(tolerance: simplify, session: session).reprojected(to: .wgs84, context: session.proj)
        }
        return out
    }
    public static var derivedInputNames: Set<String> { [] }
    public func placingInputs(_ place: (_ option: String, _ path: String) throws -> String) rethrows -> Self { self }

    /// Writes every output the request names; returns a summary line per file, naming it as
    /// `shown` says (a build names the file where it will end up, not where it is staged).
    @discardableResult
    public func write(_ result: Result, in session: Session, shown: (String) -> String = { $0 }) throws -> [String] {
        var lines: [String] = []
        var rounded: [String: IndicatorLayer] = [:]
        for (role, _) in outputs {
            guard var layer = try result.layer(role).map({ try portalSized(classified($0), session: session) }) else { continue }
            let repaired: Int
            (layer.layer, repaired) = try PrecisionCheck.repaired(layer.layer, precision: precision, session: session)
            if repaired > 0 {
                session.diagnostics.warning("\(repaired) of the \(role) polygons would be invalid with \(precision) decimals and were snap-rounded to that grid")
            }
            rounded[role] = layer
        }
        for (_, path) in outputs {
            // Like a build, a command makes the folders its outputs go to.
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        for (role, path) in outputs {
            if let layer = rounded[role] {
                let count = try layer.write(to: path, precision: precision)
                lines.append("wrote \(shown(path)): \(count) \(role)")
            } else if try result.writeOther(role: role, to: path) {
                lines.append("wrote \(shown(path))")
            } else {
                throw AtlasError(file: path, "the \(Self.indicator) run produced no \(role) output")
            }
        }
        lines.forEach(session.diagnostics.info)
        return lines
    }
}
