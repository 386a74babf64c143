import Foundation

enum HTML {
    /// Text for element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}

/// Renders an `AreaReport` as one HTML document.
struct ReportHTML {
    let report: AreaReport
    let text: ReportText

    init(report: AreaReport) {
        self.report = report
        text = ReportText(language: report.language)
    }

    private var language: ReportLanguage { report.language }

    func render() -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"\(text.htmlLanguage)\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"generator\" content=\"atlas \(AreaReport.atlasVersion)\">\n"
        let documentTitle = report.place.isEmpty ? report.title : "\(report.title) – \(report.place)"
        out += "<title>\(HTML.escape(documentTitle))</title>\n<style>\n\(Self.css)</style>\n</head>\n<body>\n"
        out += header()
        out += "<main class=\"wrap\">\n"
        if !report.sections.isEmpty { out += summary() }
        for (k, section) in report.sections.enumerated() { out += self.section(section, number: k + 1) }
        out += "</main>\n"
        out += footer()
        out += "</body>\n</html>\n"
        return out
    }

    private func header() -> String {
        var out = "<header class=\"masthead\">\n<div class=\"wrap\">\n"
        out += "<h1>\(HTML.escape(report.title))</h1>\n"
        if !report.place.isEmpty { out += "<p class=\"place\">\(HTML.escape(report.place))</p>\n" }
        out += "<p class=\"dateline\">\(HTML.escape(text.date(report.generatedAt)))</p>\n"
        out += "</div>\n</header>\n"
        return out
    }

    private func summary() -> String {
        var out = "<section class=\"summary\" aria-label=\"\(HTML.escape(text.summary))\">\n"
        out += "<h2 class=\"visually-hidden\">\(HTML.escape(text.summary))</h2>\n<div class=\"cards\">\n"
        for (k, section) in report.sections.enumerated() {
            let ranked = section.ranked
            let withValue = ranked.filter { $0.value != nil }
            out += "<a class=\"card\" href=\"#section-\(k + 1)\">\n"
            out += "<h3>\(HTML.escape(section.title))</h3>\n"
            if let high = withValue.first, let low = withValue.last {
                out += "<dl>\n"
                out += summaryLine(text.highest, high, section)
                if withValue.count > 1 { out += summaryLine(text.lowest, low, section) }
                out += "</dl>\n"
            }
            if let series = section.series,
                let sentence = series.summary(areas: section.areas, format: section.format, language: language).first
            {
                out += "<p class=\"trend-note\">\(HTML.escape(sentence))</p>\n"
            }
            out += "<p class=\"count\">\(HTML.escape(countLine(section)))</p>\n</a>\n"
        }
        out += "</div>\n</section>\n"
        return out
    }

    /// "21 områden · 2 ej publicerade · 1 utan uppgift"
    private func countLine(_ section: ReportSection) -> String {
        var parts = [text.areaCount(section.areas.count)]
        let withheld = section.count(.withheld), missing = section.count(.missing)
        if withheld > 0 { parts.append(text.withheldCount(withheld)) }
        if missing > 0 { parts.append(text.missingCount(missing)) }
        return parts.joined(separator: " · ")
    }

    private func summaryLine(_ label: String, _ area: ReportArea, _ section: ReportSection) -> String {
        let value = area.value.map { section.format.format($0, language) } ?? ""
        return "<div><dt>\(HTML.escape(label))</dt><dd><span class=\"figure\">\(HTML.escape(value))</span> <span class=\"where\">\(areaName(area))</span></dd></div>\n"
    }

    /// The area's name with its code small beside it, or the code alone.
    private func areaName(_ area: ReportArea) -> String {
        guard let name = area.name else { return HTML.escape(area.id) }
        return "\(HTML.escape(name)) <span class=\"id\">\(HTML.escape(area.id))</span>"
    }

