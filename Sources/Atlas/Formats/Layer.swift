import Foundation

/// A property value as read from any supported format.
public enum Value: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The value as a number, when it is one (strings are not parsed: see `parsedNumber`).
    public var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// A number, also from text as written in Swedish exports ("1 234,5").
    public var parsedNumber: Double? {
        if let number { return number }
        if case .string(let s) = self { return NumberParsing.double(s) }
        return nil
    }

    /// The value as text, e.g. for ids: integers print without a decimal point.
    public var text: String? {
        switch self {
        case .null: nil
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .string(let s): s
        }
    }
}

public enum FieldType: String, Sendable, CaseIterable {
    case string, integer, real, boolean, date
}

public struct Field: Hashable, Sendable {
    public var name: String
    public var type: FieldType

    public init(_ name: String, _ type: FieldType) {
        self.name = name
        self.type = type
    }
}

/// One record: a geometry (or none) and values aligned with the layer's `fields`.
public struct Feature: Hashable, Sendable {
    public var geometry: Geometry?
    public var values: [Value]

    public init(geometry: Geometry?, values: [Value]) {
        self.geometry = geometry
        self.values = values
    }
}

/// A vector layer read into memory: the schema, the features and where they came from.
public struct Layer: Sendable {
    /// The path the layer was read from, used in error messages.
    public var source: String
    /// "ESRI Shapefile", "GeoJSON", "CSV", …
    public var format: String
    public var crs: CRS?
    public var fields: [Field]
    public var features: [Feature]
    /// The text encoding of the attribute data, when the format has one.
    public var encoding: String?
    /// Members describing the whole layer that atlas wrote beside the features
    /// (`atlas:run`, `atlas:classes`), by name.
    public var metadata: [String: JSONValue] = [:]
    /// What the reader repaired or assumed, for the caller to pass on (an encoding fallback).
    public var warnings: [String] = []

    public init(
        source: String, format: String, crs: CRS?, fields: [Field], features: [Feature],
        encoding: String? = nil
    ) {
        self.source = source
        self.format = format
        self.crs = crs
        self.fields = fields
        self.features = features
        self.encoding = encoding
    }

    /// The index of a field, or an error that lists the fields the layer has.
    public func fieldIndex(_ name: String) throws -> Int {
        if let i = fields.firstIndex(where: { $0.name == name }) { return i }
        if let i = fields.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) { return i }
        let known = fields.map(\.name).joined(separator: ", ")
        throw AtlasError(file: source, field: name, "no such field; the layer has: \(known)")
    }

    public func values(of name: String) throws -> [Value] {
        let i = try fieldIndex(name)
        return features.map { $0.values[i] }
    }

    public var bounds: Bounds? {
        var b = Bounds.empty
        for k in features.indices { features[k].geometry?.extend(&b) }
        return b.isEmpty ? nil : b
    }

    /// The fields an indicator output keeps from its area layer (names, codes, …): all but the id
    /// field, which the output places first, and fields named like the indicator's own outputs.
    public func keptAttributes(idField: Int, replacedBy outputs: [String]) -> (fields: [Field], values: [[Value]]) {
        let reserved = Set(outputs)
        let kept = fields.indices.filter { $0 != idField && !reserved.contains(fields[$0].name) }
        return (kept.map { fields[$0] }, features.map { feature in kept.map { feature.values[$0] } })
    }
}

enum NumberParsing {
    /// Parses "12.5", "12,5", "1 234,5" and "−3" (Unicode minus); nil for anything else.
    static func double(_ text: String) -> Double? {
        var s = text.trimmingCharacters(in: .whitespaces)
        if s.isEmpty { return nil }
        if let d = Double(s) { return d }
        s = s.replacingOccurrences(of: "\u{2212}", with: "-")
        s = s.replacingOccurrences(of: "\u{00A0}", with: "").replacingOccurrences(of: " ", with: "")
        if s.contains(","), !s.contains(".") { s = s.replacingOccurrences(of: ",", with: ".") }
        return Double(s)
    }
}
