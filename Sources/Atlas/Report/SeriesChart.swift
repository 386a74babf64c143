import Foundation

/// Small inline SVG charts of a series: a sparkline per table row and one line chart of every
/// area with the highlighted ones and the references named at the right end. All of a section's
/// charts share one vertical scale, so rows can be compared at a glance.
struct SeriesChart {
    let series: ReportSeries
    let format: ValueFormat
    let language: ReportLanguage
    /// The shared scale, widened a little so the lines do not touch the edges.
    let low: Double
    let high: Double

    static let areaColor = "#1c5d8c"
    static let referenceColor = "#333333"
    static let otherColor = "#c5ccd2"
    static let highlightColors = ["#b10026", "#2171b5", "#238b45"]

    init?(series: ReportSeries, format: ValueFormat, language: ReportLanguage) {
        guard let range = series.range else { return nil }
        self.series = series
        self.format = format
        self.language = language
        let span = range.high - range.low
        let pad = span > 0 ? span * 0.06 : max(abs(range.high) * 0.1, 1e-9)
        low = range.low - pad
        high = range.high + pad
    }

    /// Polyline point lists of a row, broken where a period has no value.
    private func runs(_ row: [Double?], x: (Int) -> Double, y: (Double) -> Double) -> [[(Double, Double)]] {
        var runs: [[(Double, Double)]] = []
        var current: [(Double, Double)] = []
        for (k, value) in row.enumerated() {
            if let value {
                current.append((x(k), y(value)))
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    private func polyline(_ points: [(Double, Double)], attributes: String) -> String {
        if points.count == 1 {
            return "<circle cx=\"\(SVGMap.number(points[0].0))\" cy=\"\(SVGMap.number(points[0].1))\" r=\"1.5\" \(attributes)/>"
        }
        let list = points.map { "\(SVGMap.number($0.0)),\(SVGMap.number($0.1))" }.joined(separator: " ")
        return "<polyline fill=\"none\" points=\"\(list)\" \(attributes)/>"
    }

    /// A row's sparkline with the references dashed behind it and a dot on the last value.
    func sparkline(_ row: [Double?], label: String, width: Double = 112, height: Double = 26) -> String {
        let n = max(series.periods.count - 1, 1)
        let x = { (k: Int) in 3 + (width - 6) * Double(k) / Double(n) }
        let y = { (v: Double) in 3 + (height - 6) * (1 - (v - low) / (high - low)) }
        var description = label
        if let ends = ReportSeries.ends(row) {
            description += ": \(series.periods[ends.first.0]) \(format.format(ends.first.1, language)), "
                + "\(series.periods[ends.last.0]) \(format.format(ends.last.1, language))"
        }
        var out = "<svg class=\"spark\" width=\"\(SVGMap.number(width))\" height=\"\(SVGMap.number(height))\" viewBox=\"0 0 \(SVGMap.number(width)) \(SVGMap.number(height))\" role=\"img\" aria-label=\"\(HTML.escape(description))\"><title>\(HTML.escape(description))</title>"
        for reference in series.references {
            for run in runs(reference.values, x: x, y: y) {
                out += polyline(run, attributes: "stroke=\"#8a8a8a\" stroke-width=\"1\" stroke-dasharray=\"2 2\"")
            }
        }
        for run in runs(row, x: x, y: y) {
            out += polyline(run, attributes: "stroke=\"\(Self.areaColor)\" stroke-width=\"1.6\" stroke-linejoin=\"round\"")
        }
        if let k = row.lastIndex(where: { $0 != nil }) {
            out += "<circle cx=\"\(SVGMap.number(x(k)))\" cy=\"\(SVGMap.number(y(row[k]!)))\" r=\"2.2\" fill=\"\(Self.areaColor)\"/>"
        }
        return out + "</svg>"
    }

    /// Every area as a thin grey line, the highlighted areas in colour and the references dashed,
    /// each highlighted line and reference named at its right end.
    func lineChart(areas: [ReportArea], highlighted: [ReportArea], caption: String, width: Double = 680, height: Double = 300) -> String {
        let fontSize = 11.0
        let periods = series.periods
        let named: [(label: String, row: [Double?], color: String, dashed: Bool)] =
            highlighted.enumerated().map { k, area in
                (area.label, series.values[area.index], Self.highlightColors[k % Self.highlightColors.count], false)
            } + series.references.map { ($0.name, $0.values, Self.referenceColor, true) }
        let labelWidth = min(220, named.map { Double($0.label.count) * fontSize * 0.62 }.max() ?? 0)
        let ticks = Self.ticks(low: low, high: high)
        let tickWidth = ticks.map { Double(format.format($0, language).count) * fontSize * 0.62 }.max() ?? 30
        let left = tickWidth + 10, right = labelWidth + 40 + 12, top = 10.0, bottom = 26.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let n = max(periods.count - 1, 1)
        let x = { (k: Int) in left + plotWidth * Double(k) / Double(n) }
        let y = { (v: Double) in top + plotHeight * (1 - (v - self.low) / (self.high - self.low)) }

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"trend\" width=\"\(SVGMap.number(width))\" height=\"\(SVGMap.number(height))\" viewBox=\"0 0 \(SVGMap.number(width)) \(SVGMap.number(height))\" role=\"img\" aria-label=\"\(HTML.escape(caption))\">\n"
        out += "<g class=\"axes\" font-size=\"\(SVGMap.number(fontSize))\" fill=\"#5f6b73\">\n"
        for tick in ticks {
            let ty = y(tick)
            out += "<line x1=\"\(SVGMap.number(left))\" x2=\"\(SVGMap.number(left + plotWidth))\" y1=\"\(SVGMap.number(ty))\" y2=\"\(SVGMap.number(ty))\" stroke=\"#e3e7ea\" stroke-width=\"1\"/>\n"
            out += "<text x=\"\(SVGMap.number(left - 6))\" y=\"\(SVGMap.number(ty))\" text-anchor=\"end\" dominant-baseline=\"central\">\(HTML.escape(format.format(tick, language)))</text>\n"
        }
        // A period label every period when they fit, else every second, fifth or tenth one
        // counted back from the last, which is always labelled.
        let every = [1, 2, 5, 10].first { plotWidth / Double(n) * Double($0) >= 34 } ?? 10
        for k in periods.indices where k % every == (periods.count - 1) % every {
            out += "<text x=\"\(SVGMap.number(x(k)))\" y=\"\(SVGMap.number(height - 8))\" text-anchor=\"middle\">\(HTML.escape(periods[k]))</text>\n"
        }
        out += "</g>\n<g class=\"others\">\n"
        let highlightedIndices = Set(highlighted.map(\.index))
        for area in areas where !highlightedIndices.contains(area.index) {
            for run in runs(series.values[area.index], x: x, y: y) {
                out += polyline(run, attributes: "stroke=\"\(Self.otherColor)\" stroke-width=\"1\"") + "\n"
            }
        }
        out += "</g>\n<g class=\"named\">\n"
        var ends: [(y: Double, label: String, color: String)] = []
        for line in named.reversed() {
            let attributes = line.dashed
                ? "stroke=\"\(line.color)\" stroke-width=\"1.8\" stroke-dasharray=\"5 3\""
                : "stroke=\"\(line.color)\" stroke-width=\"2.2\" stroke-linejoin=\"round\""
            for run in runs(line.row, x: x, y: y) { out += polyline(run, attributes: attributes) + "\n" }
            if let k = line.row.lastIndex(where: { $0 != nil }) {
                out += "<circle cx=\"\(SVGMap.number(x(k)))\" cy=\"\(SVGMap.number(y(line.row[k]!)))\" r=\"2.6\" fill=\"\(line.color)\"/>\n"
                ends.append((y(line.row[k]!), line.label + " " + format.format(line.row[k]!, language), line.color))
            }
        }
        // End labels pushed apart so that none overlaps the one above it.
        ends.sort { $0.y < $1.y }
        var lastY = -Double.infinity
        for k in ends.indices {
            ends[k].y = max(ends[k].y, lastY + fontSize + 2)
            lastY = ends[k].y
        }
        let overflow = (ends.last?.y ?? 0) - (height - bottom)
        if overflow > 0 { for k in ends.indices { ends[k].y = max(top, ends[k].y - overflow) } }
        for end in ends {
            out += "<text x=\"\(SVGMap.number(left + plotWidth + 8))\" y=\"\(SVGMap.number(end.y))\" dominant-baseline=\"central\" font-size=\"\(SVGMap.number(fontSize))\" fill=\"\(end.color)\">\(HTML.escape(end.label))</text>\n"
        }
        out += "</g>\n</svg>"
        return out
    }

    /// About four round values between low and high.
    static func ticks(low: Double, high: Double) -> [Double] {
        let span = high - low
        guard span > 0, span.isFinite else { return [low] }
        let raw = span / 4
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var t = (low / step).rounded(.up) * step
        while t <= high + step * 1e-9 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return ticks
    }
}
