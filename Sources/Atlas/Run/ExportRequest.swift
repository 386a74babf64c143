import Foundation

/// A conversion of one layer to RFC 7946 GeoJSON (`atlas export`), recorded like an indicator run.
public struct ExportRequest: IndicatorRequest {
    public static let indicator = "export"

    public var input: LayerSource
    public var out: String
    public var precision = 6
    /// Repair invalid polygons with GEOS make-valid before writing.
    public var makeValid = false
    /// The CRS a GeoPackage output stores (GeoJSON is always WGS 84).
    public var outCRS: CRS?
    /// Simplify polygons to this many metres, keeping shared boundaries shared.
    public var simplify: Double?
    /// Keep only these input fields, in this order.
    public var fields: [String]?
    /// Leave out features whose value in this field is null or zero.
    public var dropEmpty: String?
    /// Significant digits of real-valued properties (nil: full precision).
    public var digits: Int?

    public init(input: LayerSource, out: String) {
        self.input = input
        self.out = out
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case input, out, precision, makeValid = "make-valid", outCRS = "out-crs", simplify, fields, dropEmpty = "drop-empty", digits
    }

    public static let optionNames = CodingKeys.allCases.map(\.rawValue)
    public static let outputNames: Set<String> = ["out"]
    public static let inputNames: Set<String> = ["input"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(input: try c.decode(LayerSource.self, forKey: .input), out: try c.decode(String.self, forKey: .out))
        try c.read(&precision, .precision)
        try c.read(&makeValid, .makeValid)
        try c.readParsed(&outCRS, .outCRS) { try CRS(parsing: $0) }
        try c.read(&simplify, .simplify)
        var names: [String] = []
        try c.readList(&names, .fields, commas: true)
        if c.contains(.fields) { fields = names }
        try c.read(&dropEmpty, .dropEmpty)
        try c.read(&digits, .digits)
    }

    public func placingOutputs(_ place: (String) throws -> String) rethrows -> Self {
        var copy = self
        copy.out = try place(out)
        return copy
    }

    public var outputs: [(role: String, path: String)] { [("features", out)] }
    public var inputPaths: [(option: String, path: String)] { [("input", input.path)] }

    public func validate(in session: Session) throws {
        try OutputPath.check(precision: precision)
        try OutputPath.checkLayer(out, option: "out")
        if outCRS != nil, case .geojson = try LayerFormat.parse(outputPath: out).format {
            throw OptionError("out-crs", "is for GeoPackage outputs; GeoJSON is always WGS 84")
        }
        if let simplify, !(simplify.isFinite && simplify > 0) {
            throw OptionError("simplify", "the tolerance must be a positive number of metres, got \(simplify)")
        }
        if let digits, !(1...17).contains(digits) {
            throw OptionError("digits", "significant digits must be between 1 and 17, got \(digits)")
        }
        if let fields, fields.isEmpty { throw OptionError("fields", "name at least one field") }
        let layer = try session.layer(input)
        for name in (fields ?? []) + (dropEmpty.map { [$0] } ?? []) { _ = try layer.fieldIndex(name) }
    }

    public func run(in session: Session) throws -> ExportResult {
        let firstWarning = session.diagnostics.warnings.count
        var clock = StageClock()
        var layer = try session.layer(input)
        var summary: [String] = []
        if let dropEmpty {
            let before = layer.features.count
            layer = try layer.droppingEmpty(dropEmpty)
            summary.append("left out \(before - layer.features.count) of \(before) features without a value in \(dropEmpty)")
        }
        if let fields { layer = try layer.keepingFields(fields) }
        if makeValid { layer = try layer.madeValid(context: session.geos) }
        if let simplify {
            let simplified = try CoverageSimplification(tolerance: simplify).simplify(layer, session: session)
            layer = simplified.layer
            summary.append(simplified.report.summary)
        }
        layer = try layer.reprojected(to: .wgs84, context: session.proj)
        clock.lap("transforming")
        let provenance = try Provenance(self, session: session, warnings: Array(session.diagnostics.warnings.dropFirst(firstWarning)))
        clock.lap("fingerprinting")
        var written = IndicatorLayer(role: "features", layer: layer, schema: [], provenance: provenance)
        written.significantDigits = digits
        written.crs = outCRS ?? .wgs84
        return ExportResult(layer: written, summary: summary, stageSeconds: clock.laps)
    }
}

public struct ExportResult: IndicatorResult {
    public var layer: IndicatorLayer
    public var layers: [IndicatorLayer] { [layer] }
    public var summary: [String]
    /// Wall time of the run's steps after reading (the input is read when the request is
    /// validated): "transforming" (filters, repair, simplification, projection to WGS 84) and
    /// "fingerprinting" (the SHA-256 of the input recorded in the provenance).
    public var stageSeconds: [(stage: String, seconds: Double)]

    public init(layer: IndicatorLayer, summary: [String] = [], stageSeconds: [(stage: String, seconds: Double)] = []) {
        self.layer = layer
        self.summary = summary
        self.stageSeconds = stageSeconds
    }
}
