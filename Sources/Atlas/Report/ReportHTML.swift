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
            var count = text.areaCount(section.areas.count)
            let missing = section.areas.count - withValue.count
            if missing > 0 {
                count += " · " + text.suppressedCount(missing, noDataWording: !section.hasSuppression)
            }
            out += "<p class=\"count\">\(HTML.escape(count))</p>\n</a>\n"
        }
        out += "</div>\n</section>\n"
        return out
    }

    private func summaryLine(_ label: String, _ area: ReportArea, _ section: ReportSection) -> String {
        let value = area.value.map { section.format.format($0, language) } ?? ""
        return "<div><dt>\(HTML.escape(label))</dt><dd><span class=\"figure\">\(HTML.escape(value))</span> <span class=\"where\">\(HTML.escape(area.label))</span></dd></div>\n"
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
        out += "</div>\n<div class=\"panels\">\n<figure class=\"map-panel\">\n"
        out += map(section, prefix: "m\(number)").svg() + "\n"
        out += "<figcaption>\(HTML.escape(classingNote(section)))</figcaption>\n</figure>\n"
        out += table(section)
        out += "</div>\n</section>\n"
        return out
    }

    func map(_ section: ReportSection, prefix: String) -> SVGMap {
        let missing = section.missingLabel(text)
        let areas = section.areas.map { area in
            let value = area.value.map { section.format.format($0, language) } ?? missing
            return SVGMap.Area(
                geometry: area.geometry, classIndex: area.value.flatMap(section.classIndex(of:)),
                label: area.label, title: "\(area.label): \(value)")
        }
        var bounds: [String] = []
        if let first = section.classRanges.first {
            bounds = [section.format.format(first.low, language)]
                + section.breaks.map { section.format.format($0, language) }
        }
        return SVGMap(
            areas: areas, colors: section.colors, legendBounds: bounds, missingLabel: missing, idPrefix: prefix,
            caption: "\(text.mapOf): \(section.title)")
    }

    private func classingNote(_ section: ReportSection) -> String {
        switch section.classing {
        case .scheme(let scheme, _):
            return "\(text.classesBy): \(text.scheme(scheme)), \(text.classCount(section.classCount))."
        case .breaks:
            return "\(text.classesBy): \(text.givenBreaks), \(text.classCount(section.classCount))."
        }
    }

    private func table(_ section: ReportSection) -> String {
        let colors = section.colors
        let missing = section.missingLabel(text)
        var out = "<div class=\"table-panel\">\n<table>\n<thead><tr>"
        out += "<th class=\"rank\" scope=\"col\">\(HTML.escape(text.rank))</th>"
        out += "<th scope=\"col\">\(HTML.escape(text.area))</th>"
        out += "<th class=\"num\" scope=\"col\">\(HTML.escape(section.valueTitle ?? text.valueHeading(section.format)))</th>"
        for column in section.columns { out += "<th class=\"num\" scope=\"col\">\(HTML.escape(column.title))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        var rank = 0
        for area in section.ranked {
            out += "<tr>"
            if area.value != nil {
                rank += 1
                out += "<td class=\"rank\">\(rank)</td>"
            } else {
                out += "<td class=\"rank\"></td>"
            }
            out += "<td class=\"name\">\(HTML.escape(area.label))"
            if area.name != nil { out += " <span class=\"id\">\(HTML.escape(area.id))</span>" }
            out += "</td>"
            if let value = area.value {
                let swatch = section.classIndex(of: value).map { colors[min($0, colors.count - 1)] } ?? SVGMap.missingFill
                out += "<td class=\"num\"><span class=\"swatch\" style=\"background:\(swatch)\"></span>\(HTML.escape(section.format.format(value, language)))</td>"
            } else {
                out += "<td class=\"num missing\"><span class=\"swatch hatch\"></span>\(HTML.escape(missing))</td>"
            }
            for (column, extra) in zip(section.columns, area.extras) {
                let cell = extra.map { column.format.format($0, language) } ?? "–"
                out += "<td class=\"num\">\(HTML.escape(cell))</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table>\n</div>\n"
        return out
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
        .card .count { margin: 8px 0 0; font-size: 12px; color: var(--muted); }
        .indicator { background: var(--paper); border: 1px solid var(--rule); border-radius: 8px; margin: 18px 0; padding: 20px 22px 18px; }
        .indicator h2 { margin: 0 0 6px; font-size: 21px; line-height: 1.25; }
        .about { max-width: 78ch; }
        .about p { margin: 0 0 6px; }
        .about .sources { font-size: 13px; color: var(--muted); }
        .about .label { font-weight: 600; }
        .panels { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 24px; margin-top: 14px; align-items: start; }
        .map-panel { margin: 0; }
        .map-panel svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
        .map-panel svg text { font-family: inherit; }
        .map-panel figcaption { font-size: 12px; color: var(--muted); margin-top: 2px; }
        .table-panel { max-height: 640px; overflow: auto; border: 1px solid var(--rule); border-radius: 6px; }
        table { width: 100%; border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
        thead th { position: sticky; top: 0; background: var(--tint); text-align: left; font-weight: 600; padding: 7px 10px; border-bottom: 1px solid var(--rule); }
        td { padding: 5px 10px; border-bottom: 1px solid #eef1f3; vertical-align: baseline; }
        tbody tr:last-child td { border-bottom: 0; }
        tbody tr:hover td { background: #fafbfc; }
        .num { text-align: right; white-space: nowrap; }
        .rank { width: 1%; color: var(--muted); text-align: right; }
        .name { white-space: nowrap; }
        .name .id { color: var(--muted); font-size: 11px; margin-left: 4px; }
        .missing { color: var(--muted); }
        .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 7px; vertical-align: -1px; box-shadow: inset 0 0 0 1px rgba(0,0,0,0.12); }
        .swatch.hatch { background: repeating-linear-gradient(45deg, #f2f2f2 0 2px, #a6a6a6 2px 3.2px); }
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
          thead th { position: static; }
          a { color: inherit; text-decoration: none; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }

        """
}
