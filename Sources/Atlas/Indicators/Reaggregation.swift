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
    /// Source ∩ target pieces, apportioned by the weight population in them or by area.
    ///
    /// Targets that are the cells of one regular grid (an SCB grid read from its `rutid`s) take
    /// the pure-Swift grid path, with weights too when every populated weight is a point or a
    /// convex polygon (grid cells of any size and alignment, reprojected ones included); other
    /// targets and weights take the general path. Both give the same figures.
    public static func apportionment(
        sources: [Geometry], targets: [Geometry], weights: PopulationWeights? = nil, diagnostics: Diagnostics? = nil
    ) throws -> Apportionment {
        if let (grid, cellTargets) = RegularGrid.cells(of: targets), let gridWeights = GridWeights(weights) {
            let split = try GridSplit(sources: sources, grid: grid, weights: gridWeights, diagnostics: diagnostics)
            return split.apportionment(targetCount: targets.count) { cellTargets[$0] }
        }
        return try generalApportionment(sources: sources, targets: targets, weights: weights, diagnostics: diagnostics)
    }

    /// General polygons: source ∩ target pieces by GEOS (candidates from an STRtree), weights
    /// clipped to pieces in pure Swift when the weight cells are convex.
    static func generalApportionment(
        sources: [Geometry], targets: [Geometry], weights: PopulationWeights?, diagnostics: Diagnostics?
    ) throws -> Apportionment {
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

    /// Apportioning to the cells of a regular grid, by area or by weights, in pure Swift when the
    /// grid path takes the weights (see above). Only cells that some source reaches are targets:
    /// `cells[k]` is the grid index of target `k`, in grid order, so that output follows the
    /// grid rather than the sources. With weights, a reached cell without weight population is a
    /// target that no piece reaches (missing).
    public static func apportionment(
        sources: [Geometry], grid: RegularGrid, weights: PopulationWeights? = nil, diagnostics: Diagnostics? = nil
    ) throws -> (apportionment: Apportionment, cells: [Int]) {
        try grid.validate()
        guard let gridWeights = GridWeights(weights) else {
            // Weights only GEOS can clip: the reached cells become general targets.
            let cells = try apportionment(sources: sources, grid: grid, diagnostics: diagnostics).cells
            let general = try generalApportionment(
                sources: sources, targets: cells.map(grid.cellPolygon), weights: weights, diagnostics: diagnostics)
            return (general, cells)
        }
        let split = try GridSplit(sources: sources, grid: grid, weights: gridWeights, diagnostics: diagnostics)
        let cells = split.reachedCells()
        return (split.apportionment(targetCount: cells.count) { cells.sortedIndex(of: $0) }, cells)
    }

    struct SourcePieces: Sendable {
        var sourceArea: Double = 0
        var targets: [Int] = []
        var areas: [Double] = []
        /// source ∩ target, kept when weights are to be clipped to them.
        var geometries: [Geometry] = []
        /// The source made valid, kept with weights when it was not valid: weights are measured on
        /// the same polygons as the pieces.
        var repaired: Geometry?
        var bounds: [Bounds] = []
    }

    static func pieces(
        of source: Geometry, targets: [Geometry], tree: STRtree, context: GEOSContext, keepGeometry: Bool
    ) throws -> SourcePieces {
        var result = SourcePieces()
        guard let bounds = source.bounds else { return result }
        let given = try GEOSGeometry(source, context: context)
        let s = try valid(given)
        if keepGeometry && s !== given { result.repaired = try s.toGeometry() }
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

    /// A source's polygons as both paths measure it: made valid by GEOS when it is not (a
    /// self-intersecting ring would otherwise subtract the area of its reversed loop).
    static func validPolygons(_ source: Geometry, context: GEOSContext) throws -> [[[Coordinate]]] {
        let given = try GEOSGeometry(source, context: context)
        return try given.isValid ? source.polygons : given.makeValid().toGeometry().polygons
    }

    /// Adds each weight's population to the sources and pieces it overlaps.
    static func distribute(
        _ weights: PopulationWeights, sources: [Geometry], pieces: [SourcePieces],
        into pieceWeights: inout [[Double]], sourceWeights: inout [Double]
    ) throws {
        let locator = SourceLocator(sources)
        let context = try GEOSContext()
        for (w, geometry) in weights.geometries.enumerated() {
            let population = weights.population[w]
            guard population > 0, let cellBounds = geometry.bounds else { continue }
            if case .point(let p) = geometry {
                guard let s = locator.source(containing: p) else { continue }
                sourceWeights[s] += population
                for k in pieces[s].targets.indices where PolygonClip.contains(pieces[s].geometries[k].polygons, p) {
                    pieceWeights[s][k] += population
                }
                continue
            }
            let area = try areaFunction(for: geometry, context: context)
            var overlaps: [(Int, Double)] = []
            var covered = 0.0
            for s in locator.tree.query(cellBounds) {
                let a = try area(pieces[s].repaired ?? sources[s])
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

/// The sources by their bounds, to find the one a population point lies in.
struct SourceLocator {
    let tree: STRtree
    let polygons: [[[[Coordinate]]]]

    init(_ sources: [Geometry]) {
        tree = STRtree(sources.map { $0.bounds ?? .empty })
        polygons = sources.map(\.polygons)
    }

    /// The first source (in input order) that contains the point: a point on a border between
    /// sources goes to one of them.
    func source(containing p: Coordinate) -> Int? {
        tree.query(Bounds(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y)).first { PolygonClip.contains(polygons[$0], p) }
    }
}

/// Population weights as the grid path takes them: every populated polygon a convex clipping
/// window, every populated point a point. Weights with no population (or no geometry) add
/// nothing on either path and are left out.
struct GridWeights: Sendable {
    /// False without weights: everything goes by area.
    var isWeighted = false
    var population: [Double] = []
    var windows: [(weight: Int, window: PolygonClip.ConvexWindow)] = []
    /// The windows' bounds.
    var tree = STRtree([])
    var points: [(weight: Int, point: Coordinate)] = []

    /// By area without weights; nil when a populated weight is neither a point nor a convex
    /// polygon (a cell with a hole, a multipolygon), which the general path clips with GEOS.
    init?(_ weights: PopulationWeights?) {
        guard let weights else { return }
        isWeighted = true
        population = weights.population
        for (w, geometry) in weights.geometries.enumerated() where weights.population[w] > 0 && geometry.bounds != nil {
            if case .point(let p) = geometry {
                points.append((w, p))
            } else if let window = PolygonClip.ConvexWindow(geometry) {
                windows.append((w, window))
            } else {
                return nil
            }
        }
        tree = STRtree(windows.map(\.window.bounds))
    }
}

/// One source laid over a grid in pure Swift: its area in each cell it reaches, and each part of
/// it in a populated weight polygon, with that part's area in each cell.
struct SourceOnGrid: Sendable {
    struct WeightPart: Sendable {
        var weight: Int
        /// area(source ∩ weight)
        var area: Double
        /// area(source ∩ weight ∩ cell), in cell order.
        var cells: [(cell: Int, area: Double)]
    }

    /// The source's own area, also outside the grid.
    var area: Double
    /// area(source ∩ cell) for the cells it reaches, in cell order.
    var cells: [(cell: Int, area: Double)]
    var weightParts: [WeightPart] = []

    init(_ polygons: [[[Coordinate]]], grid: RegularGrid, weights: GridWeights) {
        area = PolygonClip.area(of: polygons)
        cells = grid.overlay(polygons)
        var bounds = Bounds.empty
        for rings in polygons { if let exterior = rings.first { for c in exterior { bounds.extend(c) } } }
        guard !weights.windows.isEmpty, !bounds.isEmpty else { return }
        // The candidates come in weight order, as the general path adds them.
        for k in weights.tree.query(bounds) {
            let (w, window) = weights.windows[k]
            let inside = PolygonClip.clipped(polygons, to: window)
            let a = PolygonClip.area(of: inside)
            if a > 0 { weightParts.append(WeightPart(weight: w, area: a, cells: grid.overlay(inside))) }
        }
    }
}

/// The sources laid over a grid and the weight population split over their cells, with the
/// general path's rules: a weight polygon's population is shared between the sources by the
/// part of its covered area in each (so a cell on the border of the study area gives all of it
/// to the part inside), and within a source by area; a point's population goes to the first
/// source holding it and to the cell it lies in.
struct GridSplit {
    var sources: [SourceOnGrid]
    var isWeighted: Bool
    /// Weight population of each source, and of each of its `cells`.
    var sourcePopulation: [Double]
    var cellPopulation: [[Double]]

    init(sources geometries: [Geometry], grid: RegularGrid, weights: GridWeights, diagnostics: Diagnostics?) throws {
        sources = try Reaggregation.concurrentMap(geometries.count, diagnostics) { context, s in
            SourceOnGrid(try Reaggregation.validPolygons(geometries[s], context: context), grid: grid, weights: weights)
        }
        isWeighted = weights.isWeighted
        sourcePopulation = [Double](repeating: 0, count: sources.count)
        cellPopulation = weights.isWeighted ? sources.map { [Double](repeating: 0, count: $0.cells.count) } : []
        guard weights.isWeighted else { return }
        var covered = [Double](repeating: 0, count: weights.population.count)
        for source in sources { for part in source.weightParts { covered[part.weight] += part.area } }
        for (s, source) in sources.enumerated() {
            for part in source.weightParts {
                let population = weights.population[part.weight], c = covered[part.weight]
                sourcePopulation[s] += population * part.area / c
                for (cell, a) in part.cells {
                    if let k = source.cells.sortedIndex(of: cell, by: \.cell) { cellPopulation[s][k] += population * a / c }
                }
            }
        }
        if !weights.points.isEmpty {
            let locator = SourceLocator(geometries)
            for (w, p) in weights.points {
                guard let s = locator.source(containing: p) else { continue }
                sourcePopulation[s] += weights.population[w]
                if let cell = grid.cell(containing: p), let k = sources[s].cells.sortedIndex(of: cell, by: \.cell) {
                    cellPopulation[s][k] += weights.population[w]
                }
            }
        }
    }

    /// The grid cells that sources with an area reach, in grid order.
    func reachedCells() -> [Int] {
        var cells = sources.filter { $0.area > 0 }.flatMap { $0.cells.map(\.cell) }
        cells.sort()
        var unique: [Int] = []
        unique.reserveCapacity(cells.count)
        for cell in cells where unique.last != cell { unique.append(cell) }
        return unique
    }

    /// Pieces source ∩ cell for the cells that stand for targets (`target(cell)`); the parts of
    /// sources in other cells are not covered. As on the general path: by weight population
    /// where the source has any, else by area (and listed in `areaFallbackSources`).
    func apportionment(targetCount: Int, target: (Int) -> Int?) -> Apportionment {
        var result = Apportionment(sourceCount: sources.count, targetCount: targetCount, pieces: [], areaFallbackSources: [])
        result.pieces.reserveCapacity(sources.reduce(0) { $0 + $1.cells.count })
        for (s, source) in sources.enumerated() {
            let weighted = isWeighted && sourcePopulation[s] > 0
            var reachesTarget = false
            for (k, (cell, area)) in source.cells.enumerated() {
                guard let t = target(cell) else { continue }
                reachesTarget = true
                let fraction = weighted ? cellPopulation[s][k] / sourcePopulation[s] : (source.area > 0 ? area / source.area : 0)
                if fraction > 0 {
                    result.pieces.append(.init(
                        source: s, target: t, fraction: fraction, area: area, population: isWeighted ? cellPopulation[s][k] : nil))
                }
            }
            if isWeighted && !weighted && reachesTarget { result.areaFallbackSources.append(s) }
        }
        return result
    }
}

extension RandomAccessCollection where Index == Int {
    /// The position of `key` in a collection sorted by `keyOf`, by binary search.
    func sortedIndex(of key: Int, by keyOf: (Element) -> Int) -> Int? {
        var low = startIndex, high = endIndex
        while low < high {
            let mid = low + (high - low) / 2
            let k = keyOf(self[mid])
            if k == key { return mid }
            if k < key { low = mid + 1 } else { high = mid }
        }
        return nil
    }
}

extension RandomAccessCollection where Index == Int, Element == Int {
    func sortedIndex(of key: Int) -> Int? { sortedIndex(of: key) { $0 } }
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
