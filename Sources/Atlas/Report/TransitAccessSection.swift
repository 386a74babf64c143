import Foundation

extension ReportSection {
    /// Restidskvot, public transport against the car (`atlas access --mode transit
    /// --compare-car`): `ratio_to_car` mapped; population, the mean and median minutes by public
    /// transport and the shares within each threshold in the table.
    public static func restidskvot(
        layer: Layer, idField: String, nameField: String? = nil, language: ReportLanguage = .swedish,
        classing: ReportClassing = .standard, title: String? = nil, definition: String? = nil, sources: String? = nil
    ) throws -> ReportSection {
        let sv = language == .swedish
        var columns = [
            ReportColumn(field: "population", title: sv ? "Befolkning" : "Population", format: .count),
            ReportColumn(field: "mean_minutes", title: sv ? "Medel, kollektivt" : "Mean, public transport", format: .minutes),
            ReportColumn(field: "median_minutes", title: sv ? "Median, kollektivt" : "Median, public transport", format: .minutes),
        ]
        let thresholds = layer.fields.compactMap { field -> Int? in
            guard field.name.hasPrefix("share_within_") else { return nil }
            return Int(field.name.dropFirst("share_within_".count))
        }.sorted()
        for t in thresholds {
            columns.append(ReportColumn(field: "share_within_\(t)", title: "≤ \(t) min", format: .percent))
        }
        return try ReportSection(
            title: title ?? (sv ? "Restidskvot kollektivtrafik/bil" : "Travel time ratio, public transport to car"),
            definition: definition
                ?? (sv
                    ? "Restiden med kollektivtrafik och till fots delad med restiden med bil, från varje befolkad ruta till närmaste målpunkt, befolkningsviktat medel per område. Kollektivtrafikens restid är medianen över avgångsminuterna i tidsfönstret; en kvot på 2 betyder att resan tar dubbelt så lång tid som med bil."
                    : "Travel time by public transport and on foot divided by the travel time by car, from every populated cell to the nearest destination, as a population-weighted mean per area. The public transport time is the median over the departure minutes of the window; a ratio of 2 means the journey takes twice as long as by car."),
            sources: sources
                ?? (sv
                    ? "Tidtabeller (GTFS); gång- och vägnät från OpenStreetMap (© OpenStreetMap-bidragsgivare, ODbL); befolkning per ruta."
                    : "Timetables (GTFS); walking and road network from OpenStreetMap (© OpenStreetMap contributors, ODbL); population per cell."),
            layer: layer, idField: idField, nameField: nameField, valueField: "ratio_to_car",
            valueTitle: sv ? "Kvot" : "Ratio", format: .number(decimals: 2), classing: classing, ramp: .orangeRed,
            columns: columns.filter { has(layer, $0.field) })
    }
}
