import Foundation

/// Whether a published share is in percent (12.24) or as a fraction (0.1224).
public enum ShareUnit: String, Sendable, CaseIterable {
    case percent, fraction

    var divisor: Double { self == .percent ? 100 : 1 }
}

/// Which columns of a table hold the indicator.
public enum LowIncomeMeasure: Sendable, Hashable {
    /// Children in low-income households (`count`) of all children (`total`).
    case counts(count: String, total: String)
    /// A published share, with an optional total that weights it when re-aggregating
    /// (count = share × total).
    case share(String, unit: ShareUnit, total: String?)

    var columns: [String] {
        switch self {
        case .counts(let count, let total): [count, total]
        case .share(let share, _, let total): [share] + (total.map { [$0] } ?? [])
        }
    }

    /// What is wrong with a published share outside its unit's range (0–1 or 0–100), given the
    /// cells in the order of `columns` and the share's text as written; nil for other measures.
    func shareProblem(_ cells: [StatisticsCell], text: String) -> String? {
        guard case .share(_, let unit, _) = self, let share = cells[0].number else { return nil }
        switch unit {
        case .fraction where !(0...1).contains(share):
            return "the share '\(text)' is outside 0–1, the range of a fraction"
                + (share > 1 && share <= 100 ? ": if the column is in percent, pass --share-unit percent" : "")
        case .percent where !(0...100).contains(share):
            return "the share '\(text)' is outside 0–100, the range of a percentage"
        default:
            return nil
        }
    }

    /// The figures of one row from its cells, in the order of `columns`.
    func figures(_ cells: [StatisticsCell]) -> AreaFigures {
        let withheld = cells.contains(.withheld)
        switch self {
        case .counts:
            let count = cells[0].number, total = cells[1].number
            var share: Double?
            if let count, let total, total > 0 { share = count / total }
            return AreaFigures(count: count, total: total, share: share, suppressed: withheld)
        case .share(_, let unit, let totalColumn):
            let share = cells[0].number.map { $0 / unit.divisor }
            let total = totalColumn == nil ? nil : cells[1].number
            let count = share.flatMap { s in total.map { s * $0 } }
            return AreaFigures(count: count, total: total, share: share, suppressed: withheld)
        }
    }
}

/// Which areas found no row in the table, and which rows found no area.
public struct JoinReport: Sendable, Hashable {
    public var areasWithoutRow: [String]
    public var rowsWithoutArea: [String]
    /// How many rows of the table found an area, of how many.
    public var matchedRows = 0
    public var tableRows = 0

    public var isComplete: Bool { areasWithoutRow.isEmpty && rowsWithoutArea.isEmpty }

    /// Fewer than half of the table's rows found an area: most likely the wrong column or another
    /// geography, or a national table for a few areas.
    public var isPoorMatch: Bool { matchedRows * 2 < tableRows }

    /// One line for stderr: the counts and the first 10 ids of each kind.
    public var summary: String {
        func list(_ ids: [String]) -> String {
            ids.prefix(10).joined(separator: ", ") + (ids.count > 10 ? ", …" : "")
        }
        var parts: [String] = []
        if isPoorMatch {
            parts.append(
                "only \(matchedRows) of the table's \(tableRows) rows match an area: table codes such as "
                    + JoinReport.examples(rowsWithoutArea) + " found no area"
                    + (areasWithoutRow.isEmpty ? "" : ", areas such as \(JoinReport.examples(areasWithoutRow)) no row"))
        }
        if !areasWithoutRow.isEmpty { parts.append("\(areasWithoutRow.count) areas without a row in the table (\(list(areasWithoutRow)))") }
        if !rowsWithoutArea.isEmpty { parts.append("\(rowsWithoutArea.count) table rows without an area (\(list(rowsWithoutArea)))") }
        return parts.isEmpty ? "every area has a row and every row an area" : parts.joined(separator: "; ")
    }

    /// "'Avesta', 'Borlänge', 'Falun'": the first three values, quoted.
    static func examples(_ values: some Sequence<String>) -> String {
        values.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
    }
}

/// Indicator 1: children in low-income households per area. The steps — join a published table
/// to areas, re-aggregate, withhold small areas, classify — are separate so that a project file
/// or another program can combine them; `LowIncomeRequest.run()` does them all as the CLI does.
public enum LowIncome {
    /// The properties of a low-income layer, after the area id.
    public static let schema: [PropertySpec] = [
        PropertySpec("count", .real, "children in low-income households; null when withheld or not published"),
        PropertySpec("total", .real, "all children the share is of; null when withheld or not published"),
        PropertySpec("share", .real, "count / total, 0–1; null when withheld or not published"),
        PropertySpec("suppressed", .boolean, "true when the figures are withheld: '..' in the table, or a total below min-total"),
        PropertySpec("status", .string, "ok, suppressed (withheld) or missing (no row, an empty cell, or too little coverage)"),
    ]
    public static let coverageProperty = PropertySpec(
        "coverage", .real, "re-aggregated: the part of the area's weight (population, else area) from sources with usable figures, 0–1")
    public static let classProperty = PropertySpec("class", .integer, "map class of share, 1 (lowest) to the number of classes")

