import Foundation

/// Report sections for the three indicator layers atlas writes, with their definitions and
/// sources in plain words. Every text can be replaced by the caller's own.
extension ReportSection {
    /// Children in low-income households: `share` mapped, `count` and `total` in the table.
    public static func lowIncome(
        layer: Layer, idField: String, nameField: String? = nil, language: ReportLanguage = .swedish,
        classing: ReportClassing = .standard, title: String? = nil, definition: String? = nil,
        sources: String? = nil
    ) throws -> ReportSection {
        let sv = language == .swedish
        let columns = [
            ReportColumn(field: "count", title: sv ? "Barn med låg inkomst" : "Children, low income", format: .count),
            ReportColumn(field: "total", title: sv ? "Barn totalt" : "Children, total", format: .count),
        ].filter { has(layer, $0.field) }
        return try ReportSection(
            title: title ?? (sv ? "Barn i hushåll med låg inkomst" : "Children in low-income households"),
            definition: definition
                ?? (sv
                    ? "Andel barn (0–17 år) som bor i hushåll med låg inkomststandard, det vill säga där hushållets disponibla inkomst inte räcker till dess baskonsumtion enligt riksnormen. Områden med för få barn redovisas inte."
                    : "Share of children (0–17) living in households with a low income standard: the household's disposable income does not cover its basic consumption as set by the national norm. Areas with too few children are not published."),
            sources: sources
                ?? (sv
                    ? "SCB, inkomster och skatter (barn i hushåll med låg inkomststandard); områdesgränser från SCB."
                    : "Statistics Sweden (SCB), income and taxes (children in households with a low income standard); area boundaries from SCB."),
            layer: layer, idField: idField, nameField: nameField, valueField: "share",
            valueTitle: sv ? "Andel" : "Share", format: .percent, classing: classing, ramp: .yellowOrangeRed,
            columns: columns)
    }

    /// Kollektivtrafiknära läge: `share_near` mapped, population in the table.
    public static func transitProximity(
        layer: Layer, idField: String, nameField: String? = nil, language: ReportLanguage = .swedish,
        radius: Double = 500, classing: ReportClassing = .standard, title: String? = nil,
        definition: String? = nil, sources: String? = nil
    ) throws -> ReportSection {
        let sv = language == .swedish
        let metres = ReportNumber.format(radius, decimals: 0, language)
        let columns = [
            ReportColumn(field: "population", title: sv ? "Befolkning" : "Population", format: .count),
            ReportColumn(field: "population_near", title: sv ? "Nära hållplats" : "Near a stop", format: .count),
        ].filter { has(layer, $0.field) }
        return try ReportSection(
            title: title ?? (sv ? "Kollektivtrafiknära läge" : "Population near public transport"),
            definition: definition
                ?? (sv
                    ? "Andel av befolkningen som bor inom \(metres) meter fågelvägen från en trafikerad hållplats, det vill säga en hållplats med minst en avgång i timmen vardagar klockan 06–20, oavsett trafikslag. Hållplatslägen på var sida om gatan räknas som en hållplats."
                    : "Share of the population living within \(metres) metres in a straight line of a served stop: a stop with at least one departure an hour on weekdays 06:00–20:00, any mode. Stop positions on either side of a street count as one stop."),
            sources: sources
                ?? (sv
                    ? "Hållplatser och avgångar ur tidtabellsdata (GTFS, t.ex. Trafiklab); befolkning från SCB:s befolkningsrutor."
                    : "Stops and departures from timetable data (GTFS, e.g. Trafiklab); population from Statistics Sweden's population grid."),
            layer: layer, idField: idField, nameField: nameField, valueField: "share_near",
            valueTitle: sv ? "Andel" : "Share", format: .percent, classing: classing, ramp: .blues, columns: columns)
    }

    /// Travel time to healthcare (PIPOS method): `mean_minutes` mapped, population, median and
    /// the shares within each threshold in the table.
    public static func healthcareAccess(
        layer: Layer, idField: String, nameField: String? = nil, language: ReportLanguage = .swedish,
        destination: String? = nil, classing: ReportClassing = .standard, title: String? = nil,
        definition: String? = nil, sources: String? = nil
    ) throws -> ReportSection {
        let sv = language == .swedish
        let place = destination ?? (sv ? "vårdcentral" : "primary care centre")
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
        return try ReportSection(
            title: title ?? (sv ? "Restid till \(place)" : "Travel time to the nearest \(place)"),
            definition: definition
                ?? (sv
                    ? "Befolkningsviktad genomsnittlig restid i minuter till närmaste \(place), längs vägnätet från varje befolkad ruta med hjälp av hastighetsgränserna, enligt Tillväxtanalys PIPOS-metod. Tabellen visar också andelen av befolkningen inom varje tidsgräns."
                    : "Population-weighted mean travel time in minutes to the nearest \(place), along the road network from every populated grid cell using the speed limits, following the PIPOS method of the Swedish Agency for Growth Policy Analysis. The table also gives the share of the population within each time limit."),
            sources: sources
                ?? (sv
                    ? "Vägnät från OpenStreetMap (© OpenStreetMap-bidragsgivare, ODbL) eller NVDB; vårdens adresser; befolkning från SCB:s befolkningsrutor."
                    : "Road network from OpenStreetMap (© OpenStreetMap contributors, ODbL) or NVDB; healthcare locations; population from Statistics Sweden's population grid."),
            layer: layer, idField: idField, nameField: nameField, valueField: "mean_minutes",
            valueTitle: sv ? "Medel" : "Mean", format: .minutes, classing: classing, ramp: .purples,
            columns: columns.filter { has(layer, $0.field) })
    }

    /// The section for a layer atlas wrote, chosen by its fields (`share` with `count` and `total`,
    /// `share_near`, `mean_minutes`); any other field is mapped as a plain value.
    public static func forLayer(
        _ layer: Layer, valueField: String, idField: String, nameField: String? = nil,
        language: ReportLanguage = .swedish, classing: ReportClassing = .standard, title: String? = nil,
        definition: String? = nil, sources: String? = nil
    ) throws -> ReportSection {
        let field = try layer.fields[layer.fieldIndex(valueField)].name
        switch field {
        case "share" where has(layer, "count") && has(layer, "total"):
            return try lowIncome(
                layer: layer, idField: idField, nameField: nameField, language: language, classing: classing,
                title: title, definition: definition, sources: sources)
        case "share_near":
            return try transitProximity(
                layer: layer, idField: idField, nameField: nameField, language: language, classing: classing,
                title: title, definition: definition, sources: sources)
        case "ratio_to_car":
            return try restidskvot(
                layer: layer, idField: idField, nameField: nameField, language: language, classing: classing,
                title: title, definition: definition, sources: sources)
        case "mean_minutes":
            return try healthcareAccess(
                layer: layer, idField: idField, nameField: nameField, language: language, classing: classing,
                title: title, definition: definition, sources: sources)
        default:
            let format = try ValueFormat.inferred(for: field, in: layer)
            return try ReportSection(
                title: title ?? field, definition: definition ?? "", sources: sources ?? "", layer: layer,
                idField: idField, nameField: nameField, valueField: field, format: format, classing: classing)
        }
    }

    static func has(_ layer: Layer, _ field: String) -> Bool {
        layer.fields.contains { $0.name == field }
    }
}
