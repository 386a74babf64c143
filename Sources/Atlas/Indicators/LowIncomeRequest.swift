import Foundation

/// Everything `atlas lowincome` is asked to do, read from files and run in one go.
public struct LowIncomeRequest: Sendable {
    public var areas: String
    public var areaID: String
    /// The statistics table; nil when the measure columns are attributes of the areas.
    public var stats: String?
    /// The region code column of the table.
    public var statsID: String?
    public var filters: [StatisticsFilter] = []
    public var measure: LowIncomeMeasure
    /// Re-aggregate to these areas …
    public var target: String?
    public var targetID: String?
    /// … or to the cells (metres) of a grid over the areas, SCB-aligned, ids as `rutid`.
    public var targetGridSize: Double?
    public var weights: String?
    public var weightField: String?
    public var disclosure = DisclosureControl()
    public var classes: Int?
    public var scheme: ClassificationScheme = .quantile
    /// A join with unmatched areas or rows is an error rather than a warning.
    public var strict = false
    /// How to read inputs that do not say everything themselves (CRS, CSV columns).
    public var layerOptions = LayerOptions()

    public init(areas: String, areaID: String, stats: String?, statsID: String?, measure: LowIncomeMeasure) {
        self.areas = areas
        self.areaID = areaID
        self.stats = stats
        self.statsID = statsID
        self.measure = measure
    }

    public func run() throws -> LowIncomeLayer {
        let options = layerOptions
        let areaLayer = try LayerReader.read(path: areas, options: options)
        let areaIDIndex = try areaLayer.fieldIndex(areaID)
        let sourceIDs = areaLayer.features.map { $0.values[areaIDIndex].text ?? "" }

        var sourceFigures: [AreaFigures]
        var report = JoinReport(areasWithoutRow: [], rowsWithoutArea: [])
        if let stats {
            guard let statsID else { throw AtlasError(file: stats, "name the region code column with --stats-id") }
            let table = try StatisticsTable.read(path: stats).filtered(filters)
            (sourceFigures, report) = try LowIncome.join(areaIDs: sourceIDs, table: table, idColumn: statsID, measure: measure)
            if !report.isComplete {
                if strict { throw AtlasError(file: stats, "the table and the areas do not match: \(report.summary)") }
                Console.shared.warning("\(stats): \(report.summary)")
            }
        } else {
            sourceFigures = try LowIncome.figures(fromLayer: areaLayer, measure: measure)
        }

        var output: LowIncomeLayer
        if target != nil || targetGridSize != nil {
            if case .share(_, _, nil) = measure {
                throw AtlasError(file: stats ?? areas, "re-aggregating a published share needs its --total: shares are recomputed from counts, never averaged")
            }
            output = try reaggregated(areaLayer, sourceFigures, options)
        } else {
            output = LowIncomeLayer(
                idField: areaLayer.fields[areaIDIndex], ids: areaLayer.features.map { $0.values[areaIDIndex] },
                geometries: try areaLayer.reprojected(to: .wgs84).features.map(\.geometry), figures: sourceFigures)
            (output.keptFields, output.keptValues) = areaLayer.keptAttributes(
                idField: areaIDIndex, replacedBy: LowIncomeLayer.outputFieldNames)
        }
        output.joinReport = report
        output.figures = output.figures.map(disclosure.apply)
        if let classes {
            let (indices, breaks) = LowIncome.classify(output.figures, classes: classes, scheme: scheme)
            output.classes = indices
            output.breaks = breaks
            output.scheme = scheme
        }
        return output
    }

    private func reaggregated(_ areaLayer: Layer, _ sourceFigures: [AreaFigures], _ options: LayerOptions) throws -> LowIncomeLayer {
        let metricSources = try areaLayer.toMetric()
        let metric = metricSources.crs!
        let sourceGeometries = metricSources.features.map { $0.geometry ?? .collection([]) }
        var weightLayer: PopulationWeights?
        if let weights {
            guard let weightField else { throw AtlasError(file: weights, "name the population field of the weights with --weight-field") }
            let layer = try LayerReader.read(path: weights, options: options)
            let population = try layer.values(of: weightField).enumerated().map { n, value -> Double in
                guard let p = StatisticsCell(value) else {
                    throw AtlasError(file: weights, record: n + 1, field: weightField, "'\(value.text ?? "")' is not a number")
                }
                return p.number ?? 0
            }
            weightLayer = PopulationWeights(
                geometries: try layer.reprojected(to: metric).features.map { $0.geometry ?? .collection([]) }, population: population)
        }

        if let size = targetGridSize, target == nil {
            guard size > 0 else { throw AtlasError("the grid cell size must be positive, got \(size)") }
            guard let extent = metricSources.bounds else { throw AtlasError(file: areas, "the areas have no geometry") }
            let grid = RegularGrid(covering: extent, cellSize: size)
            var apportionment: Apportionment
            var cells: [Int]
            if let weightLayer {
                // Weighted: the cells become general targets, after dropping those no source reaches.
                let reached = try Reaggregation.apportionment(sources: sourceGeometries, grid: grid).cells
                apportionment = try Reaggregation.apportionment(
                    sources: sourceGeometries, targets: reached.map(grid.cellPolygon), weights: weightLayer)
                cells = reached
            } else {
                (apportionment, cells) = try Reaggregation.apportionment(sources: sourceGeometries, grid: grid)
            }
            warnAboutFallback(apportionment, areaLayer)
            let cellLayer = Layer(
                source: "grid", format: "grid", crs: metric, fields: [],
                features: cells.map { Feature(geometry: grid.cellPolygon($0), values: []) })
            return LowIncomeLayer(
                idField: Field("rutid", .string), ids: cells.map { .string(grid.rutid($0)) },
                geometries: try cellLayer.reprojected(to: .wgs84).features.map(\.geometry),
                figures: apportionment.apply(sourceFigures))
        }

        guard let target else { throw AtlasError("give --target or --target-grid") }
        guard let targetID else { throw AtlasError(file: target, "name the id field of the target areas with --target-id") }
        let targetLayer = try LayerReader.read(path: target, options: options)
        let targetIDIndex = try targetLayer.fieldIndex(targetID)
        let apportionment = try Reaggregation.apportionment(
            sources: sourceGeometries,
            targets: try targetLayer.reprojected(to: metric).features.map { $0.geometry ?? .collection([]) },
            weights: weightLayer)
        warnAboutFallback(apportionment, areaLayer)
        var output = LowIncomeLayer(
            idField: targetLayer.fields[targetIDIndex], ids: targetLayer.features.map { $0.values[targetIDIndex] },
            geometries: try targetLayer.reprojected(to: .wgs84).features.map(\.geometry),
            figures: apportionment.apply(sourceFigures))
        (output.keptFields, output.keptValues) = targetLayer.keptAttributes(
            idField: targetIDIndex, replacedBy: LowIncomeLayer.outputFieldNames)
        return output
    }

    private func warnAboutFallback(_ apportionment: Apportionment, _ areaLayer: Layer) {
        guard !apportionment.areaFallbackSources.isEmpty, let i = try? areaLayer.fieldIndex(areaID) else { return }
        let ids = apportionment.areaFallbackSources.prefix(10).map { areaLayer.features[$0].values[i].text ?? "?" }
        Console.shared.warning(
            "\(apportionment.areaFallbackSources.count) areas have no population in the weights and were apportioned by area (\(ids.joined(separator: ", ")))")
    }
}

