import Foundation

/// A key from one kind of region code to another, such as SCB's koppling from DeSO to RegSO
/// (`DeSO_2018` → `RegSOkod_2020`) or from DeSO to municipality: a table with a column of codes
/// and a column of the codes they belong to. A statistics table is aggregated through it with
/// `StatisticsTable.aggregated(through:idColumn:measure:)` before it is joined to areas.
public struct KeyTable: Sendable {
    /// The file (or name) the key came from, for messages.
    public var source: String
    /// How codes are compared: as `RegionKey` normalises them against the key's own codes, so
    /// that `2021A0010_DeSO2025` finds `2021A0010` and `114` finds `0114`.
    public let key: RegionKey
    private var targets: [String: String]

    /// A key from pairs of codes; a code given two different targets is an error naming both.
    /// `records` numbers the pairs for messages (1, 2, … when nil).
    public init(source: String, pairs: [(from: String, to: String)], records: [Int]? = nil) throws {
        let records = records ?? pairs.indices.map { $0 + 1 }
        self.source = source
        key = RegionKey(areaIDs: pairs.map(\.from))
        targets = [:]
        var recordOf: [String: Int] = [:]
        for ((from, to), record) in zip(pairs, records) {
            let code = key.normalise(from)
            let target = to.trimmingCharacters(in: .whitespaces)
            guard !code.isEmpty else { throw AtlasError(file: source, record: record, "no code to map from") }
            guard !target.isEmpty else { throw AtlasError(file: source, record: record, "no code to map \(from) to") }
            if let earlier = targets[code], earlier != target {
                throw AtlasError(
                    file: source, record: record,
                    "\(code) belongs to \(target) here and to \(earlier) in record \(recordOf[code]!): a key gives each code one target")
            }
            targets[code] = target
            recordOf[code] = recordOf[code] ?? record
        }
        guard !targets.isEmpty else { throw AtlasError(file: source, "the key has no rows") }
    }

    /// Reads a key from two columns of a CSV file (read as `StatisticsTable.read` reads tables).
    public static func read(path: String, from: String, to: String) throws -> KeyTable {
        let table = try StatisticsTable.read(path: path)
        let f = try table.columnIndex(from), t = try table.columnIndex(to)
        return try KeyTable(
            source: path,
            pairs: table.rows.map { row in (f < row.count ? row[f] : "", t < row.count ? row[t] : "") },
            records: table.records)
    }

    /// The code `code` belongs to, nil when the key does not have it.
    public func target(of code: String) -> String? { targets[key.normalise(code)] }

    public var count: Int { targets.count }

    /// The first three codes of the key, for messages.
    var examples: [String] { Array(targets.keys.sorted().prefix(3)) }
}

/// How a column is aggregated through a key.
public enum KeyedColumn: Sendable, Hashable {
    /// A count (people, children in low-income households): summed.
    case sum(String)
    /// A published share weighted by a count column (its total): recomputed as
    /// Σ(share × weight) / Σ weight, in the share's unit; never averaged.
    case share(String, unit: ShareUnit, weight: String)

    var column: String {
        switch self {
        case .sum(let c), .share(let c, _, _): c
        }
    }
}

extension StatisticsTable {
    /// The table with its region codes mapped through `key` and one row per target code, for the
    /// columns `measure` reads: counts are summed and a share is recomputed from its total (a
    /// share without a total cannot be aggregated). See `aggregated(through:idColumn:columns:)`.
    public func aggregated(
        through key: KeyTable, idColumn: String, measure: LowIncomeMeasure
    ) throws -> (table: StatisticsTable, unmapped: [String]) {
        switch measure {
        case .counts(let count, let total):
            return try aggregated(through: key, idColumn: idColumn, columns: [.sum(count), .sum(total)])
        case .share(let share, let unit, let total?):
            return try aggregated(through: key, idColumn: idColumn, columns: [.share(share, unit: unit, weight: total), .sum(total)])
        case .share:
            throw AtlasError(
                file: source, "a share without its --total cannot be aggregated through a key: shares are recomputed from counts, never averaged")
        }
    }

