import Foundation

/// The part of an Origo map's `index.json` that shows atlas layers: a `layers` entry per layer
/// (`type: GEOJSON`, its file as `source`, the popup's `attributes` with readable titles) and a
/// rule-based style per layer in `styles`, one rule per class with a filter such as
/// `[share] > 0.1 AND [share] <= 0.2` (Origo evaluates `AND` between comparisons of one
/// attribute), and a last rule `[share] == 'null'` when some features have no value. A portal
/// administrator pastes both members into the map's configuration.
public enum OrigoConfig {
    public static func snippet(_ styles: [LayerStyle], group: String = "root") -> JSONValue {
        let layers: [JSONValue] = styles.enumerated().map { k, style in
            .object([
                ("name", .string(style.name)), ("title", .string(style.title)), ("group", .string(group)),
                ("source", .string(style.source)), ("type", .string("GEOJSON")), ("style", .string(style.name)),
                ("queryable", .bool(true)), ("visible", .bool(k == 0)),
                ("attributes", .array(style.attributes.map { attribute in
                    .object([("title", .string(attribute.label + ": ")), ("name", .string(attribute.name))])
                })),
            ])
        }
        let rules: [(String, JSONValue)] = styles.map { style in
            var list: [JSONValue] = style.classes.enumerated().map { k, c in
                let field = "[\(style.field)]"
                let filter = k == 0
                    ? "\(field) >= \(JSONText.number(c.lower)) AND \(field) <= \(JSONText.number(c.upper))"
                    : "\(field) > \(JSONText.number(c.lower)) AND \(field) <= \(JSONText.number(c.upper))"
                return .array([rule(label: c.label, filter: filter, color: c.color, style.geometry)])
            }
            if style.missingCount > 0 {
                // Origo compares a null attribute as the text "null".
                list.append(.array([rule(label: style.missingLabel, filter: "[\(style.field)] == 'null'", color: LayerStyle.missingColor, style.geometry)]))
            }
            return (style.name, .array(list))
        }
        return .object([("layers", .array(layers)), ("styles", .object(rules))])
    }

    /// Writes the snippet, indented for reading, whole or not at all.
    public static func write(_ styles: [LayerStyle], to path: String) throws {
        let file = try AtomicFile(path: path)
        try file.write(indented(snippet(styles)) + "\n")
        try file.commit()
    }

    private static func rule(label: String, filter: String, color: String, _ kind: LayerStyle.GeometryKind) -> JSONValue {
        let fill: JSONValue = .object([("color", .string(rgba(color, alpha: 1)))])
        let outline: JSONValue = .object([("color", .string("rgba(255,255,255,1)")), ("width", .double(0.8))])
        var members: [(String, JSONValue)] = [("label", .string(label)), ("filter", .string(filter))]
        switch kind {
        case .polygon:
            members += [("fill", fill), ("stroke", outline)]
        case .line:
            members.append(("stroke", .object([("color", .string(rgba(color, alpha: 1))), ("width", .int(3))])))
        case .point:
            members.append(("circle", .object([
                ("radius", .int(5)), ("fill", fill),
                ("stroke", .object([("color", .string("rgba(35,35,35,1)")), ("width", .int(1))])),
            ])))
        }
        return .object(members)
    }

    static func rgba(_ hex: String, alpha: Double) -> String {
        let (r, g, b) = LayerStyle.rgb(hex)
        return "rgba(\(r),\(g),\(b),\(JSONText.number(alpha)))"
    }

    /// JSON with two-space indentation, members in order.
    static func indented(_ value: JSONValue, level: Int = 0) -> String {
        let pad = String(repeating: "  ", count: level + 1), close = String(repeating: "  ", count: level)
        switch value {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { pad + indented($0, level: level + 1) }.joined(separator: ",\n") + "\n" + close + "]"
        case .object(let members) where !members.isEmpty:
            return "{\n" + members.map { key, member in
                var text = pad
                JSONText.appendString(key, to: &text)
                return text + ": " + indented(member, level: level + 1)
            }.joined(separator: ",\n") + "\n" + close + "}"
        default:
            return value.serialized
        }
    }
}
