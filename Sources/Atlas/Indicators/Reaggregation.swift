import Foundation

/// A population layer used as weights when re-aggregating: polygons (grid cells) or points,
/// in the same metric CRS as the areas.
public struct PopulationWeights: Sendable {
    public var geometries: [Geometry]
    public var population: [Double]

    public init(geometries: [Geometry], population: [Double]) {
        precondition(geometries.count == population.count, "one population value per weight geometry")
        self.geometries = geometries
        self.population = population
    }
}

/// How the figures of source areas are shared out to target areas: target value =
/// Σ over pieces of fraction × source value.
public struct Apportionment: Sendable {
    public struct Piece: Hashable, Sendable {
        public var source: Int
        public var target: Int
        /// The part of the source's count that goes to the target.
        public var fraction: Double
        /// The area of source ∩ target (m²), and with weights the weight population in it: what
        /// the target's coverage by usable sources is measured in.
        public var area: Double
        public var population: Double?

        public init(source: Int, target: Int, fraction: Double, area: Double, population: Double? = nil) {
            self.source = source
            self.target = target
            self.fraction = fraction
            self.area = area
            self.population = population
        }
    }

    public var sourceCount: Int
    public var targetCount: Int
    public var pieces: [Piece]
    /// Sources apportioned by area because the weight layer puts no population in them.
    public var areaFallbackSources: [Int]

    /// Below this fraction a source's share of a target is a sliver between generalised
    /// boundaries: it adds its (tiny) count but does not make the target unknown or withheld.
    public static let sliver = 1e-6

    /// Target figures from source figures: counts and totals apportioned, shares recomputed from
    /// them (never averaged).
    ///
    /// With `.available` (the default) each target is computed from the sources with usable
    /// figures (count and total known, not withheld): count and total are apportioned from those
    /// alone, so a gap does not bias the share, and `coverage` is the part of the target's weight
    /// (weight population, else area) that comes from them. Below `minimumCoverage` the target is
    /// missing. With `.propagate` a target that takes more than a sliver of a source whose count
    /// (or total) is unknown is unknown, and withheld when such a source was withheld.
    /// Targets that no source reaches are missing.
    public func apply(
        _ sources: [AreaFigures], missing rule: MissingRule = .available, minimumCoverage: Double = 0.5
    ) -> [AreaFigures] {
        precondition(sources.count == sourceCount, "one figure per source area")
        switch rule {
        case .propagate: return propagated(sources)
        case .available: return fromAvailable(sources, minimumCoverage: minimumCoverage)
        }
    }

    private func fromAvailable(_ sources: [AreaFigures], minimumCoverage: Double) -> [AreaFigures] {
        var count = [Double](repeating: 0, count: targetCount)
        var total = [Double](repeating: 0, count: targetCount)
        var usableArea = [Double](repeating: 0, count: targetCount), area = [Double](repeating: 0, count: targetCount)
        var usablePeople = [Double](repeating: 0, count: targetCount), people = [Double](repeating: 0, count: targetCount)
        var reached = [Bool](repeating: false, count: targetCount)
        for piece in pieces {
            let s = sources[piece.source], t = piece.target
            reached[t] = true
            area[t] += piece.area
            people[t] += piece.population ?? 0
            guard !s.suppressed, let c = s.count, let n = s.total else { continue }
            count[t] += c * piece.fraction
            total[t] += n * piece.fraction
            usableArea[t] += piece.area
            usablePeople[t] += piece.population ?? 0
        }
        return (0..<targetCount).map { t in
            guard reached[t] else { return .unknown }
            // Weight population where there is any; a target with no weight population in it is
            // covered by area.
            let coverage = people[t] > 0 ? usablePeople[t] / people[t] : (area[t] > 0 ? usableArea[t] / area[t] : 0)
            guard coverage >= minimumCoverage, coverage > 0 else {
                var figures = AreaFigures.unknown
                figures.coverage = coverage
                return figures
            }
            var figures = AreaFigures(count: count[t], total: total[t], share: total[t] > 0 ? count[t] / total[t] : nil)
            figures.coverage = coverage
            return figures
        }
    }

