import Foundation

/// Report sections for the indicator layers atlas writes. Their titles, definitions and sources
/// are written from the layer's `"atlas:run"` (see `RunDescription`), so they say what the run
/// did; a layer without one gets neutral text. Every text can be replaced by the caller's own,
/// and `label` names what the figure is about in the caller's words (the measure of a low-income
/// layer, the destinations of an access layer).
extension ReportSection {
    /// A low-income layer: `share` mapped, `count` and `total` in the table.
    public static func lowIncome(
        layer: Layer, idField: String, nameField: String? = nil, language: ReportLanguage = .swedish,
        classing: ReportClassing = .automatic, title: String? = nil, definition: String? = nil,
        sources: String? = nil, label: String? = nil, valueField: String = "share"
    ) throws -> ReportSection {
        let sv = language == .swedish
        let run = LayerRun(layer)
        let text = RunDescription.describe(run: run, layer: layer, valueField: valueField, language: language, label: label)
        func heading(_ option: String, _ fallback: String) -> String {
            run?.text(option).flatMap { RunWords.readsLikeWords($0) ? $0 : nil } ?? fallback
        }
        let columns = [
            ReportColumn(field: "count", title: heading("count", sv ? "Antal" : "Count"), format: .count),
            ReportColumn(field: "total", title: heading("total", sv ? "Totalt" : "Total"), format: .count),
        ].filter { has(layer, $0.field) }
        let share = sv ? "Andel" : "Share"
        return try ReportSection(
            title: title ?? text.title, definition: definition ?? text.definition, sources: sources ?? text.sources,
            layer: layer, idField: idField, nameField: nameField, valueField: valueField,
            valueTitle: latestPeriod(layer, valueField).map { "\(share) \($0)" } ?? share, format: .percent,
            classing: classing, ramp: .yellowOrangeRed, columns: columns)
    }

    /// Kollektivtrafiknära läge: `share_near` mapped, population in the table.
    public static func transitProximity(
        layer: Layer, idField: String, nameField: String? = nil, language: ReportLanguage = .swedish,
        classing: ReportClassing = .automatic, title: String? = nil, definition: String? = nil,
        sources: String? = nil, label: String? = nil, valueField: String = "share_near"
    ) throws -> ReportSection {
        let sv = language == .swedish
        let text = RunDescription.describe(run: LayerRun(layer), layer: layer, valueField: valueField, language: language, label: label)
        let columns = [
            ReportColumn(field: "population", title: sv ? "Befolkning" : "Population", format: .count),
            ReportColumn(field: "population_near", title: sv ? "Nära hållplats" : "Near a stop", format: .count),
        ].filter { has(layer, $0.field) }
        return try ReportSection(
            title: title ?? text.title, definition: definition ?? text.definition, sources: sources ?? text.sources,
            layer: layer, idField: idField, nameField: nameField, valueField: valueField,
            valueTitle: sv ? "Andel" : "Share", format: .percent, classing: classing, ramp: .blues, columns: columns)
    }