    private func section(_ section: ReportSection, number: Int) -> String {
        var out = "<section class=\"indicator\" id=\"section-\(number)\">\n"
        out += "<h2>\(HTML.escape(section.title))</h2>\n<div class=\"about\">\n"
        if !section.definition.isEmpty {
            out += "<p class=\"definition\">\(HTML.escape(section.definition))</p>\n"
        }
        if !section.sources.isEmpty {
            out += "<p class=\"sources\"><span class=\"label\">\(HTML.escape(text.sources)):</span> \(HTML.escape(section.sources))</p>\n"
        }
        out += "</div>\n"
        // A table with many columns goes under the map, so that every column shows.
        let chart = section.series.flatMap { SeriesChart(series: $0, format: section.format, language: language) }
        let width = section.columns.count + (chart == nil ? 0 : 2)
        out += "<div class=\"panels\(width > 2 ? " stacked" : "")\">\n<figure class=\"map-panel\">\n"
        out += map(section, prefix: "m\(number)").svg() + "\n"
        let caption = text.classes(section.classOrigin, count: section.classCount, format: section.format)
        out += "<figcaption>\(HTML.escape(caption))</figcaption>\n</figure>\n"
        out += table(section, chart: chart)
        out += "</div>\n"
        if let series = section.series, let chart { out += self.series(series, chart: chart, section: section) }
        out += "</section>\n"
        return out
    }

    func map(_ section: ReportSection, prefix: String) -> SVGMap {
        let areas = section.areas.map { area in
            let value = area.value.map { section.format.format($0, language) } ?? gapLabel(area.status)
            let name = area.name.map { "\($0) (\(area.id))" } ?? area.id
            return SVGMap.Area(
                geometry: area.geometry, classIndex: area.value.flatMap(section.classIndex(of:)),
                withheld: area.status == .withheld, label: area.label, title: "\(name): \(value)")
        }
        var bounds: [String] = []
        if let first = section.classRanges.first {
            bounds = [section.format.format(first.low, language)]
                + section.breaks.map { section.format.format($0, language) }
        }
        return SVGMap(
            areas: areas, colors: section.colors, legendBounds: bounds,
            missingLabel: text.counted(text.noData, section.count(.missing)),
            withheldLabel: text.counted(text.withheld, section.count(.withheld)), idPrefix: prefix,
            caption: "\(text.mapOf): \(section.title)")
    }

    private func gapLabel(_ status: AreaStatus) -> String {
        status == .withheld ? text.withheld : text.noData
    }

    private func swatch(_ section: ReportSection, _ value: Double) -> String {
        let colors = section.colors
        return section.classIndex(of: value).map { colors[min($0, colors.count - 1)] } ?? SVGMap.missingFill
    }

