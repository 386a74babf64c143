import Foundation

/// A choropleth map as inline SVG: areas filled by class, withheld values hatched and missing
/// ones dotted, points drawn as dots, labels where they fit, and a stepped legend with the class
/// bounds underneath and a second row for the areas without a value.
///
/// Lon/lat are drawn with a local equirectangular projection (x scaled by the cosine of the
/// middle latitude), which keeps shapes true enough at municipal and county scale.
public struct SVGMap: Sendable {
    public struct Area: Sendable {
        public var geometry: Geometry?
        /// The class (0-based), or nil for a missing or withheld value.
        public var classIndex: Int?
        /// For an area without a class: true when the value was withheld, false when it is missing.
        public var withheld: Bool
        public var label: String
        /// The tooltip text.
        public var title: String

        public init(geometry: Geometry?, classIndex: Int?, withheld: Bool = false, label: String, title: String) {
            self.geometry = geometry
            self.classIndex = classIndex
            self.withheld = withheld
            self.label = label
            self.title = title
        }
    }

    public var areas: [Area]
    /// One fill colour per class.
    public var colors: [String]
    /// The class bounds written under the legend: the lowest value, then each upper bound.
    public var legendBounds: [String]
    /// The legend entry for areas whose value is missing ("Uppgift saknas (3)").
    public var missingLabel: String
    /// The legend entry for areas whose value was withheld ("Ej publicerat (2)").
    public var withheldLabel: String
    /// Prefix for element ids, unique per map in a document.
    public var idPrefix: String
    /// An accessible name for the whole map.
    public var caption: String

    public var width = 640.0
    public var maxMapHeight = 600.0
    public var padding = 6.0
    public var labelFontSize = 10.0
    public var legendFontSize = 11.0
    /// The radius of a point's dot.
    public var pointRadius = 3.5

    public init(
        areas: [Area], colors: [String], legendBounds: [String], missingLabel: String, withheldLabel: String = "",
        idPrefix: String, caption: String
    ) {
        self.areas = areas
        self.colors = colors
        self.legendBounds = legendBounds
        self.missingLabel = missingLabel
        self.withheldLabel = withheldLabel
        self.idPrefix = idPrefix
        self.caption = caption
    }

    static let missingFill = "#d9d9d9"

    private var hasMissing: Bool { areas.contains { $0.geometry != nil && $0.classIndex == nil && !$0.withheld } }
    private var hasWithheld: Bool { areas.contains { $0.geometry != nil && $0.classIndex == nil && $0.withheld } }

    /// The legend's height above the map: the class bar with its bounds, and a row for the
    /// areas without a value when there are any.
    var legendHeight: Double { hasMissing || hasWithheld ? 64 : 42 }

    public func svg() -> String {
        let fitted = FittedProjection(
            areas.compactMap(\.geometry), maxWidth: width, maxHeight: maxMapHeight, padding: padding)
        // A tall area (Sweden, a long municipality) gets a narrow drawing rather than side margins,
        // but never narrower than its legend.
        let svgWidth = min(max(width, legendWidth), max(fitted.contentWidth, legendWidth))
        let projection = fitted.placed(width: svgWidth, top: legendHeight)
        let height = projection.height + legendHeight

        var out = ""
        out.reserveCapacity(64 * 1024)
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" width=\"\(Self.number(svgWidth))\" height=\"\(Self.number(height))\" viewBox=\"0 0 \(Self.number(svgWidth)) \(Self.number(height))\" role=\"img\" aria-label=\"\(HTML.escape(caption))\">\n"
        out += "<defs>\(Self.patterns(idPrefix))</defs>\n"
        out += legend()
        out += "<g class=\"areas\" stroke=\"#fff\" stroke-width=\"0.7\" stroke-linejoin=\"round\">\n"
        var dots = ""
        for area in areas {
            guard let geometry = area.geometry else { continue }
            let fill = area.classIndex.map { colors[min($0, colors.count - 1)] }
                ?? "url(#\(idPrefix)-\(area.withheld ? "hatch" : "dots"))"
            let cls = area.classIndex.map { "c\($0 + 1)" } ?? (area.withheld ? "withheld" : "missing")
            let title = "<title>\(HTML.escape(area.title))</title>"
            let points = geometry.points
            if !points.isEmpty {
                for p in points {
                    let c = projection.pixel(p)
                    dots += "<circle class=\"\(cls)\" fill=\"\(fill)\" cx=\"\(Self.number(c.x))\" cy=\"\(Self.number(c.y))\" r=\"\(Self.number(pointRadius))\">\(title)</circle>\n"
                }
                continue
            }
            let polygons = geometry.polygons.map { rings in rings.map { projection.pixels($0) } }
            let d = Self.pathData(polygons)
            guard !d.isEmpty else { continue }
            out += "<path class=\"\(cls)\" fill=\"\(fill)\" fill-rule=\"evenodd\" d=\"\(d)\">\(title)</path>\n"
        }
        out += "</g>\n"
        if !dots.isEmpty {
            out += "<g class=\"points\" stroke=\"#4d4d4d\" stroke-width=\"0.6\">\n\(dots)</g>\n"
        }
        out += labels(projection: projection)
        out += "</svg>"
        return out
    }

