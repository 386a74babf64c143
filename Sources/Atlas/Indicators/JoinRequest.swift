import Foundation

/// Any table as a map layer (`atlas join`): columns of a statistics table joined to areas with the
/// code matching, `..` handling and join report of `lowincome`, and re-aggregated to other areas
/// as counts (extensive: apportioned and summed) or as rates, medians and indices (intensive: the
/// mean weighted by the apportioning weights).
public struct JoinRequest: IndicatorRequest {
    public static let indicator = "join"

    public var areas: LayerSource
    public var areaID: String
    public var stats: String
    public var statsID: String
    public var filters: [StatisticsFilter] = []
    /// A long table's period column: each value column V gives `V_P` per period P, V the latest.
    public var series: String?
    public var key: String?
    public var keyFrom: String?
    public var keyTo: String?
    /// The columns to write, in order.
    public var values: [String]
    public var target: LayerSource?
    public var targetID: String?
    public var targetGrid: Double?
    public var weights: LayerSource?
    public var weightField: String?
    /// Re-aggregation: which value columns are counts and which are rates, medians or indices.
    public var extensive: [String] = []
    public var intensive: [String] = []
    public var strict = false
    /// Map classes of the first value column.
    public var classes: Int?
    public var scheme: ClassificationScheme = .quantile
    public var out: String?
    public var precision = 6
    public var simplify: Double?
    public var digits: Int?
    public var dropEmpty = false

    public init(areas: LayerSource, areaID: String, stats: String, statsID: String, values: [String]) {
        self.areas = areas
        self.areaID = areaID
        self.stats = stats
        self.statsID = statsID
        self.values = values
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case areas, areaID = "area-id", stats, statsID = "stats-id", filters = "where", series, key
        case keyFrom = "key-from", keyTo = "key-to", values = "value", target, targetID = "target-id"
        case targetGrid = "target-grid", weights, weightField = "weight-field", extensive, intensive, strict, classes
        case scheme, out, precision, simplify, digits, dropEmpty = "drop-empty"
    }

    public static let optionNames = CodingKeys.allCases.map(\.rawValue)
    public static let outputNames: Set<String> = ["out"]
    public static let inputNames: Set<String> = ["areas", "stats", "key", "target", "weights"]
    public static let fileInputNames: Set<String> = ["stats", "key"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var values: [String] = []
        try c.readList(&values, .values, commas: true)
        self.init(
            areas: try c.decode(LayerSource.self, forKey: .areas), areaID: try c.decode(String.self, forKey: .areaID),
            stats: try c.decode(String.self, forKey: .stats), statsID: try c.decode(String.self, forKey: .statsID), values: values)
        try c.readFilters(&filters, .filters)
        try c.read(&series, .series)
        try c.read(&key, .key)
        try c.read(&keyFrom, .keyFrom)
        try c.read(&keyTo, .keyTo)
        try c.read(&target, .target)
        try c.read(&targetID, .targetID)
        try c.read(&targetGrid, .targetGrid)
        try c.read(&weights, .weights)
        try c.read(&weightField, .weightField)
        try c.readList(&extensive, .extensive, commas: true)
        try c.readList(&intensive, .intensive, commas: true)
        try c.read(&strict, .strict)
        try c.read(&classes, .classes)
        try c.read(&scheme, .scheme)
        try c.read(&out, .out)
        try c.read(&precision, .precision)
        try c.read(&simplify, .simplify)
        try c.read(&digits, .digits)
        try c.read(&dropEmpty, .dropEmpty)
    }

    public func placingOutputs(_ place: (String) throws -> String) rethrows -> Self {
        var copy = self
        copy.out = try out.map(place)
        return copy
    }

    public var outputs: [(role: String, path: String)] { out.map { [("areas", $0)] } ?? [] }

    public var inputPaths: [(option: String, path: String)] {
        [("areas", areas.path), ("stats", stats)]
            + [("key", key), ("target", target?.path), ("weights", weights?.path)].compactMap { o, p in p.map { (o, $0) } }
    }

    var reaggregating: Bool { target != nil || targetGrid != nil }

    public func validate(in session: Session) throws {
        guard !values.isEmpty else { throw OptionError("value", "name at least one column of the table to join") }
        if key != nil && (keyFrom == nil || keyTo == nil) { throw OptionError("key", "needs key-from and key-to, its two code columns") }
        if target != nil && targetID == nil { throw OptionError("target", "needs target-id, the id field of the target areas") }
        if target != nil && targetGrid != nil { throw OptionError("target-grid", "give target or target-grid, not both") }
        if weights != nil && weightField == nil { throw OptionError("weights", "needs weight-field, the population field") }
        if weights != nil && !reaggregating { throw OptionError("weights", "weights are for re-aggregating with target or target-grid") }
        if reaggregating {
            for value in values where !extensive.contains(value) && !intensive.contains(value) {
                throw OptionError(
                    "value", "re-aggregating '\(value)' needs it in extensive (a count, summed) or intensive (a rate or index, averaged)")
            }
        }
        if key != nil, let value = values.first(where: { !extensive.contains($0) }) {
            throw OptionError("key", "through a key the values of a code are summed: '\(value)' must be a count listed in extensive")
        }
        for (option, list) in [("extensive", extensive), ("intensive", intensive)] {
            for column in list where !values.contains(column) { throw OptionError(option, "'\(column)' is not one of the value columns") }
        }
        if let classes, classes < 1 { throw OptionError("classes", "must be at least 1, got \(classes)") }
        try OutputPath.check(precision: precision)
        try validatePortalOptions()
        if let out { try OutputPath.checkLayer(out, option: "out") }
        let table = try StatisticsTable.read(path: stats)
        for column in [statsID] + values + (series.map { [$0] } ?? []) { _ = try table.columnIndex(column) }
        _ = try table.filtered(filters)
        if let key, let keyFrom, let keyTo { _ = try KeyTable.read(path: key, from: keyFrom, to: keyTo) }
        let areaLayer = try session.layer(areas)
        _ = try areaLayer.fieldIndex(areaID)
        if let target, let targetID { _ = try session.layer(target).fieldIndex(targetID) }
        if let weights, let weightField { _ = try session.layer(weights).fieldIndex(weightField) }
    }