    /// The table with its region codes mapped through `key` and one row per target code, holding
    /// the id column and `columns` (in that order, each once). A target's cell is `..` when any
    /// of its rows is withheld, empty when any is missing, else the sum (or recomputed share).
    /// Rows whose code the key lacks are left out and returned as `unmapped`; when no row maps,
    /// or a code has several rows (a long table not yet filtered), it is an error.
    public func aggregated(
        through key: KeyTable, idColumn: String, columns: [KeyedColumn]
    ) throws -> (table: StatisticsTable, unmapped: [String]) {
        let idIndex = try columnIndex(idColumn)
        var unique: [KeyedColumn] = []
        for column in columns where !unique.contains(where: { $0.column == column.column }) { unique.append(column) }
        let indices = try unique.map { try columnIndex($0.column) }
        let weightIndices = try unique.map { column -> Int? in
            if case .share(_, _, let weight) = column { return try columnIndex(weight) }
            return nil
        }

        struct Sum {
            var value = 0.0, weight = 0.0
            var withheld = false, missing = false

            mutating func add(_ cell: StatisticsCell, weight w: StatisticsCell? = nil) {
                switch (cell, w ?? .number(1)) {
                case (.withheld, _), (_, .withheld): withheld = true
                case (.missing, _), (_, .missing): missing = true
                case (.number(let v), .number(let w)):
                    value += v * w
                    weight += w
                }
            }
        }
        var targets: [String] = []
        var sums: [String: [Sum]] = [:]
        var firstRecord: [String: Int] = [:]
        var rowOfCode: [String: Int] = [:]
        var unmapped: [String] = []
        for (r, row) in rows.enumerated() {
            let code = idIndex < row.count ? row[idIndex] : ""
            guard let target = key.target(of: code) else {
                unmapped.append(code)
                continue
            }
            let normalised = key.key.normalise(code)
            if let first = rowOfCode[normalised] {
                throw LowIncome.duplicateError(self, first, r, code: normalised, skipping: [idIndex] + indices)
            }
            rowOfCode[normalised] = r
            if sums[target] == nil {
                targets.append(target)
                sums[target] = Array(repeating: Sum(), count: unique.count)
                firstRecord[target] = records[r]
            }
            for (k, column) in unique.enumerated() {
                let cell = try number(row: r, column: indices[k])
                if case .share(_, let unit, _) = column {
                    let share = cell.number.map { StatisticsCell.number($0 / unit.divisor) } ?? cell
                    sums[target]![k].add(share, weight: try number(row: r, column: weightIndices[k]!))
                } else {
                    sums[target]![k].add(cell)
                }
            }
        }
        if targets.isEmpty, !rows.isEmpty {
            throw AtlasError(
                file: source, field: self.columns[idIndex],
                "no region in the table is in the key \(key.source): the table has \(JoinReport.examples(unmapped)), the key \(JoinReport.examples(key.examples))")
        }

        var table = StatisticsTable(
            source: source, columns: [self.columns[idIndex]] + indices.map { self.columns[$0] },
            rows: [], records: [], skippedLines: skippedLines)
        for target in targets {
            let cells = zip(unique, sums[target]!).map { column, sum -> String in
                if sum.withheld { return ".." }
                if sum.missing { return "" }
                guard case .share(_, let unit, _) = column else { return Self.text(sum.value) }
                return sum.weight > 0 ? Self.text(sum.value / sum.weight * unit.divisor) : ""
            }
            table.rows.append([target] + cells)
            table.records.append(firstRecord[target]!)
        }
        return (table, unmapped)
    }

    /// Whole numbers without a decimal point, so that a sum reads as the counts it adds up.
    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension StatisticsTable {
    /// The table aggregated through the key table at `path` by `aggregate`, with a warning for
    /// the codes the key does not have.
    func keyed(
        _ path: String, from: String, to: String, idColumn: String, diagnostics: Diagnostics,
        _ aggregate: (StatisticsTable, KeyTable) throws -> (table: StatisticsTable, unmapped: [String])
    ) throws -> StatisticsTable {
        let (table, unmapped) = try aggregate(self, try KeyTable.read(path: path, from: from, to: to))
        if !unmapped.isEmpty {
            diagnostics.warning(
                "\(path): \(unmapped.count) codes of the table are not in the key and are left out (\(unmapped.prefix(5).joined(separator: ", ")))")
        }
        return table
    }
}