    private func propagated(_ sources: [AreaFigures]) -> [AreaFigures] {
        var count = [Double?](repeating: 0, count: targetCount)
        var total = [Double?](repeating: 0, count: targetCount)
        var reached = [Bool](repeating: false, count: targetCount)
        var withheld = [Bool](repeating: false, count: targetCount)
        for piece in pieces {
            let s = sources[piece.source], t = piece.target
            reached[t] = true
            let material = piece.fraction > Apportionment.sliver
            if material && s.suppressed { withheld[t] = true }
            if let c = s.count {
                count[t] = count[t].map { $0 + c * piece.fraction }
            } else if material {
                count[t] = nil
            }
            if let n = s.total {
                total[t] = total[t].map { $0 + n * piece.fraction }
            } else if material {
                total[t] = nil
            }
        }
        return (0..<targetCount).map { t in
            guard reached[t] else { return .unknown }
            if withheld[t] { return .withheld }
            var share: Double?
            if let c = count[t], let n = total[t], n > 0 { share = c / n }
            return AreaFigures(count: count[t], total: total[t], share: share)
        }
    }
}

extension Apportionment {
    /// One column of source values at the targets, from the sources that have a value.
    /// Extensive values (counts) are apportioned and summed; intensive values (rates, medians,
    /// indices) are the mean of the sources' values weighted by the apportioning weight of each
    /// piece (its weight population, else its area). A target no valued source reaches is nil.
    public func apply(values: [Double?], intensive: Bool) -> [Double?] {
        precondition(values.count == sourceCount, "one value per source area")
        var sum = [Double](repeating: 0, count: targetCount)
        var byPeople = [Double](repeating: 0, count: targetCount), people = [Double](repeating: 0, count: targetCount)
        var byArea = [Double](repeating: 0, count: targetCount), area = [Double](repeating: 0, count: targetCount)
        var reached = [Bool](repeating: false, count: targetCount)
        for piece in pieces {
            guard let v = values[piece.source] else { continue }
            let t = piece.target
            reached[t] = true
            sum[t] += piece.fraction * v
            byPeople[t] += (piece.population ?? 0) * v
            people[t] += piece.population ?? 0
            byArea[t] += piece.area * v
            area[t] += piece.area
        }
        return (0..<targetCount).map { t in
            guard reached[t] else { return nil }
            guard intensive else { return sum[t] }
            // A target with no weight population in its valued pieces is averaged by area.
            if people[t] > 0 { return byPeople[t] / people[t] }
            return area[t] > 0 ? byArea[t] / area[t] : nil
        }
    }
}

/// What re-aggregation does with sources whose figures are unknown or withheld.
public enum MissingRule: String, Sendable, CaseIterable {
    /// Targets are computed from the sources with usable figures, with their coverage.
    case available
    /// Any material part of an unknown source makes the target unknown (withheld for a withheld one).
    case propagate
}

/// Re-aggregation of area figures to other areas, in a metric CRS.
///
/// Dasymetric, with a population weight layer: each weight cell's population is split between
/// the source areas by the fraction of the cell's covered area that lies in each (a cell on the
/// border of the study area gives all its population to the part inside), and each source's
/// figures go to the targets in proportion to the weight population in source ∩ target. A
/// source with no weight population (an uninhabited forest DeSO, say) is apportioned by area.
///
/// Without weights the apportioning is by area: target gets area(source ∩ target) / area(source).
///
/// Only the parts of sources that targets cover are shared out, so the sum over the targets is
/// the sum over the sources' covered parts — the whole when the targets cover the sources.
public enum Reaggregation {
    /// General polygons: source ∩ target pieces by GEOS (candidates from an STRtree), weights
    /// clipped to pieces in pure Swift when the weight cells are convex.
    /// Targets that are the cells of one regular grid (an SCB 250 m grid read from its `rutid`s)
    /// take the pure-Swift grid overlay when there are no weights.
    public static func apportionment(
        sources: [Geometry], targets: [Geometry], weights: PopulationWeights? = nil, diagnostics: Diagnostics? = nil
    ) throws -> Apportionment {
        if weights == nil, let (grid, cellTargets) = RegularGrid.cells(of: targets) {
            return try apportionment(
                sources: sources, grid: grid, cellTargets: cellTargets, targetCount: targets.count, diagnostics: diagnostics)
        }
        let targetTree = STRtree(targets.map { $0.bounds ?? .empty })
        let perSource = try concurrentMap(sources.count, diagnostics) { context, s -> SourcePieces in
            try pieces(of: sources[s], targets: targets, tree: targetTree, context: context, keepGeometry: weights != nil)
        }
        var pieceWeights: [[Double]] = perSource.map { [Double](repeating: 0, count: $0.targets.count) }
        var sourceWeights = [Double](repeating: 0, count: sources.count)
        if let weights {
            try distribute(weights, sources: sources, pieces: perSource, into: &pieceWeights, sourceWeights: &sourceWeights)
        }
        var result = Apportionment(sourceCount: sources.count, targetCount: targets.count, pieces: [], areaFallbackSources: [])
        for (s, p) in perSource.enumerated() {
            let weighted = weights != nil && sourceWeights[s] > 0
            if weights != nil && !weighted && !p.targets.isEmpty { result.areaFallbackSources.append(s) }
            for k in p.targets.indices {
                let fraction = weighted ? pieceWeights[s][k] / sourceWeights[s] : (p.sourceArea > 0 ? p.areas[k] / p.sourceArea : 0)
                if fraction > 0 {
                    result.pieces.append(.init(
                        source: s, target: p.targets[k], fraction: fraction, area: p.areas[k],
                        population: weights == nil ? nil : pieceWeights[s][k]))
                }
            }
        }
        return result
    }