    /// Figures per area from a table keyed by region code; codes are matched as `RegionKey` says.
    /// Several rows for one region are an error that names the column(s) to filter with `--where`.
    public static func join(
        areaIDs: [String], table: StatisticsTable, idColumn: String, measure: LowIncomeMeasure
    ) throws -> (figures: [AreaFigures], report: JoinReport) {
        let valueIndices = try measure.columns.map { try table.columnIndex($0) }
        let (rowOf, report) = try matchRows(areaIDs: areaIDs, table: table, idColumn: idColumn, valueColumns: valueIndices)
        let figures = try rowOf.map { r -> AreaFigures in
            guard let r else { return .unknown }
            let cells = try valueIndices.map { try table.number(row: r, column: $0) }
            if let problem = measure.shareProblem(cells, text: table.rows[r][valueIndices[0]]) {
                throw AtlasError(file: table.source, record: table.records[r], field: table.columns[valueIndices[0]], problem)
            }
            return measure.figures(cells)
        }
        return (figures, report)
    }

    /// The table row of each area (nil: none), codes matched as `RegionKey` says, with the join
    /// report. Several rows for one region are an error that names the column(s) to filter by;
    /// no row matching any area is an error showing values from both sides.
    public static func matchRows(
        areaIDs: [String], table: StatisticsTable, idColumn: String, valueColumns: [Int]
    ) throws -> (rows: [Int?], report: JoinReport) {
        let key = RegionKey(areaIDs: areaIDs)
        let idIndex = try table.columnIndex(idColumn)
        var rowOfKey: [String: Int] = [:]
        for (r, row) in table.rows.enumerated() {
            let code = key.normalise(idIndex < row.count ? row[idIndex] : "")
            if let first = rowOfKey[code] {
                throw duplicateError(table, first, r, code: code, skipping: [idIndex] + valueColumns)
            }
            rowOfKey[code] = r
        }
        var used = [Bool](repeating: false, count: table.rows.count)
        var report = JoinReport(areasWithoutRow: [], rowsWithoutArea: [])
        var rows: [Int?] = []
        for id in areaIDs {
            let r = rowOfKey[key.normalise(id)]
            if let r { used[r] = true } else { report.areasWithoutRow.append(id) }
            rows.append(r)
        }
        for r in table.rows.indices where !used[r] { report.rowsWithoutArea.append(table.rows[r][idIndex]) }
        report.tableRows = table.rows.count
        report.matchedRows = used.filter { $0 }.count
        if report.matchedRows == 0, !areaIDs.isEmpty, !table.rows.isEmpty {
            throw noMatchError(areaIDs: areaIDs, table: table, idIndex: idIndex, key: key)
        }
        return (rows, report)
    }

    /// No row found an area: names where codes were expected, the wrong column, or another
    /// geography. Shows three values from each side, and says so when the table's regions lie
    /// within the areas (DeSO codes begin with their municipality's code).
    static func noMatchError(areaIDs: [String], table: StatisticsTable, idIndex: Int, key: RegionKey) -> AtlasError {
        var seen = Set<String>()
        let codes = table.rows.map { idIndex < $0.count ? $0[idIndex] : "" }.filter { seen.insert($0).inserted }
        let areaKeys = Set(areaIDs.map(key.normalise))
        let finer = codes.prefix(20).allSatisfy { code in
            let k = key.normalise(code)
            return areaKeys.contains { !$0.isEmpty && k.count > $0.count && k.hasPrefix($0) }
        }
        let hint = finer
            ? "the table's regions lie within the areas: aggregate the table to them through a key table"
            : "is --stats-id the column of region codes (not names), and are the table and the areas the same geography?"
        return AtlasError(
            file: table.source, field: table.columns[idIndex],
            "no region in the table matches an area: the table has \(JoinReport.examples(codes)), the areas \(JoinReport.examples(areaIDs)); \(hint)")
    }

