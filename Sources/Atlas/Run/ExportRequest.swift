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

    public init(input: LayerSource, out: String) {
        self.input = input
        self.out = out
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case input, out, precision, makeValid = "make-valid", outCRS = "out-crs"
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
        _ = try session.layer(input)
    }

    public func run(in session: Session) throws -> ExportResult {
        let firstWarning = session.diagnostics.warnings.count
        var layer = try session.layer(input)
        if makeValid { layer = try layer.madeValid(context: session.geos) }
        layer = try layer.reprojected(to: .wgs84, context: session.proj)
        let provenance = try Provenance(self, session: session, warnings: Array(session.diagnostics.warnings.dropFirst(firstWarning)))
        var output = IndicatorLayer(role: "features", layer: layer, schema: [], provenance: provenance)
        output.crs = outCRS ?? .wgs84
        return ExportResult(layer: output)
    }
}

public struct ExportResult: IndicatorResult {
    public var layer: IndicatorLayer
    public var layers: [IndicatorLayer] { [layer] }
    public var summary: [String] { [] }
}
