import Foundation

/// A run of indicator 1, children in low-income households per area (`atlas lowincome`).
public struct LowIncomeRequest: IndicatorRequest {
    public static let indicator = "lowincome"

    public var areas: LayerSource
    public var areaID: String
    /// The statistics table; nil when the measure columns are attributes of the areas.
    public var stats: String?
    /// The region code column of the table.
    public var statsID: String?
    public var filters: [StatisticsFilter] = []
    /// A long table's period column: one set of figures per period, the latest as `share`.
    public var series: String?
    /// Table rows that are references (the nation, the county), not areas.
    public var reference: [String] = []
    /// A key table mapping the table's codes (`keyFrom`) to the areas' (`keyTo`) before the join.
    public var key: String?
    public var keyFrom: String?
    public var keyTo: String?
    public var count: String?
    public var total: String?
    public var share: String?
    public var shareUnit: ShareUnit = .percent
    /// Re-aggregate to these areas …
    public var target: LayerSource?
    public var targetID: String?
    /// … or to the cells (metres) of an SCB-aligned grid over the areas, ids as `rutid`.
    public var targetGrid: Double?
    public var weights: LayerSource?
    public var weightField: String?
    public var minTotal: Double = DisclosureControl.defaultMinimumTotal
    /// Re-aggregation: below this coverage by usable sources a target is missing.
    public var minCoverage = 0.5
    public var missing = MissingRule.available
    public var classes: Int?
    public var scheme: ClassificationScheme = .quantile
    /// A join with unmatched areas or rows is an error rather than a warning.
    public var strict = false
    public var out: String?
    public var precision = 6
    public var simplify: Double?
    public var digits: Int?
    public var dropEmpty = false

    public init(areas: LayerSource, areaID: String) {
        self.areas = areas
        self.areaID = areaID
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case areas, areaID = "area-id", stats, statsID = "stats-id", filters = "where", series, reference
        case key, keyFrom = "key-from"
        case keyTo = "key-to", count, total, share
        case shareUnit = "share-unit", target, targetID = "target-id", targetGrid = "target-grid", weights
        case weightField = "weight-field", minTotal = "min-total", minCoverage = "min-coverage", missing, classes, scheme
        case strict, out, precision, simplify, digits, dropEmpty = "drop-empty"
    }

    public static let optionNames = CodingKeys.allCases.map(\.rawValue)
    public static let outputNames: Set<String> = ["out"]
    public static let inputNames: Set<String> = ["areas", "stats", "key", "target", "weights"]
    public static let fileInputNames: Set<String> = ["stats", "key"]

    public func placingOutputs(_ place: (String) throws -> String) rethrows -> Self {
        var copy = self
        copy.out = try out.map(place)
        return copy
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(areas: try c.decode(LayerSource.self, forKey: .areas), areaID: try c.decode(String.self, forKey: .areaID))
        try c.read(&stats, .stats)
        try c.read(&statsID, .statsID)
        try c.readFilters(&filters, .filters)
        try c.read(&series, .series)
        try c.readList(&reference, .reference, commas: true)
        try c.read(&key, .key)
        try c.read(&keyFrom, .keyFrom)
        try c.read(&keyTo, .keyTo)
        try c.read(&count, .count)
        try c.read(&total, .total)
        try c.read(&share, .share)
        try c.read(&shareUnit, .shareUnit)
        try c.read(&target, .target)
        try c.read(&targetID, .targetID)
        try c.read(&targetGrid, .targetGrid)
        try c.read(&weights, .weights)
        try c.read(&weightField, .weightField)
        try c.read(&minTotal, .minTotal)
        try c.read(&minCoverage, .minCoverage)
        try c.read(&missing, .missing)
        try c.read(&classes, .classes)
        try c.read(&scheme, .scheme)
        try c.read(&strict, .strict)
        try c.read(&out, .out)
        try c.read(&precision, .precision)
        try c.read(&simplify, .simplify)
        try c.read(&digits, .digits)
        try c.read(&dropEmpty, .dropEmpty)
    }

    public var outputs: [(role: String, path: String)] { out.map { [("areas", $0)] } ?? [] }

    public var inputPaths: [(option: String, path: String)] {
        [("areas", areas.path)] + [("stats", stats), ("key", key), ("target", target?.path), ("weights", weights?.path)]
            .compactMap { option, path in path.map { (option, $0) } }
    }