    /// Figures from the area layer's own attributes (e.g. DeSO polygons carrying population).
    public static func figures(fromLayer layer: Layer, measure: LowIncomeMeasure) throws -> [AreaFigures] {
        let indices = try measure.columns.map { try layer.fieldIndex($0) }
        return try layer.features.enumerated().map { n, feature in
            let cells = try indices.map { i -> StatisticsCell in
                guard let cell = StatisticsCell(feature.values[i]) else {
                    throw AtlasError(file: layer.source, record: n + 1, field: layer.fields[i].name, "'\(feature.values[i].text ?? "")' is not a number")
                }
                return cell
            }
            if let problem = measure.shareProblem(cells, text: feature.values[indices[0]].text ?? "") {
                throw AtlasError(file: layer.source, record: n + 1, field: layer.fields[indices[0]].name, problem)
            }
            return measure.figures(cells)
        }
    }

    /// Class (1…K) of each area's share, nil when the share is unknown, with the breaks.
    public static func classify(
        _ figures: [AreaFigures], classes: Int, scheme: ClassificationScheme
    ) -> (classes: [Int?], breaks: [Double]) {
        let breaks = Classification.breaks(values: figures.compactMap(\.share), classes: classes, scheme: scheme)
        return (figures.map { f in f.share.map { Classification.classIndex(of: $0, breaks: breaks) } }, breaks)
    }

    static func duplicateError(_ table: StatisticsTable, _ first: Int, _ second: Int, code: String, skipping: [Int]) -> AtlasError {
        let a = table.rows[first], b = table.rows[second]
        let differing = table.columns.indices.filter { c in
            !skipping.contains(c) && (c < a.count ? a[c] : "") != (c < b.count ? b[c] : "")
        }
        let hint = differing.map { c in "\(table.columns[c]) ('\(a[c])' or '\(b[c])')" }.joined(separator: ", ")
        return AtlasError(
            file: table.source, record: table.records[second],
            "region \(code) has more than one row" + (hint.isEmpty ? "" : "; they differ in \(hint): choose one with --where COLUMN=VALUE"))
    }
}

/// The result of `LowIncomeRequest.run()`: one feature per output area, figures already
/// through disclosure control, geometries in WGS 84.
public struct LowIncomeLayer: Sendable {
    public var idField: Field
    public var ids: [Value]
    public var geometries: [Geometry?]
    public var figures: [AreaFigures]
    public var classes: [Int?]?
    public var breaks: [Double]?
    public var scheme: ClassificationScheme?
    public var joinReport = JoinReport(areasWithoutRow: [], rowsWithoutArea: [])
    /// Other fields of the area layer (names, codes), written after the figures.
    public var keptFields: [Field] = []
    public var keptValues: [[Value]] = []

    public static let outputFieldNames = ["count", "total", "share", "suppressed", "status", "coverage", "class"]
    /// Whether the figures were re-aggregated (and so carry a coverage).
    public var reaggregated = false
    /// With a series: the figures of every period, oldest first (the last are `figures`).
    public var series: [(period: String, figures: [AreaFigures])] = []
    /// Reference rows of the table (the nation, the county), written as `"atlas:references"`.
    public var references: [LowIncomeReference] = []

    /// `count_P`, `total_P`, `share_P` per period P, then `change`.
    public var seriesSchema: [PropertySpec] {
        guard !series.isEmpty else { return [] }
        return series.flatMap { s in
            [
                PropertySpec("count_\(s.period)", .real, "count in \(s.period)"),
                PropertySpec("total_\(s.period)", .real, "total in \(s.period)"),
                PropertySpec("share_\(s.period)", .real, "share in \(s.period), 0–1"),
            ]
        } + [PropertySpec("change", .real, "share in the latest period minus share in the earliest with a figure, 0–1 points")]
    }

    /// Latest minus earliest known share of area `k`; nil with fewer than two known.
    func change(_ k: Int) -> Double? {
        let known = series.compactMap { $0.figures[k].share }
        guard known.count >= 2, let first = known.first, let last = series.last?.figures[k].share else { return nil }
        return last - first
    }

    public init(idField: Field, ids: [Value], geometries: [Geometry?], figures: [AreaFigures]) {
        self.idField = idField
        self.ids = ids
        self.geometries = geometries
        self.figures = figures
    }

    public var fields: [Field] {
        var fields = [idField] + LowIncome.schema.map(\.field)
        if reaggregated { fields.append(LowIncome.coverageProperty.field) }
        if classes != nil { fields.append(LowIncome.classProperty.field) }
        return fields + seriesSchema.map(\.field) + keptFields
    }

    /// The legend as the FeatureCollection's foreign member `atlas:classes`:
    /// `{"field": "share", "scheme": "jenks", "breaks": [upper bound of each class…], "minimum": …}`.
    public var legend: JSONValue? {
        guard let breaks, let scheme else { return nil }
        let minimum = figures.compactMap(\.share).min()
        return .object([
            ("field", .string("share")), ("scheme", .string(scheme.rawValue)),
            ("breaks", .array(breaks.map { .double($0) })),
            ("minimum", minimum.map { .double($0) } ?? .null),
        ])
    }