    /// The two fills of areas without a value: withheld values hatched, missing ones dotted.
    static func patterns(_ prefix: String) -> String {
        "<pattern id=\"\(prefix)-hatch\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"5\" height=\"5\" fill=\"#f2f2f2\"/><rect width=\"1.6\" height=\"5\" fill=\"#a6a6a6\"/></pattern>"
            + "<pattern id=\"\(prefix)-dots\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\"><rect width=\"4\" height=\"4\" fill=\"#fafafa\"/><circle cx=\"2\" cy=\"2\" r=\"0.9\" fill=\"#8c8c8c\"/></pattern>"
    }

    private func labels(projection: FittedProjection) -> String {
        var placed: [LabelBox] = []
        var out = ""
        for area in areas {
            guard let geometry = area.geometry, geometry.points.isEmpty, !area.label.isEmpty else { continue }
            let polygons = geometry.polygons.map { rings in rings.map { projection.pixels($0) } }
            guard let box = LabelPlacement.place(area.label, in: polygons, fontSize: labelFontSize) else { continue }
            if placed.contains(where: { $0.overlaps(box) }) { continue }
            placed.append(box)
            out += "<text x=\"\(Self.number(box.center.x))\" y=\"\(Self.number(box.center.y))\">\(HTML.escape(area.label))</text>\n"
        }
        guard !out.isEmpty else { return "" }
        return "<g class=\"labels\" font-size=\"\(Self.number(labelFontSize))\" text-anchor=\"middle\" dominant-baseline=\"central\" fill=\"#1f1f1f\" stroke=\"#fff\" stroke-width=\"2.4\" stroke-opacity=\"0.85\" paint-order=\"stroke\" stroke-linejoin=\"round\">\n" + out + "</g>\n"
    }

    /// A legend text's width, estimated generously (0.62 em a character) so that it is never cut off.
    private func textWidth(_ text: String) -> Double {
        Double(text.count) * legendFontSize * 0.62
    }

    private var legendStep: Double {
        guard !colors.isEmpty else { return 0 }
        let widest = legendBounds.map(textWidth).max() ?? 0
        return max(min(64, (width - 200) / Double(colors.count)), widest + 6)
    }

    /// The first bound is centred on the bar's left end, so the bar starts half its width in.
    private var legendLeft: Double { max(18, (legendBounds.first.map(textWidth) ?? 0) / 2 + 4) }

    private var gapEntries: [(pattern: String, label: String)] {
        var entries: [(String, String)] = []
        if hasWithheld { entries.append(("hatch", withheldLabel)) }
        if hasMissing { entries.append(("dots", missingLabel)) }
        return entries
    }

    private var legendWidth: Double {
        let lastBound = legendBounds.count > colors.count ? legendBounds[colors.count] : legendBounds.last ?? ""
        let bar = legendLeft + Double(colors.count) * legendStep + textWidth(lastBound) / 2 + 6
        let gaps = gapEntries.reduce(legendLeft - 8) { $0 + 24 + textWidth($1.label) + 16 } + 8
        return max(bar, gaps)
    }