    /// Travel time to the nearest destination: `mean_minutes` mapped in the run's time classes
    /// (PIPOS's 5, 10 and 30 minutes by default) unless the layer has its own; population, median
    /// and the shares within each threshold in the table.
    public static func healthcareAccess(
        layer: Layer, idField: String, nameField: String? = nil, language: ReportLanguage = .swedish,
        classing: ReportClassing = .automatic, title: String? = nil, definition: String? = nil,
        sources: String? = nil, label: String? = nil, valueField: String = "mean_minutes"
    ) throws -> ReportSection {
        let sv = language == .swedish
        let run = LayerRun(layer)
        let text = RunDescription.describe(run: run, layer: layer, valueField: valueField, language: language, label: label)
        var columns = [
            ReportColumn(field: "population", title: sv ? "Befolkning" : "Population", format: .count),
            ReportColumn(field: "median_minutes", title: sv ? "Median" : "Median", format: .minutes),
        ]
        let thresholds = layer.fields.compactMap { field -> Int? in
            guard field.name.hasPrefix("share_within_") else { return nil }
            return Int(field.name.dropFirst("share_within_".count))
        }.sorted()
        for t in thresholds {
            columns.append(ReportColumn(field: "share_within_\(t)", title: "≤ \(t) min", format: .percent))
        }
        var classing = classing
        if classing == .automatic {
            let limits = run?.numbers("thresholds").sorted() ?? []
            classing = .layer(else: limits.isEmpty || limits.count >= ColorRamp.maximumClasses ? .pipos : .thresholds(limits))
        }
        return try ReportSection(
            title: title ?? text.title, definition: definition ?? text.definition, sources: sources ?? text.sources,
            layer: layer, idField: idField, nameField: nameField, valueField: valueField,
            valueTitle: sv ? "Medel" : "Mean", format: .minutes, classing: classing, ramp: .purples,
            columns: columns.filter { has(layer, $0.field) })
    }

    /// The section for a layer: the value and id fields from the arguments or the layer's
    /// `"atlas:run"` (`primary`, `id`); a low-income, transit or access layer gets its columns
    /// and colours, any other field is mapped as a plain value.
    public static func forLayer(
        _ layer: Layer, valueField: String? = nil, idField: String? = nil, nameField: String? = nil,
        language: ReportLanguage = .swedish, classing: ReportClassing = .automatic, title: String? = nil,
        definition: String? = nil, sources: String? = nil, label: String? = nil
    ) throws -> ReportSection {
        let run = LayerRun(layer)
        guard let valueField = valueField ?? run?.primary else {
            throw AtlasError(file: layer.source, "the layer does not say which field to map (no \"atlas:run\"): name it")
        }
        guard let idField = idField ?? run?.id else {
            throw AtlasError(file: layer.source, "the layer does not say which field is the area id (no \"atlas:run\"): name it")
        }
        let field = try layer.fields[layer.fieldIndex(valueField)].name
        let base = ReportSeries.baseField(of: field) ?? field
        switch base {
        case "share" where has(layer, "count") && has(layer, "total") || run?.indicator == "lowincome":
            return try lowIncome(
                layer: layer, idField: idField, nameField: nameField, language: language, classing: classing,
                title: title, definition: definition, sources: sources, label: label, valueField: field)
        case "share_near":
            return try transitProximity(
                layer: layer, idField: idField, nameField: nameField, language: language, classing: classing,
                title: title, definition: definition, sources: sources, label: label, valueField: field)
        case "ratio_to_car":
            return try restidskvot(
                layer: layer, idField: idField, nameField: nameField, language: language, classing: classing,
                title: title, definition: definition, sources: sources)
        case "mean_minutes":
            return try healthcareAccess(
                layer: layer, idField: idField, nameField: nameField, language: language, classing: classing,
                title: title, definition: definition, sources: sources, label: label, valueField: field)
        default:
            let text = RunDescription.describe(run: run, layer: layer, valueField: field, language: language, label: label)
            let format = try ValueFormat.inferred(for: field, in: layer)
            return try ReportSection(
                title: title ?? text.title, definition: definition ?? text.definition, sources: sources ?? text.sources,
                layer: layer, idField: idField, nameField: nameField, valueField: field, format: format,
                classing: classing)
        }
    }

    static func has(_ layer: Layer, _ field: String) -> Bool {
        layer.fields.contains { $0.name == field }
    }

    /// The last period of a field's series (`share_2021` beside `share`), when the layer has one.
    private static func latestPeriod(_ layer: Layer, _ field: String) -> String? {
        let base = ReportSeries.baseField(of: field) ?? field
        if let own = ReportSeries.period(of: field) { return own }
        let periods = layer.fields.compactMap { f in ReportSeries.baseField(of: f.name) == base ? ReportSeries.period(of: f.name) : nil }
        return periods.count >= 2 ? periods.max { Int($0)! < Int($1)! } : nil
    }
}