    public var features: [Feature] {
        // Each feature's values in an array of its exact size: appending to the first six would
        // double the capacity, and a national grid has millions of features.
        let fieldCount = fields.count
        return ids.indices.map { k in
            let f = figures[k]
            func number(_ d: Double?) -> Value { d.map { .double($0) } ?? .null }
            var values: [Value] = []
            values.reserveCapacity(fieldCount)
            values += [ids[k], number(f.count), number(f.total), number(f.share), .bool(f.suppressed), .string(f.status.rawValue)]
            if reaggregated { values.append(number(f.coverage)) }
            if let classes { values.append(classes[k].map { .int($0) } ?? .null) }
            if !series.isEmpty {
                for s in series { values += [number(s.figures[k].count), number(s.figures[k].total), number(s.figures[k].share)] }
                values.append(number(change(k)))
            }
            if !keptFields.isEmpty { values += keptValues[k] }
            return Feature(geometry: geometries[k], values: values)
        }
    }
}

/// A reference row of a table (the nation, the county): its figures per period, written in the
/// layer as `"atlas:references": [{"id": "0000", "name": "Riket", "values": {"2007": 0.1, …}}]`
/// with shares 0–1 (null where not published), periods as in the series column ("" without one).
public struct LowIncomeReference: Sendable {
    public var id: String
    public var name: String?
    public var values: [(period: String, share: Double?)]

    /// The table without the reference rows, and those rows as one-code tables.
    static func split(
        _ table: StatisticsTable, idColumn: String, codes: [String], measure: LowIncomeMeasure
    ) throws -> (table: StatisticsTable, references: [ReferenceRows]) {
        guard !codes.isEmpty else { return (table, []) }
        let idIndex = try table.columnIndex(idColumn)
        var rest = StatisticsTable(source: table.source, columns: table.columns, rows: [], records: [], skippedLines: table.skippedLines)
        var picked = codes.map { _ in StatisticsTable(source: table.source, columns: table.columns, rows: [], records: [], skippedLines: []) }
        for (row, record) in zip(table.rows, table.records) {
            let code = idIndex < row.count ? row[idIndex].trimmingCharacters(in: .whitespaces) : ""
            if let k = codes.firstIndex(of: code) {
                picked[k].rows.append(row)
                picked[k].records.append(record)
            } else {
                rest.rows.append(row)
                rest.records.append(record)
            }
        }
        for (k, code) in codes.enumerated() where picked[k].rows.isEmpty {
            throw AtlasError(file: table.source, field: idColumn, "no row has the reference code '\(code)'")
        }
        return (rest, zip(codes, picked).map { ReferenceRows(id: $0, rows: $1) })
    }

    struct ReferenceRows {
        var id: String
        var rows: StatisticsTable

        /// The reference's share per period (one value without a series).
        func series(_ column: String?, measure: LowIncomeMeasure) throws -> LowIncomeReference {
            let indices = try measure.columns.map { try rows.columnIndex($0) }
            let periodIndex = try column.map { try rows.columnIndex($0) }
            let nameIndex = rows.columns.firstIndex { ["municipality", "region", "namn", "name", "regionnamn"].contains($0.lowercased()) }
            var values: [(period: String, share: Double?)] = []
            for r in rows.rows.indices {
                let cells = try indices.map { try rows.number(row: r, column: $0) }
                let period = periodIndex.map { rows.rows[r][$0].trimmingCharacters(in: .whitespaces) } ?? ""
                values.append((period, measure.figures(cells).share))
            }
            values.sort { StatisticsTable.periodOrder($0.period, $1.period) }
            return LowIncomeReference(id: id, name: nameIndex.map { rows.rows[0][$0] }, values: values)
        }
    }

    var json: JSONValue {
        .object([
            ("id", .string(id)), ("name", name.map(JSONValue.string) ?? .null),
            ("values", .object(values.map { ($0.period, $0.share.map(JSONValue.double) ?? .null) })),
        ])
    }
}

extension StatisticsTable {
    /// The distinct values of a period column, in time order (numbers numerically).
    public func periods(_ column: String) throws -> [String] {
        let index = try columnIndex(column)
        let values = Set(rows.map { index < $0.count ? $0[index].trimmingCharacters(in: .whitespaces) : "" })
        return values.filter { !$0.isEmpty }.sorted(by: Self.periodOrder)
    }

    static func periodOrder(_ a: String, _ b: String) -> Bool {
        if let x = Double(a), let y = Double(b) { return x < y }
        return a < b
    }
}