    /// A row of class colours with the bounds under the joints; under it a swatch for withheld
    /// and one for missing values, each with its label.
    private func legend() -> String {
        var out = "<g class=\"legend\" font-size=\"\(Self.number(legendFontSize))\" fill=\"#333\">\n"
        let step = legendStep
        let x0 = legendLeft, top = 6.0
        for (k, color) in colors.enumerated() {
            out += "<rect x=\"\(Self.number(x0 + Double(k) * step))\" y=\"\(Self.number(top))\" width=\"\(Self.number(step))\" height=\"12\" fill=\"\(color)\"/>\n"
        }
        for (k, bound) in legendBounds.enumerated() where k <= colors.count {
            let x = x0 + Double(k) * step
            out += "<line x1=\"\(Self.number(x))\" x2=\"\(Self.number(x))\" y1=\"\(Self.number(top))\" y2=\"\(Self.number(top + 16))\" stroke=\"#666\" stroke-width=\"0.8\"/>\n"
            out += "<text x=\"\(Self.number(x))\" y=\"\(Self.number(top + 28))\" text-anchor=\"middle\">\(HTML.escape(bound))</text>\n"
        }
        var x = legendLeft - 8
        for entry in gapEntries {
            let y = top + 38
            out += "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"18\" height=\"12\" fill=\"url(#\(idPrefix)-\(entry.pattern))\" stroke=\"#a6a6a6\" stroke-width=\"0.6\"/>\n"
            out += "<text x=\"\(Self.number(x + 24))\" y=\"\(Self.number(y + 10))\">\(HTML.escape(entry.label))</text>\n"
            x += 24 + textWidth(entry.label) + 16
        }
        out += "</g>\n"
        return out
    }

    /// SVG path data in tenths of a pixel: absolute start, relative steps, points that round to
    /// the previous one dropped, rings that collapse to fewer than three points left out.
    static func pathData(_ polygons: [[[PixelPoint]]]) -> String {
        var d = ""
        for rings in polygons {
            for ring in rings {
                var points: [(Int, Int)] = []
                points.reserveCapacity(ring.count)
                for p in ring {
                    let q = (tenthsOf(p.x), tenthsOf(p.y))
                    if let last = points.last, last == q { continue }
                    points.append(q)
                }
                if points.count > 1, points.first! == points.last! { points.removeLast() }
                guard points.count >= 3 else { continue }
                d += "M" + tenths(points[0].0) + separated(tenths(points[0].1))
                d += "l"
                for i in 1..<points.count {
                    let dx = tenths(points[i].0 - points[i - 1].0)
                    let dy = tenths(points[i].1 - points[i - 1].1)
                    d += (i == 1 ? dx : separated(dx)) + separated(dy)
                }
                d += "z"
            }
        }
        return d
    }

    /// A number after another one: a minus sign separates by itself.
    private static func separated(_ text: String) -> String {
        text.hasPrefix("-") ? text : " " + text
    }

    /// Tenths as the shortest decimal: 123 → "12.3", 120 → "12", -5 → "-.5".
    static func tenths(_ t: Int) -> String {
        let sign = t < 0 ? "-" : ""
        let a = abs(t)
        let whole = a / 10, fraction = a % 10
        if fraction == 0 { return sign + String(whole) }
        return sign + (whole == 0 ? "" : String(whole)) + "." + String(fraction)
    }

    /// A coordinate for an attribute, to one decimal.
    static func number(_ value: Double) -> String {
        tenths(tenthsOf(value))
    }

    /// `value` in whole tenths, held to ±10⁹ pixels (far outside any drawing) so that no value
    /// traps the conversion; not-a-number is 0.
    static func tenthsOf(_ value: Double) -> Int {
        let t = (value * 10).rounded()
        return t.isNaN ? 0 : Int(min(max(t, -1e10), 1e10))
    }
}

struct PixelPoint: Hashable, Sendable {
    var x: Double
    var y: Double
}

/// Lon/lat → pixels: x scaled by cos(middle latitude), y flipped, scaled to fit the largest
/// width and height, then placed (centred) in the drawing.
struct FittedProjection {
    /// The drawn width and height including padding.
    let contentWidth: Double
    let height: Double
    private let scale: Double
    private let xScale: Double
    private let originX: Double
    private let originY: Double
    private var offsetX: Double
    private var offsetY: Double

    init(_ geometries: [Geometry], maxWidth: Double, maxHeight: Double, padding: Double) {
        var bounds = Bounds.empty
        for g in geometries { if let b = g.bounds { bounds.extend(b) } }
        if bounds.isEmpty { bounds = Bounds(minX: 0, minY: 0, maxX: 1, maxY: 1) }
        xScale = cos(bounds.center.y * .pi / 180)
        let w = max(bounds.width * xScale, 1e-9)
        let h = max(bounds.height, 1e-9)
        scale = min((maxWidth - 2 * padding) / w, (maxHeight - 2 * padding) / h)
        contentWidth = w * scale + 2 * padding
        height = h * scale + 2 * padding
        originX = bounds.minX
        originY = bounds.maxY
        offsetX = padding
        offsetY = padding
    }