    private func table(_ section: ReportSection, chart: SeriesChart?) -> String {
        let series = chart?.series
        let ends = series.map { ($0.periods.first!, $0.periods.last!) }
        var out = "<div class=\"table-panel\">\n<table>\n<thead><tr>"
        out += "<th class=\"rank\" scope=\"col\">\(HTML.escape(text.rank))</th>"
        out += "<th scope=\"col\">\(HTML.escape(text.area))</th>"
        out += "<th class=\"num\" scope=\"col\">\(HTML.escape(section.valueTitle ?? text.valueHeading(section.format)))</th>"
        if let ends {
            out += "<th scope=\"col\">\(HTML.escape(text.trendHeading(ends.0, ends.1)))</th>"
            out += "<th class=\"num\" scope=\"col\">\(HTML.escape(text.changeHeading(section.format)))</th>"
        }
        for column in section.columns { out += "<th class=\"num\" scope=\"col\">\(HTML.escape(column.title))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        var rank = 0
        for area in section.ranked {
            out += "<tr class=\"\(area.status.rawValue)\">"
            if area.value != nil {
                rank += 1
                out += "<td class=\"rank\">\(rank)</td>"
            } else {
                out += "<td class=\"rank\"></td>"
            }
            out += "<td class=\"name\">\(areaName(area))</td>"
            if let value = area.value {
                out += "<td class=\"num\"><span class=\"swatch\" style=\"background:\(swatch(section, value))\"></span>\(HTML.escape(section.format.format(value, language)))</td>"
            } else {
                let pattern = area.status == .withheld ? "hatch" : "dots"
                out += "<td class=\"num gap\"><span class=\"swatch \(pattern)\"></span>\(HTML.escape(gapLabel(area.status)))</td>"
            }
            if let chart, let series {
                let row = series.values[area.index]
                out += "<td class=\"spark-cell\">\(chart.sparkline(row, label: area.label))</td>"
                let change = ReportSeries.ends(row).map { section.format.difference($0.last.1 - $0.first.1, language, unit: false) } ?? "–"
                out += "<td class=\"num change\">\(HTML.escape(change))</td>"
            }
            for (column, extra) in zip(section.columns, area.extras) {
                let cell = extra.map { column.format.format($0, language) } ?? "–"
                out += "<td class=\"num\">\(HTML.escape(cell))</td>"
            }
            out += "</tr>\n"
        }
        if let chart, let series {
            for reference in series.references {
                out += "<tr class=\"reference\"><td class=\"rank\"></td><td class=\"name\">\(HTML.escape(reference.name)) <span class=\"id\">\(HTML.escape(reference.id))</span></td>"
                let last = reference.values.last ?? nil
                out += "<td class=\"num\">\(HTML.escape(last.map { section.format.format($0, language) } ?? "–"))</td>"
                out += "<td class=\"spark-cell\">\(chart.sparkline(reference.values, label: reference.name))</td>"
                let change = ReportSeries.ends(reference.values).map { section.format.difference($0.last.1 - $0.first.1, language, unit: false) } ?? "–"
                out += "<td class=\"num change\">\(HTML.escape(change))</td>"
                out += String(repeating: "<td class=\"num\"></td>", count: section.columns.count)
                out += "</tr>\n"
            }
        }
        out += "</tbody>\n</table>\n</div>\n"
        return out
    }

    /// The trend over every period: the sentences to quote, a line chart of all areas against the
    /// references, and each area's rank every period coloured by the map's classes.
    private func series(_ series: ReportSeries, chart: SeriesChart, section: ReportSection) -> String {
        let first = series.periods.first!, last = series.periods.last!
        var out = "<div class=\"series\">\n<h3>\(HTML.escape(text.trendHeading(first, last)))</h3>\n"
        let sentences = series.summary(areas: section.areas, format: section.format, language: language)
        if !sentences.isEmpty { out += "<p class=\"quote\">\(HTML.escape(sentences.joined(separator: " ")))</p>\n" }
        let ranked = section.ranked
        let highlighted = Array(ranked.filter { $0.value != nil }.prefix(1))
            + Array(ranked.filter { $0.value != nil }.dropFirst().suffix(1))
        let caption = text.trendHeading(first, last) + ": " + section.title
        out += "<figure class=\"trend-panel\">\n" + chart.lineChart(areas: section.areas, highlighted: highlighted, caption: caption) + "\n"
        out += "<figcaption>\(HTML.escape(trendNote(series)))</figcaption>\n</figure>\n"

        let ranks = series.periods.indices.map { series.ranks(period: $0) }
        let order = ranked.sorted { a, b in
            let x = series.latest.flatMap { ranks[$0][a.index] } ?? Int.max
            let y = series.latest.flatMap { ranks[$0][b.index] } ?? Int.max
            return x != y ? x < y : a.id < b.id
        }
        out += "<div class=\"ranks-panel\">\n<table class=\"ranks\">\n<caption>\(HTML.escape(text.rankEachYear))</caption>\n<thead><tr><th scope=\"col\">\(HTML.escape(text.area))</th>"
        for period in series.periods { out += "<th class=\"num\" scope=\"col\">\(HTML.escape(period))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for area in order {
            out += "<tr><td class=\"name\">\(areaName(area))</td>"
            for k in series.periods.indices {
                guard let rank = ranks[k][area.index], let value = series.values[area.index][k] else {
                    out += "<td class=\"num\">–</td>"
                    continue
                }
                let fill = swatch(section, value)
                let ink = Self.isDark(fill) ? "#fff" : "#1d2327"
                let title = "\(area.label) \(series.periods[k]): \(section.format.format(value, language))"
                out += "<td class=\"num\" style=\"background:\(fill);color:\(ink)\" title=\"\(HTML.escape(title))\">\(rank)</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table>\n<p class=\"note\">\(HTML.escape(text.rankNote))</p>\n</div>\n</div>\n"
        return out
    }

    private func trendNote(_ series: ReportSeries) -> String {
        let sv = language == .swedish
        var note = sv ? "Grå linjer: övriga områden." : "Grey lines: the other areas."
        if !series.references.isEmpty {
            let names = series.references.map(\.name).joined(separator: ", ")
            note += sv ? " Streckad: \(names)." : " Dashed: \(names)."
        }
        return note
    }

    /// Whether a CSS hex colour is dark enough to need white text (relative luminance under 0.3).
    static func isDark(_ hex: String) -> Bool {
        let digits = hex.dropFirst()
        guard digits.count == 6, let rgb = Int(digits, radix: 16) else { return false }
        let channels = [(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255].map { Double($0) / 255 }
        let linear = channels.map { $0 <= 0.03928 ? $0 / 12.92 : pow(($0 + 0.055) / 1.055, 2.4) }
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2] < 0.3
    }

    private func footer() -> String {
        let names = report.inputs.map { URL(fileURLWithPath: $0).lastPathComponent }
        let from = names.isEmpty ? text.noInputs : names.joined(separator: ", ")
        var out = "<footer class=\"colophon\">\n<div class=\"wrap\">\n<p>"
        out += HTML.escape("\(text.madeBy) \(text.date(report.generatedAt)) \(text.with) atlas \(AreaReport.atlasVersion) \(text.from) \(from).")
        out += "</p>\n</div>\n</footer>\n"
        return out
    }

    static let css = """
        :root { --ink: #1d2327; --muted: #5f6b73; --rule: #e3e7ea; --paper: #ffffff; --tint: #f5f7f8; --accent: #1c5d8c; }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body { margin: 0; color: var(--ink); background: var(--tint); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
        .wrap { max-width: 1240px; margin: 0 auto; padding: 0 28px; }
        .masthead { background: var(--paper); border-bottom: 1px solid var(--rule); padding: 20px 0 16px; }
        .masthead h1 { margin: 0; font-size: 30px; line-height: 1.2; font-weight: 700; letter-spacing: -0.01em; }
        .masthead .place { margin: 4px 0 0; font-size: 18px; color: var(--accent); font-weight: 600; }
        .masthead .dateline { margin: 6px 0 0; font-size: 13px; color: var(--muted); }
        .summary { margin: 22px 0 8px; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 14px; }
        .card { display: block; background: var(--paper); border: 1px solid var(--rule); border-radius: 8px; padding: 14px 16px 12px; color: inherit; text-decoration: none; border-top: 3px solid var(--accent); }
        .card:hover { border-color: #b9c6cf; border-top-color: var(--accent); }
        .card h3 { margin: 0 0 8px; font-size: 15px; line-height: 1.3; }
        .card dl { margin: 0; display: grid; gap: 4px; }
        .card dl div { display: grid; grid-template-columns: 5.4em 1fr; column-gap: 6px; align-items: baseline; }
        .card dt { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
        .card dd { margin: 0; min-width: 0; }
        .card .figure { font-size: 20px; font-weight: 700; font-variant-numeric: tabular-nums; white-space: nowrap; margin-right: 6px; }
        .card .where { color: var(--ink); }
        .card .trend-note { margin: 8px 0 0; font-size: 13px; line-height: 1.4; }
        .id { color: var(--muted); font-size: 11px; margin-left: 3px; font-weight: 400; white-space: nowrap; }
        .card .count { margin: 8px 0 0; font-size: 12px; color: var(--muted); }
        .indicator { background: var(--paper); border: 1px solid var(--rule); border-radius: 8px; margin: 18px 0; padding: 20px 22px 18px; }
        .indicator h2 { margin: 0 0 6px; font-size: 21px; line-height: 1.25; }
        .about { max-width: 78ch; }
        .about p { margin: 0 0 6px; }
        .about .sources { font-size: 13px; color: var(--muted); }
        .about .label { font-weight: 600; }
        .panels { display: grid; grid-template-columns: fit-content(640px) minmax(0, 1fr); gap: 28px; margin-top: 14px; align-items: start; }
        .panels.stacked { grid-template-columns: minmax(0, 1fr); }
        .map-panel { margin: 0; }
        .map-panel svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
        .map-panel svg text { font-family: inherit; }
        .map-panel figcaption { font-size: 12px; color: var(--muted); margin-top: 2px; }
        .table-panel { max-height: 640px; overflow: auto; border: 1px solid var(--rule); border-radius: 6px; }
        table { width: 100%; border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
        thead th, thead th.num { position: sticky; top: 0; background: var(--tint); text-align: left; font-weight: 600; padding: 7px 10px; border-bottom: 1px solid var(--rule); white-space: normal; vertical-align: bottom; }
        thead th.num { text-align: right; }
        td { padding: 5px 10px; border-bottom: 1px solid #eef1f3; vertical-align: baseline; }
        tbody tr:last-child td { border-bottom: 0; }
        tbody tr:hover td { background: #fafbfc; }
        .num { text-align: right; white-space: nowrap; }
        .rank { width: 1%; color: var(--muted); text-align: right; }
        .name { min-width: 8em; }
        .gap { color: var(--muted); }
        .spark-cell { padding: 2px 8px; width: 1%; }
        .spark { display: block; }
        tr.reference td { font-style: italic; border-top: 1px solid var(--rule); }
        .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 7px; vertical-align: -1px; box-shadow: inset 0 0 0 1px rgba(0,0,0,0.12); }
        .swatch.hatch { background: repeating-linear-gradient(45deg, #f2f2f2 0 2px, #a6a6a6 2px 3.2px); }
        .swatch.dots { background: radial-gradient(circle, #8c8c8c 0 0.9px, #fafafa 1.1px) 0 0 / 4px 4px; }
        .series { margin-top: 20px; padding-top: 14px; border-top: 1px solid var(--rule); }
        .series h3 { margin: 0 0 8px; font-size: 17px; }
        .series .quote { margin: 0 0 12px; max-width: 78ch; font-size: 16px; line-height: 1.45; border-left: 3px solid var(--accent); padding-left: 12px; }
        .trend-panel { margin: 0 0 14px; }
        .trend-panel svg { display: block; max-width: 100%; height: auto; }
        .trend-panel svg text { font-family: inherit; }
        .trend-panel figcaption { font-size: 12px; color: var(--muted); }
        .ranks-panel { overflow-x: auto; }
        table.ranks { width: auto; font-size: 12px; }
        table.ranks caption { text-align: left; font-weight: 600; padding: 0 0 6px; }
        table.ranks thead th { position: static; padding: 4px 6px; }
        table.ranks td { padding: 3px 6px; text-align: center; border-bottom: 1px solid #fff; }
        table.ranks td.name { text-align: left; background: none; }
        .ranks-panel .note { font-size: 12px; color: var(--muted); margin: 6px 0 0; }
        .colophon { color: var(--muted); font-size: 12px; padding: 8px 0 28px; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        @media (max-width: 900px) {
          .panels { grid-template-columns: 1fr; }
          .table-panel { max-height: none; }
          .wrap { padding: 0 16px; }
          .masthead h1 { font-size: 24px; }
        }
        @media print {
          @page { size: A4; margin: 14mm; }
          body { background: #fff; font-size: 10.5pt; }
          .wrap { max-width: none; padding: 0; }
          .masthead { border: 0; padding: 0 0 10px; }
          .card, .indicator { border-color: #ccc; box-shadow: none; }
          .card { break-inside: avoid; }
          .indicator { break-before: page; border: 0; padding: 0; }
          .panels { grid-template-columns: 1fr; }
          .map-panel { break-inside: avoid; }
          .table-panel { max-height: none; overflow: visible; border: 0; }
          .ranks-panel { overflow: visible; }
          thead th, thead th.num { position: static; }
          thead { display: table-header-group; }
          tr { break-inside: avoid; }
          .trend-panel, .series .quote { break-inside: avoid; }
          table.ranks { font-size: 8pt; }
          a { color: inherit; text-decoration: none; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }

        """
}