    /// Area-weighted apportioning to the cells of a regular grid, all in pure Swift. Only cells
    /// that some source reaches are targets: `cells[k]` is the grid index of target `k`.
    public static func apportionment(
        sources: [Geometry], grid: RegularGrid, diagnostics: Diagnostics? = nil
    ) throws -> (apportionment: Apportionment, cells: [Int]) {
        try grid.validate()
        let overlays = try concurrentMap(sources.count, diagnostics) { _, s in grid.overlay(sources[s].polygons) }
        var targetOfCell: [Int: Int] = [:]
        var cells: [Int] = []
        var pieces: [Apportionment.Piece] = []
        for (s, overlay) in overlays.enumerated() {
            let sourceArea = overlay.reduce(0) { $0 + $1.area }
            guard sourceArea > 0 else { continue }
            for (cell, area) in overlay {
                let target: Int
                if let t = targetOfCell[cell] {
                    target = t
                } else {
                    target = cells.count
                    targetOfCell[cell] = target
                    cells.append(cell)
                }
                pieces.append(.init(source: s, target: target, fraction: area / sourceArea, area: area))
            }
        }
        // Targets in grid order, so that output follows the grid rather than the sources.
        let order = cells.indices.sorted { cells[$0] < cells[$1] }
        var rank = [Int](repeating: 0, count: cells.count)
        for (r, t) in order.enumerated() { rank[t] = r }
        for k in pieces.indices { pieces[k].target = rank[pieces[k].target] }
        let apportionment = Apportionment(sourceCount: sources.count, targetCount: cells.count, pieces: pieces, areaFallbackSources: [])
        return (apportionment, order.map { cells[$0] })
    }

    /// By area onto grid cells that stand for given targets (`cellTargets[cell]`); the parts of
    /// sources in other cells are not covered.
    static func apportionment(
        sources: [Geometry], grid: RegularGrid, cellTargets: [Int: Int], targetCount: Int, diagnostics: Diagnostics?
    ) throws -> Apportionment {
        let overlays = try concurrentMap(sources.count, diagnostics) { _, s in grid.overlay(sources[s].polygons) }
        var result = Apportionment(sourceCount: sources.count, targetCount: targetCount, pieces: [], areaFallbackSources: [])
        for (s, overlay) in overlays.enumerated() {
            // The source's own area, not just its part in the grid's extent.
            let sourceArea = sources[s].polygons.reduce(0.0) { sum, rings in
                rings.enumerated().reduce(sum) { $0 + ($1.offset == 0 ? 1 : -1) * abs(PolygonClip.shoelace($1.element)) }
            }
            guard sourceArea > 0 else { continue }
            for (cell, area) in overlay {
                if let t = cellTargets[cell] { result.pieces.append(.init(source: s, target: t, fraction: area / sourceArea, area: area)) }
            }
        }
        return result
    }

    struct SourcePieces: Sendable {
        var sourceArea: Double = 0
        var targets: [Int] = []
        var areas: [Double] = []
        /// source ∩ target, kept when weights are to be clipped to them.
        var geometries: [Geometry] = []
        var bounds: [Bounds] = []
    }