    /// The same projection centred in a drawing `width` wide, starting `top` pixels down.
    func placed(width: Double, top: Double) -> FittedProjection {
        var copy = self
        copy.offsetX += (width - contentWidth) / 2
        copy.offsetY += top
        return copy
    }

    func pixel(_ c: Coordinate) -> PixelPoint {
        PixelPoint(x: offsetX + (c.x - originX) * xScale * scale, y: offsetY + (originY - c.y) * scale)
    }

    func pixels(_ ring: [Coordinate]) -> [PixelPoint] { ring.map(pixel) }
}

struct LabelBox: Sendable {
    var center: PixelPoint
    var width: Double
    var height: Double

    func overlaps(_ other: LabelBox) -> Bool {
        abs(center.x - other.center.x) * 2 < width + other.width
            && abs(center.y - other.center.y) * 2 < height + other.height
    }
}

/// Where an area's label goes: inside its largest polygon, at the centroid when that lies inside,
/// else in the middle of the widest horizontal run through the polygon; only if the text fits.
enum LabelPlacement {
    /// Width of a label in pixels: about 0.58 em per character for a sans-serif face.
    static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * 0.58
    }

    static func place(_ text: String, in polygons: [[[PixelPoint]]], fontSize: Double) -> LabelBox? {
        guard let rings = polygons.max(by: { abs(area($0.first ?? [])) < abs(area($1.first ?? [])) }),
            let exterior = rings.first, exterior.count >= 4
        else { return nil }
        let width = estimatedWidth(text, fontSize: fontSize) + 4
        let height = fontSize * 1.3
        var candidates: [PixelPoint] = []
        if let c = centroid(exterior), contains(rings, c) { candidates.append(c) }
        let ys = exterior.map(\.y)
        let top = ys.min()!, bottom = ys.max()!
        var best: (PixelPoint, Double)?
        for step in 1...9 {
            let y = top + (bottom - top) * Double(step) / 10
            for run in runs(rings, y: y) where run.1 - run.0 > (best?.1 ?? 0) {
                best = (PixelPoint(x: (run.0 + run.1) / 2, y: y), run.1 - run.0)
            }
        }
        if let best { candidates.append(best.0) }
        for c in candidates {
            // The text must fit along its own line and at the lines of its top and bottom edge.
            let fits = [c.y - height / 2, c.y, c.y + height / 2].allSatisfy { y in
                runs(rings, y: y).contains { $0.0 <= c.x - width / 2 && $0.1 >= c.x + width / 2 }
            }
            if fits { return LabelBox(center: c, width: width, height: height) }
        }
        return nil
    }

    /// The intervals of a horizontal line that lie inside the polygon (even-odd over all rings).
    static func runs(_ rings: [[PixelPoint]], y: Double) -> [(Double, Double)] {
        var xs: [Double] = []
        for ring in rings {
            guard ring.count >= 2 else { continue }
            var previous = ring[ring.count - 1]
            for p in ring {
                if (p.y > y) != (previous.y > y) {
                    xs.append(previous.x + (y - previous.y) * (p.x - previous.x) / (p.y - previous.y))
                }
                previous = p
            }
        }
        xs.sort()
        return stride(from: 0, to: xs.count - 1, by: 2).map { (xs[$0], xs[$0 + 1]) }
    }

    static func contains(_ rings: [[PixelPoint]], _ p: PixelPoint) -> Bool {
        var inside = false
        for ring in rings where Ring.contains(ring.map { Coordinate($0.x, $0.y) }, Coordinate(p.x, p.y)) {
            inside.toggle()
        }
        return inside
    }

    static func area(_ ring: [PixelPoint]) -> Double {
        Ring.signedArea(ring.map { Coordinate($0.x, $0.y) })
    }

    static func centroid(_ ring: [PixelPoint]) -> PixelPoint? {
        var a = 0.0, cx = 0.0, cy = 0.0
        guard var previous = ring.last else { return nil }
        for p in ring {
            let cross = previous.x * p.y - p.x * previous.y
            a += cross
            cx += (previous.x + p.x) * cross
            cy += (previous.y + p.y) * cross
            previous = p
        }
        guard abs(a) > 1e-9 else { return nil }
        return PixelPoint(x: cx / (3 * a), y: cy / (3 * a))
    }
}