    /// Which columns hold the indicator, from `count`/`total`/`share`.
    public func measure() throws -> LowIncomeMeasure {
        switch (count, share) {
        case (let count?, nil):
            guard let total else { throw OptionError("count", "needs total, the column of all children") }
            return .counts(count: count, total: total)
        case (nil, let share?):
            return .share(share, unit: shareUnit, total: total)
        default:
            throw OptionError("count", "give either count (with total) or share")
        }
    }

    public func validate(in session: Session) throws {
        let measure = try measure()
        if stats != nil && statsID == nil { throw OptionError("stats", "needs stats-id, the table's region code column") }
        if stats == nil && !filters.isEmpty { throw OptionError("where", "filters the rows of stats, which is not given") }
        if key != nil && (keyFrom == nil || keyTo == nil) { throw OptionError("key", "needs key-from and key-to, its two code columns") }
        if (series != nil || !reference.isEmpty) && stats == nil {
            throw OptionError(series != nil ? "series" : "reference", "reads the rows of stats, which is not given")
        }
        if key != nil && stats == nil { throw OptionError("key", "maps the codes of stats, which is not given") }
        if target != nil && targetID == nil { throw OptionError("target", "needs target-id, the id field of the target areas") }
        if target != nil && targetGrid != nil { throw OptionError("target-grid", "give target or target-grid, not both") }
        if weights != nil && weightField == nil { throw OptionError("weights", "needs weight-field, the population field") }
        if weights != nil && target == nil && targetGrid == nil {
            throw OptionError("weights", "weights are for re-aggregating with target or target-grid")
        }
        if let classes, classes < 1 { throw OptionError("classes", "must be at least 1, got \(classes)") }
        guard minTotal >= 0, minTotal.isFinite else { throw OptionError("min-total", "must be a number ≥ 0, got \(minTotal)") }
        guard (0...1).contains(minCoverage) else { throw OptionError("min-coverage", "must be between 0 and 1, got \(minCoverage)") }
        try OutputPath.check(precision: precision)
        try validatePortalOptions()
        if let out { try OutputPath.checkLayer(out, option: "out") }
        if target != nil || targetGrid != nil, case .share(_, _, nil) = measure {
            throw OptionError("share", "re-aggregating a published share needs its total: shares are recomputed from counts, never averaged")
        }

        let areaLayer = try session.layer(areas)
        _ = try areaLayer.fieldIndex(areaID)
        if let stats {
            let table = try StatisticsTable.read(path: stats)
            for column in [statsID!] + measure.columns + (series.map { [$0] } ?? []) { _ = try table.columnIndex(column) }
            _ = try table.filtered(filters)
            if let key, let keyFrom, let keyTo { _ = try KeyTable.read(path: key, from: keyFrom, to: keyTo) }
        } else {
            for column in measure.columns { _ = try areaLayer.fieldIndex(column) }
        }
        if let target { _ = try session.layer(target).fieldIndex(targetID!) }
        if let weights { _ = try session.layer(weights).fieldIndex(weightField!) }
        if let size = targetGrid {
            let extent = try areaLayer.toMetric(context: session.proj).bounds
            _ = try RegularGrid(checking: extent, cellSize: size, source: areas.path)
        }
    }