    static func pieces(
        of source: Geometry, targets: [Geometry], tree: STRtree, context: GEOSContext, keepGeometry: Bool
    ) throws -> SourcePieces {
        var result = SourcePieces()
        guard let bounds = source.bounds else { return result }
        let s = try valid(GEOSGeometry(source, context: context))
        result.sourceArea = try s.area
        for t in tree.query(bounds) {
            let target = try valid(GEOSGeometry(targets[t], context: context))
            let piece = try s.intersection(target)
            let area = try piece.area
            guard area > 0 else { continue }
            result.targets.append(t)
            result.areas.append(area)
            if keepGeometry {
                let g = try piece.toGeometry()
                result.geometries.append(g)
                result.bounds.append(g.bounds ?? .empty)
            }
        }
        return result
    }

    /// Published boundaries are sometimes invalid (a self-touching ring); GEOS's overlay needs
    /// valid input, and making it valid keeps every vertex.
    static func valid(_ g: GEOSGeometry) throws -> GEOSGeometry {
        try g.isValid ? g : g.makeValid()
    }

    /// Adds each weight's population to the sources and pieces it overlaps.
    static func distribute(
        _ weights: PopulationWeights, sources: [Geometry], pieces: [SourcePieces],
        into pieceWeights: inout [[Double]], sourceWeights: inout [Double]
    ) throws {
        let sourceTree = STRtree(sources.map { $0.bounds ?? .empty })
        let sourcePolygons = sources.map(\.polygons)
        let context = try GEOSContext()
        for (w, geometry) in weights.geometries.enumerated() {
            let population = weights.population[w]
            guard population > 0, let cellBounds = geometry.bounds else { continue }
            let candidates = sourceTree.query(cellBounds)
            if case .point(let p) = geometry {
                guard let s = candidates.first(where: { PolygonClip.contains(sourcePolygons[$0], p) }) else { continue }
                sourceWeights[s] += population
                for k in pieces[s].targets.indices where PolygonClip.contains(pieces[s].geometries[k].polygons, p) {
                    pieceWeights[s][k] += population
                }
                continue
            }
            let area = try areaFunction(for: geometry, context: context)
            var overlaps: [(Int, Double)] = []
            var covered = 0.0
            for s in candidates {
                let a = try area(sources[s])
                if a > 0 {
                    overlaps.append((s, a))
                    covered += a
                }
            }
            guard covered > 0 else { continue }
            for (s, a) in overlaps {
                sourceWeights[s] += population * a / covered
                for k in pieces[s].targets.indices where pieces[s].bounds[k].intersects(cellBounds) {
                    pieceWeights[s][k] += population * (try area(pieces[s].geometries[k])) / covered
                }
            }
        }
    }

    /// area(· ∩ cell): Sutherland–Hodgman for a convex cell, GEOS otherwise.
    static func areaFunction(for cell: Geometry, context: GEOSContext) throws -> (Geometry) throws -> Double {
        if let window = PolygonClip.ConvexWindow(cell) {
            return { PolygonClip.area(of: $0.polygons, in: window) }
        }
        let c = try valid(GEOSGeometry(cell, context: context))
        return { other in try valid(GEOSGeometry(other, context: context)).intersection(c).area }
    }

    /// `body` for 0..<count on all cores, each worker with its own GEOS context.
    static func concurrentMap<T: Sendable>(
        _ count: Int, _ diagnostics: Diagnostics?, _ body: @Sendable (GEOSContext, Int) throws -> T
    ) throws -> [T] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count))
        let slots = ResultSlots<T>(count)
        let progress = diagnostics?.progress("overlaying areas", total: count)
        defer { progress?.finish() }
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let context: GEOSContext
            do { context = try GEOSContext() } catch {
                slots.fail(error)
                return
            }
            while let i = slots.takeNext() {
                progress?.advance()
                do { slots.set(i, try body(context, i)) } catch {
                    slots.fail(error)
                    return
                }
            }
        }
        return try slots.results()
    }
}

/// Results of concurrent work, filled in any order under a lock.
private final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private var items: [T?]
    private var counter = 0
    private var error: Error?
    private let lock = NSLock()

    init(_ count: Int) { items = [T?](repeating: nil, count: count) }

    func set(_ i: Int, _ value: T) {
        lock.lock()
        items[i] = value
        lock.unlock()
    }

    func fail(_ e: Error) {
        lock.lock()
        if error == nil { error = e }
        counter = Int.max / 2
        lock.unlock()
    }

    /// The next index to work on, nil when all are taken (or a worker failed).
    func takeNext() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard counter < items.count else { return nil }
        counter += 1
        return counter - 1
    }

    func results() throws -> [T] {
        if let error { throw error }
        return items.map { $0! }
    }
}