    public func run(in session: Session) throws -> JoinResult {
        let firstWarning = session.diagnostics.warnings.count
        let areaLayer = try session.layer(areas)
        let areaIDIndex = try areaLayer.fieldIndex(areaID)
        let sourceIDs = areaLayer.features.map { $0.values[areaIDIndex].text ?? "" }

        let read = try StatisticsTable.read(path: stats)
        read.warnings.forEach(session.diagnostics.warning)
        var table = try read.filtered(filters)
        if let key, let keyFrom, let keyTo {
            table = try table.keyed(key, from: keyFrom, to: keyTo, idColumn: statsID, diagnostics: session.diagnostics) {
                try $0.aggregated(through: $1, idColumn: statsID, columns: values.map { .sum($0) })
            }
        }
        let periods: [String?] = try series.map { try table.periods($0) } ?? [nil]
        // Per period, per value column, per source area: the number, text, or null.
        var columns: [(name: String, values: [Value])] = []
        var report = JoinReport(areasWithoutRow: [], rowsWithoutArea: [])
        for period in periods {
            let rows = try period.map { try table.filtered([StatisticsFilter(column: series!, value: $0)]) } ?? table
            let valueIndices = try values.map { try rows.columnIndex($0) }
            let matched = try LowIncome.matchRows(areaIDs: sourceIDs, table: rows, idColumn: statsID, valueColumns: valueIndices)
            report = matched.report
            for (name, column) in zip(values, valueIndices) {
                let cells = matched.rows.map { r -> Value in
                    guard let r else { return .null }
                    let text = column < rows.rows[r].count ? rows.rows[r][column] : ""
                    guard let cell = StatisticsCell(text) else { return .string(text) }
                    return cell.number.map(Value.double) ?? .null
                }
                columns.append((period.map { "\(name)_\($0)" } ?? name, cells))
            }
        }
        if let latest = periods.last, let latest {
            // V is the latest period's V_P.
            columns += values.map { name in (name, columns.first { $0.name == "\(name)_\(latest)" }!.values) }
        }
        if !report.isComplete {
            if strict { throw AtlasError(file: stats, "the table and the areas do not match: \(report.summary)") }
            session.diagnostics.warning("\(stats): \(report.summary)")
        }

        let outputNames = columns.map(\.name) + ["class"]
        var idField = areaLayer.fields[areaIDIndex]
        var ids = areaLayer.features.map { $0.values[areaIDIndex] }
        var geometries: [Geometry?]
        var kept = areaLayer.keptAttributes(idField: areaIDIndex, replacedBy: outputNames)
        if reaggregating {
            let plan = try ReaggregationPlan(
                areas: areaLayer, areaID: areaID, target: target, targetID: targetID, targetGrid: targetGrid, weights: weights,
                weightField: weightField, replacing: outputNames, session: session)
            columns = try columns.map { column in
                let base = values.first { column.name == $0 || column.name.hasPrefix($0 + "_") } ?? column.name
                let numbers = try column.values.enumerated().map { i, value -> Double? in
                    if case .string(let text) = value {
                        throw AtlasError(file: stats, field: base, "'\(text)' (area \(sourceIDs[i])) is not a number and cannot be re-aggregated")
                    }
                    return value.number
                }
                let result = plan.apportionment.apply(values: numbers, intensive: intensive.contains(base))
                return (column.name, result.map { $0.map(Value.double) ?? .null })
            }
            (idField, ids, geometries) = (plan.idField, plan.ids, plan.geometries)
            kept = (plan.keptFields, plan.keptValues)
        } else {
            geometries = try areaLayer.reprojected(to: .wgs84, context: session.proj).features.map(\.geometry)
        }

        let schema = columns.map { column in
            let numeric = column.values.allSatisfy { if case .string = $0 { false } else { true } }
            return PropertySpec(column.name, numeric ? .real : .string, "column '\(column.name)' of \(URL(fileURLWithPath: stats).lastPathComponent)")
        }
        let fields = [idField] + schema.map(\.field) + kept.fields
        let features = ids.indices.map { k in
            Feature(geometry: geometries[k], values: [ids[k]] + columns.map { $0.values[k] } + (kept.values.isEmpty ? [] : kept.values[k]))
        }
        let provenance = try Provenance(self, session: session, warnings: Array(session.diagnostics.warnings.dropFirst(firstWarning)))
        let layer = Layer(source: "", format: "GeoJSON", crs: .wgs84, fields: fields, features: features)
        var areas = IndicatorLayer(role: "areas", layer: layer, schema: schema, primary: values[0], idField: idField.name, provenance: provenance)
        if let classes { areas = areas.classified(field: values[0], classes: classes, scheme: scheme) }
        return JoinResult(areas: areas)
    }
}

public struct JoinResult: IndicatorResult {
    public var areas: IndicatorLayer
    public var layers: [IndicatorLayer] { [areas] }
    public var summary: [String] { ["\(areas.layer.features.count) areas"] }
}