    public func run(in session: Session) throws -> LowIncomeResult {
        let firstWarning = session.diagnostics.warnings.count
        let measure = try measure()
        let areaLayer = try session.layer(areas)
        let areaIDIndex = try areaLayer.fieldIndex(areaID)
        let sourceIDs = areaLayer.features.map { $0.values[areaIDIndex].text ?? "" }

        // Source figures per period; a single unnamed period without a series.
        var periods: [String?] = [nil]
        var periodFigures: [[AreaFigures]]
        var references: [LowIncomeReference] = []
        var report = JoinReport(areasWithoutRow: [], rowsWithoutArea: [])
        if let stats, let statsID {
            let read = try StatisticsTable.read(path: stats)
            read.warnings.forEach(session.diagnostics.warning)
            var table = try read.filtered(filters)
            if let key, let keyFrom, let keyTo {
                table = try table.keyed(key, from: keyFrom, to: keyTo, idColumn: statsID, diagnostics: session.diagnostics) {
                    try $0.aggregated(through: $1, idColumn: statsID, measure: measure)
                }
            }
            let split = try LowIncomeReference.split(table, idColumn: statsID, codes: reference, measure: measure)
            table = split.table
            if let series {
                periods = try table.periods(series)
                periodFigures = []
                for period in periods {
                    let rows = try table.filtered([StatisticsFilter(column: series, value: period!)])
                    let joined = try LowIncome.join(areaIDs: sourceIDs, table: rows, idColumn: statsID, measure: measure)
                    periodFigures.append(joined.figures)
                    report = joined.report
                }
                references = try split.references.map { try $0.series(series, measure: measure) }
            } else {
                let joined = try LowIncome.join(areaIDs: sourceIDs, table: table, idColumn: statsID, measure: measure)
                periodFigures = [joined.figures]
                report = joined.report
                references = try split.references.map { try $0.series(nil, measure: measure) }
            }
            if !report.isComplete {
                if strict { throw AtlasError(file: stats, "the table and the areas do not match: \(report.summary)") }
                session.diagnostics.warning("\(stats): \(report.summary)")
            }
        } else {
            periodFigures = [try LowIncome.figures(fromLayer: areaLayer, measure: measure)]
        }
        let sourceFigures = periodFigures[periodFigures.count - 1]

        var output: LowIncomeLayer
        var apportionment: Apportionment?
        if target != nil || targetGrid != nil {
            (output, apportionment) = try reaggregated(areaLayer, sourceFigures, session)
            output.reaggregated = true
        } else {
            output = LowIncomeLayer(
                idField: areaLayer.fields[areaIDIndex], ids: areaLayer.features.map { $0.values[areaIDIndex] },
                geometries: try areaLayer.reprojected(to: .wgs84, context: session.proj).features.map(\.geometry),
                figures: sourceFigures)
            (output.keptFields, output.keptValues) = areaLayer.keptAttributes(
                idField: areaIDIndex, replacedBy: LowIncomeLayer.outputFieldNames)
        }
        output.joinReport = report
        let disclosure = DisclosureControl(minimumTotal: minTotal)
        output.figures = output.figures.map(disclosure.apply)
        if series != nil {
            output.series = zip(periods, periodFigures).map { period, figures in
                let target = apportionment.map { $0.apply(figures, missing: missing, minimumCoverage: minCoverage) } ?? figures
                return (period!, target.map(disclosure.apply))
            }
            output.references = references
        }
        if let classes {
            let (indices, breaks) = LowIncome.classify(output.figures, classes: classes, scheme: scheme)
            output.classes = indices
            output.breaks = breaks
            output.scheme = scheme
        }
        let provenance = try Provenance(self, session: session, warnings: Array(session.diagnostics.warnings.dropFirst(firstWarning)))
        return LowIncomeResult(figures: output, provenance: provenance)
    }

    private func reaggregated(
        _ areaLayer: Layer, _ sourceFigures: [AreaFigures], _ session: Session
    ) throws -> (LowIncomeLayer, Apportionment) {
        let plan = try ReaggregationPlan(
            areas: areaLayer, areaID: areaID, target: target, targetID: targetID, targetGrid: targetGrid, weights: weights,
            weightField: weightField, replacing: LowIncomeLayer.outputFieldNames, session: session)
        var output = LowIncomeLayer(
            idField: plan.idField, ids: plan.ids, geometries: plan.geometries,
            figures: plan.apportionment.apply(sourceFigures, missing: missing, minimumCoverage: minCoverage))
        (output.keptFields, output.keptValues) = (plan.keptFields, plan.keptValues)
        return (output, plan.apportionment)
    }
}

/// Where re-aggregated figures go: the target areas (or the cells of a grid over the sources),
/// in WGS 84 with their ids and other fields, and how the sources are shared out to them.
struct ReaggregationPlan {
    var idField: Field
    var ids: [Value]
    var geometries: [Geometry?]
    var keptFields: [Field] = []
    var keptValues: [[Value]] = []
    var apportionment: Apportionment

