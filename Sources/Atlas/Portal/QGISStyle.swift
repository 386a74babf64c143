import Foundation

/// A QGIS layer style file (`.qml`) with a graduated renderer: one range per class with its
/// colour and legend label, in the structure QGIS itself writes (`<qgis>` → `<renderer-v2
/// type="graduatedSymbol">` → `<ranges>`, `<symbols>`, `<source-symbol>`, `<mode>`), plus the
/// fields' readable names as aliases. Symbol layers are written with `<prop k v>`, which every
/// QGIS 3 release reads. QGIS leaves features whose value is null undrawn in a graduated renderer.
public enum QGISStyle {
    /// The version written into the file: the release whose format this follows.
    public static let qgisVersion = "3.22.16-Białowieża"

    public static func qml(_ style: LayerStyle) -> String {
        var out = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        out += "<qgis version=\"\(qgisVersion)\" styleCategories=\"Symbology|Fields\" hasScaleBasedVisibilityFlag=\"0\" minScale=\"100000000\" maxScale=\"0\">\n"
        out += "  <renderer-v2 type=\"graduatedSymbol\" attr=\"\(xml(style.field))\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\">\n"
        out += "    <ranges>\n"
        for (k, c) in style.classes.enumerated() {
            out += "      <range render=\"true\" symbol=\"\(k)\" lower=\"\(number(c.lower))\" upper=\"\(number(c.upper))\" label=\"\(xml(c.label))\"/>\n"
        }
        out += "    </ranges>\n"
        out += "    <symbols>\n"
        for (k, c) in style.classes.enumerated() { out += symbol(name: "\(k)", color: c.color, style.geometry, indent: "      ") }
        out += "    </symbols>\n"
        out += "    <source-symbol>\n"
        out += symbol(name: "0", color: style.classes.first?.color ?? LayerStyle.missingColor, style.geometry, indent: "      ")
        out += "    </source-symbol>\n"
        out += "    <colorramp type=\"gradient\" name=\"[source]\">\n"
        out += "      <prop k=\"color1\" v=\"\(rgba(style.classes.first?.color ?? "#ffffb2"))\"/>\n"
        out += "      <prop k=\"color2\" v=\"\(rgba(style.classes.last?.color ?? "#bd0026"))\"/>\n"
        out += "      <prop k=\"discrete\" v=\"0\"/>\n"
        out += "      <prop k=\"rampType\" v=\"gradient\"/>\n"
        out += "    </colorramp>\n"
        out += "    <classificationMethod id=\"\(methodID(style.breakSource))\">\n"
        out += "      <symmetricMode enabled=\"0\" symmetrypoint=\"0\" astride=\"0\"/>\n"
        out += "      <labelFormat format=\"%1 - %2\" labelprecision=\"4\" trimtrailingzeroes=\"1\"/>\n"
        out += "      <parameters>\n        <Option/>\n      </parameters>\n"
        out += "      <extraInformation/>\n"
        out += "    </classificationMethod>\n"
        out += "    <rotation/>\n"
        out += "    <sizescale/>\n"
        out += "  </renderer-v2>\n"
        out += "  <aliases>\n"
        for (k, attribute) in style.attributes.enumerated() {
            out += "    <alias index=\"\(k)\" field=\"\(xml(attribute.name))\" name=\"\(xml(attribute.label == attribute.name ? "" : attribute.label))\"/>\n"
        }
        out += "  </aliases>\n"
        if let nameField = style.nameField {
            out += "  <previewExpression>\(xml("\"" + nameField + "\""))</previewExpression>\n"
        }
        out += "  <layerGeometryType>\(geometryType(style.geometry))</layerGeometryType>\n"
        out += "</qgis>\n"
        return out
    }

    /// Writes the style whole or not at all.
    public static func write(_ style: LayerStyle, to path: String) throws {
        let file = try AtomicFile(path: path)
        try file.write(qml(style))
        try file.commit()
    }

    private static func symbol(name: String, color: String, _ kind: LayerStyle.GeometryKind, indent: String) -> String {
        let inner = indent + "  "
        let props: [(String, String)]
        let type: String, layerClass: String
        switch kind {
        case .polygon:
            type = "fill"
            layerClass = "SimpleFill"
            props = [
                ("color", rgba(color)), ("joinstyle", "bevel"), ("offset", "0,0"), ("offset_unit", "MM"),
                ("outline_color", "255,255,255,255"), ("outline_style", "solid"), ("outline_width", "0.26"),
                ("outline_width_unit", "MM"), ("style", "solid"),
            ]
        case .line:
            type = "line"
            layerClass = "SimpleLine"
            props = [
                ("capstyle", "square"), ("joinstyle", "bevel"), ("line_color", rgba(color)), ("line_style", "solid"),
                ("line_width", "0.66"), ("line_width_unit", "MM"), ("offset", "0"), ("offset_unit", "MM"),
            ]
        case .point:
            type = "marker"
            layerClass = "SimpleMarker"
            props = [
                ("angle", "0"), ("color", rgba(color)), ("joinstyle", "bevel"), ("name", "circle"), ("offset", "0,0"),
                ("offset_unit", "MM"), ("outline_color", "35,35,35,255"), ("outline_style", "solid"),
                ("outline_width", "0.2"), ("outline_width_unit", "MM"), ("scale_method", "diameter"), ("size", "2.6"),
                ("size_unit", "MM"),
            ]
        }
        var out = "\(indent)<symbol type=\"\(type)\" name=\"\(name)\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
        out += "\(inner)<layer class=\"\(layerClass)\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
        for (k, v) in props { out += "\(inner)  <prop k=\"\(k)\" v=\"\(v)\"/>\n" }
        out += "\(inner)</layer>\n"
        out += "\(indent)</symbol>\n"
        return out
    }

    /// QGIS writes range bounds with 15 decimals.
    static func number(_ value: Double) -> String { String(format: "%.15f", value) }

    static func rgba(_ hex: String) -> String {
        let (r, g, b) = LayerStyle.rgb(hex)
        return "\(r),\(g),\(b),255"
    }

    /// QGIS's names of the classification methods (`QgsClassificationMethod::id()`), so that
    /// reclassifying in QGIS starts from the method the breaks were made with.
    static func methodID(_ source: LayerStyle.BreakSource) -> String {
        switch source.scheme ?? .quantile {
        case .quantile: "Quantile"
        case .equal: "EqualInterval"
        case .jenks: "Jenks"
        }
    }

    /// `QgsWkbTypes::GeometryType`: 0 point, 1 line, 2 polygon.
    static func geometryType(_ kind: LayerStyle.GeometryKind) -> Int {
        switch kind {
        case .point: 0
        case .line: 1
        case .polygon: 2
        }
    }

    static func xml(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }
}