    init(
        areas areaLayer: Layer, areaID: String, target: LayerSource?, targetID: String?, targetGrid: Double?,
        weights: LayerSource?, weightField: String?, replacing outputNames: [String], session: Session
    ) throws {
        let metricSources = try areaLayer.toMetric(context: session.proj)
        let metric = metricSources.crs!
        let sourceGeometries = metricSources.features.map { $0.geometry ?? .collection([]) }
        var weightLayer: PopulationWeights?
        if let weights, let weightField {
            let layer = try session.layer(weights)
            let population = try layer.values(of: weightField).enumerated().map { n, value -> Double in
                guard let p = StatisticsCell(value) else {
                    throw AtlasError(file: weights.path, record: n + 1, field: weightField, "'\(value.text ?? "")' is not a number")
                }
                return p.number ?? 0
            }
            weightLayer = PopulationWeights(
                geometries: try layer.reprojected(to: metric, context: session.proj).features.map { $0.geometry ?? .collection([]) },
                population: population)
        }
        let diagnostics = session.diagnostics

        if let size = targetGrid {
            let grid = try RegularGrid(checking: metricSources.bounds, cellSize: size, source: areaLayer.source)
            let cells: [Int]
            (apportionment, cells) = try Reaggregation.apportionment(
                sources: sourceGeometries, grid: grid, weights: weightLayer, diagnostics: diagnostics)
            idField = Field("rutid", .string)
            ids = cells.map { .string(grid.rutid($0)) }
            geometries = try grid.cellPolygons(cells, transformer: Transformer(from: metric, to: .wgs84, context: session.proj))
        } else {
            guard let target, let targetID else { throw OptionError("target", "give target or target-grid") }
            let targetLayer = try session.layer(target)
            let targetIDIndex = try targetLayer.fieldIndex(targetID)
            apportionment = try Reaggregation.apportionment(
                sources: sourceGeometries,
                targets: try targetLayer.reprojected(to: metric, context: session.proj).features.map { $0.geometry ?? .collection([]) },
                weights: weightLayer, diagnostics: diagnostics)
            idField = targetLayer.fields[targetIDIndex]
            ids = targetLayer.features.map { $0.values[targetIDIndex] }
            geometries = try targetLayer.reprojected(to: .wgs84, context: session.proj).features.map(\.geometry)
            (keptFields, keptValues) = targetLayer.keptAttributes(idField: targetIDIndex, replacedBy: outputNames)
        }
        if !apportionment.areaFallbackSources.isEmpty, let i = try? areaLayer.fieldIndex(areaID) {
            let names = apportionment.areaFallbackSources.prefix(10).map { areaLayer.features[$0].values[i].text ?? "?" }
            diagnostics.warning(
                "\(apportionment.areaFallbackSources.count) areas have no population in the weights and were apportioned by area (\(names.joined(separator: ", ")))")
        }
    }
}

/// What a low-income run produced: the figures per output area and the layer they make.
public struct LowIncomeResult: IndicatorResult {
    public var figures: LowIncomeLayer
    public var provenance: Provenance

    public var areas: IndicatorLayer {
        IndicatorLayer(
            role: "areas",
            layer: Layer(source: "", format: "GeoJSON", crs: .wgs84, fields: figures.fields, features: figures.features),
            schema: LowIncome.schema + (figures.reaggregated ? [LowIncome.coverageProperty] : [])
                + (figures.classes != nil ? [LowIncome.classProperty] : []) + figures.seriesSchema,
            primary: "share", idField: figures.idField.name, classes: figures.legend,
            members: figures.references.isEmpty ? [] : [("atlas:references", .array(figures.references.map(\.json)))],
            provenance: provenance)
    }

    public var layers: [IndicatorLayer] { [areas] }

    public var summary: [String] {
        let status = figures.figures.map(\.status)
        let suppressed = status.filter { $0 == .suppressed }.count, missing = status.filter { $0 == .missing }.count
        return ["\(figures.ids.count) areas, \(suppressed) suppressed, \(missing) missing"]
    }
}

extension RegularGrid {
    /// The grid `target-grid` asks for over the areas' metric extent; a cell size or cell count
    /// beyond what atlas works with is an error about that option.
    init(checking extent: Bounds?, cellSize: Double, source: String) throws {
        guard let extent else { throw AtlasError(file: source, "the areas have no geometry to lay a grid over") }
        do { self = try RegularGrid.covering(extent, cellSize: cellSize) } catch let error as AtlasError {
            throw OptionError("target-grid", error.message)
        }
    }
}
