import Foundation

/// Simplifies a polygon coverage — polygons that tile an area edge to edge, such as SCB's DeSO or
/// a grid — so that neighbours stay edge to edge: no gaps, no overlaps, every polygon valid.
///
/// Polygons are simplified one shared boundary at a time, as TopoJSON does. The rings are cut
/// into arcs where boundaries meet: at every vertex whose neighbouring vertices differ between the
/// rings passing through it (where three or more areas meet, or where a shared boundary ends). A
/// boundary between two areas is then one arc, simplified once with Douglas–Peucker in the metric
/// CRS, and both areas are rebuilt from the same simplified arc. Vertices are matched by their
/// exact coordinates as read, which is how SCB's boundaries share them.
///
/// Douglas–Peucker keeps a subset of the original vertices, so the result is written with the
/// input's own coordinates, untouched by a round trip through the metric CRS. An arc whose
/// simplification breaks the coverage is simplified again with half the tolerance, and so on, down
/// to its original vertices: when a ring would collapse (fewer than three corners, no area), when
/// GEOS finds a polygon invalid, when a simplified arc crosses or touches another, and when a
/// shortcut passes over a vertex of another boundary (which would move a small area to the other
/// side of a boundary).
public struct CoverageSimplification {
    /// What a simplification did, in numbers.
    public struct Report: Sendable, Equatable {
        public var tolerance: Double
        /// Positions in the polygons' rings, closing positions included, before and after.
        public var positionsBefore: Int
        public var positionsAfter: Int
        /// Distinct boundaries (arcs), and those shared by two rings.
        public var arcs: Int
        public var sharedArcs: Int
        /// Arcs simplified with less than the tolerance so that the coverage stays valid.
        public var refinedArcs: Int

        /// One line for the user.
        public var summary: String {
            let share = positionsBefore > 0 ? Double(positionsAfter) / Double(positionsBefore) * 100 : 100
            return "simplified to \(tolerance == tolerance.rounded() ? String(Int(tolerance)) : String(tolerance)) m: \(positionsBefore) → \(positionsAfter) positions "
                + "(\(String(format: "%.1f", share)) %), \(arcs) boundaries of which \(sharedArcs) shared, \(refinedArcs) simplified less to stay valid"
        }
    }

    /// The largest distance, in metres, between a simplified boundary and the original.
    public var tolerance: Double

    /// Halvings of the tolerance an arc goes through before it keeps all its vertices.
    static let refinementSteps = 5

    public init(tolerance: Double) {
        self.tolerance = tolerance
    }

    /// The layer simplified, in its own CRS, and what was done.
    public func simplify(_ layer: Layer, session: Session) throws -> (layer: Layer, report: Report) {
        guard tolerance.isFinite, tolerance > 0 else {
            throw AtlasError(file: layer.source, "the simplification tolerance must be a positive number of metres, got \(tolerance)")
        }
        for (k, feature) in layer.features.enumerated() {
            guard let geometry = feature.geometry else { continue }
            switch geometry {
            case .polygon, .multiPolygon: continue
            default:
                throw AtlasError(
                    file: layer.source, record: k + 1,
                    "simplification keeps polygons edge to edge and applies to polygon layers; this feature is a \(geometry.typeName)")
            }
        }
        let metric = try layer.toMetric(context: session.proj)
        var coverage = Coverage(layer: layer, metric: metric)
        let refined = try coverage.simplify(tolerance: tolerance, context: session.geos)
        var simplified = layer
        var after = 0
        for k in simplified.features.indices {
            if let geometry = coverage.geometry(feature: k, original: layer.features[k].geometry) {
                simplified.features[k].geometry = geometry
            }
            simplified.features[k].geometry?.forEachCoordinate { _ in after += 1 }
        }
        let report = Report(
            tolerance: tolerance, positionsBefore: coverage.positionsBefore, positionsAfter: after,
            arcs: coverage.arcs.count, sharedArcs: coverage.sharedArcCount, refinedArcs: refined)
        return (simplified, report)
    }
}

extension Layer {
    /// The polygons simplified to `tolerance` metres with shared boundaries kept shared (see
    /// `CoverageSimplification`), in the layer's own CRS.
    public func simplifiedCoverage(tolerance: Double, session: Session) throws -> Layer {
        try CoverageSimplification(tolerance: tolerance).simplify(self, session: session).layer
    }
}

/// The rings of a layer as arcs between junctions, and the state of their simplification.
private struct Coverage {
    struct ArcUse {
        var arc: Int32
        var reversed: Bool
    }

    struct RingOwner {
        var feature: Int32
        var polygon: Int32
        var ring: Int32
    }

    /// Vertex coordinates by vertex id: as read, and in the metric CRS.
    var original: [Coordinate] = []
    var metric: [Coordinate] = []
    /// Each ring as vertex ids without its closing position, and who owns it.
    var rings: [[Int32]] = []
    var owners: [RingOwner] = []
    /// Rings with fewer than three distinct vertices, written as they were.
    var fixed: [Bool] = []
    var ringArcs: [[ArcUse]] = []
    /// Each arc as vertex ids from junction to junction, in a canonical direction.
    var arcs: [[Int32]] = []
    var arcFeatures: [[Int32]] = []
    var sharedArcCount = 0
    /// The rings of each feature, by index into `rings`.
    var featureRings: [[Int32]]
    var positionsBefore = 0

    /// Per arc: how many times the tolerance was halved (`refinementSteps`: not simplified) and
    /// the positions (indices into the arc) it keeps.
    var level: [Int] = []
    var kept: [[Int32]] = []
    /// Features that GEOS finds invalid as read in the metric CRS (a ring touching itself may
    /// cross itself once projected): their validity is no reason to simplify less.
    var invalidAsRead: [Int32: Bool] = [:]

    init(layer: Layer, metric metricLayer: Layer) {
        featureRings = Array(repeating: [], count: layer.features.count)
        var ids: [Coordinate: Int32] = [:]
        for (f, feature) in layer.features.enumerated() {
            guard let geometry = feature.geometry else { continue }
            let metricPolygons = metricLayer.features[f].geometry?.polygons ?? []
            for (p, polygon) in geometry.polygons.enumerated() {
                for (r, ring) in polygon.enumerated() {
                    positionsBefore += ring.count
                    let metricRing = metricPolygons[p][r]
                    var path: [Int32] = []
                    path.reserveCapacity(ring.count)
                    for (k, c) in ring.enumerated() {
                        let id: Int32
                        if let known = ids[c] {
                            id = known
                        } else {
                            id = Int32(original.count)
                            ids[c] = id
                            original.append(c)
                            metric.append(metricRing[k])
                        }
                        if path.last != id { path.append(id) }
                    }
                    while path.count > 1, path.last == path.first { path.removeLast() }
                    featureRings[f].append(Int32(rings.count))
                    rings.append(path)
                    owners.append(RingOwner(feature: Int32(f), polygon: Int32(p), ring: Int32(r)))
                    fixed.append(Set(path).count < 3)
                }
            }
        }
        cutIntoArcs()
    }

    /// Junctions are the vertices where the rings passing through disagree about the vertex's
    /// neighbours; a ring without any starts at its smallest vertex, which every ring with the
    /// same vertices picks too.
    private mutating func cutIntoArcs() {
        let n = original.count
        var firstPrevious = [Int32](repeating: -1, count: n)
        var firstNext = [Int32](repeating: -1, count: n)
        var junction = [Bool](repeating: false, count: n)
        for (r, ring) in rings.enumerated() {
            if fixed[r] {
                for v in ring { junction[Int(v)] = true }
                continue
            }
            let c = ring.count
            for k in 0..<c {
                let v = Int(ring[k]), p = ring[(k + c - 1) % c], q = ring[(k + 1) % c]
                if firstPrevious[v] < 0 {
                    firstPrevious[v] = p
                    firstNext[v] = q
                } else if !((firstPrevious[v] == p && firstNext[v] == q) || (firstPrevious[v] == q && firstNext[v] == p)) {
                    junction[v] = true
                }
            }
        }
        for (r, ring) in rings.enumerated() where !fixed[r] && !ring.contains(where: { junction[Int($0)] }) {
            let smallest = ring.min { a, b in
                let ca = original[Int(a)], cb = original[Int(b)]
                return ca.x != cb.x ? ca.x < cb.x : ca.y < cb.y
            }!
            junction[Int(smallest)] = true
        }

        var index: [[Int32]: Int32] = [:]
        var uses: [Int] = []
        ringArcs = rings.indices.map { _ in [] }
        for (r, ring) in rings.enumerated() {
            let c = ring.count
            guard !fixed[r], let start = ring.firstIndex(where: { junction[Int($0)] }) else { continue }
            var current: [Int32] = [ring[start]]
            for step in 1...c {
                let v = ring[(start + step) % c]
                current.append(v)
                guard junction[Int(v)] else { continue }
                let backwards = Array(current.reversed())
                let reversed = backwards.lexicographicallyPrecedes(current)
                let key = reversed ? backwards : current
                let arc: Int32
                if let known = index[key] {
                    arc = known
                    uses[Int(arc)] += 1
                } else {
                    arc = Int32(arcs.count)
                    index[key] = arc
                    arcs.append(key)
                    arcFeatures.append([])
                    uses.append(1)
                }
                let feature = owners[r].feature
                if arcFeatures[Int(arc)].last != feature { arcFeatures[Int(arc)].append(feature) }
                ringArcs[r].append(ArcUse(arc: arc, reversed: reversed))
                current = [v]
            }
        }
        sharedArcCount = uses.filter { $0 >= 2 }.count
    }

    // MARK: Simplification

    /// Simplifies every arc and refines those that break the coverage; returns how many were refined.
    mutating func simplify(tolerance: Double, context: GEOSContext) throws -> Int {
        let unsimplified = CoverageSimplification.refinementSteps
        level = Array(repeating: 0, count: arcs.count)
        kept = arcs.indices.map { douglasPeucker($0, tolerance: tolerance) }
        var refinedEver = Set<Int32>()
        var dirty = Set(arcs.indices.filter(isChanged).flatMap { arcFeatures[$0] })
        for round in 0... {
            var refine = Set<Int32>()
            for f in dirty.sorted() {
                if let arcs = try invalidArcs(feature: Int(f), context: context) { refine.formUnion(arcs) }
            }
            refine.formUnion(crossings())
            refine.formUnion(sweptVertices())
            guard !refine.isEmpty else { break }
            dirty = []
            for a in refine {
                let arc = Int(a)
                // After many rounds, go straight to the original arc rather than halving further.
                level[arc] = round > 20 ? unsimplified : min(level[arc] + 1, unsimplified)
                kept[arc] = douglasPeucker(arc, tolerance: tolerance / pow(2, Double(level[arc])))
                dirty.formUnion(arcFeatures[arc])
                refinedEver.insert(a)
            }
        }
        return refinedEver.count
    }

    func isChanged(_ arc: Int) -> Bool { kept[arc].count < arcs[arc].count }

    /// The positions of an arc that Douglas–Peucker keeps (all of them at the last refinement).
    /// A closed arc (a ring with one junction) keeps at least three distinct corners.
    func douglasPeucker(_ a: Int, tolerance: Double) -> [Int32] {
        let ids = arcs[a]
        let last = ids.count - 1
        if ids.count <= 2 || level[a] >= CoverageSimplification.refinementSteps { return (0...last).map(Int32.init) }
        var keep = [Bool](repeating: false, count: ids.count)
        keep[0] = true
        keep[last] = true
        func point(_ k: Int) -> Coordinate { metric[Int(ids[k])] }
        func run(_ from: Int, _ to: Int) {
            var stack = [(from, to)]
            while let (i, j) = stack.popLast() {
                guard j - i >= 2 else { continue }
                var farthest = -1
                var distance = tolerance
                for k in (i + 1)..<j {
                    let d = Self.distance(point(k), point(i), point(j))
                    if d > distance {
                        distance = d
                        farthest = k
                    }
                }
                if farthest >= 0 {
                    keep[farthest] = true
                    stack.append((i, farthest))
                    stack.append((farthest, j))
                }
            }
        }
        if ids[0] == ids[last] {
            var far = 1
            for k in 1..<last where Self.squaredLength(point(k), point(0)) > Self.squaredLength(point(far), point(0)) { far = k }
            keep[far] = true
            run(0, far)
            run(far, last)
            if keep.filter({ $0 }).count < 4 {
                var third = -1
                var best = -1.0
                for k in 1..<last where k != far {
                    let d = Self.distance(point(k), point(0), point(far))
                    if d > best {
                        best = d
                        third = k
                    }
                }
                if third >= 0 { keep[third] = true }
            }
        } else {
            run(0, last)
        }
        return keep.indices.filter { keep[$0] }.map(Int32.init)
    }

    func keptIDs(_ arc: Int) -> [Int32] { kept[arc].map { arcs[arc][Int($0)] } }

    /// A ring's vertex ids after simplification, without the closing position.
    func simplifiedRing(_ r: Int) -> [Int32] {
        var out: [Int32] = []
        for use in ringArcs[r] {
            let ids = keptIDs(Int(use.arc))
            if use.reversed {
                for k in stride(from: ids.count - 1, to: 0, by: -1) { out.append(ids[k]) }
            } else {
                for k in 0..<(ids.count - 1) { out.append(ids[k]) }
            }
        }
        return out
    }

    /// The arcs to simplify less for a feature to be valid, nil when it is: the arcs of a ring that
    /// collapsed (fewer than three corners, no area), or those passing where GEOS finds the
    /// polygon invalid (all the feature's arcs when GEOS names no place).
    mutating func invalidArcs(feature f: Int, context: GEOSContext) throws -> Set<Int32>? {
        let unsimplified = CoverageSimplification.refinementSteps
        if invalidAsRead[Int32(f)] == true { return nil }
        var polygons: [[[Coordinate]]] = []
        for r in featureRings[f].map(Int.init) {
            // A ring that was degenerate as read is kept as read; GEOS could not even build it.
            if fixed[r] { return nil }
            let ids = simplifiedRing(r)
            var ring = ids.map { metric[Int($0)] }
            ring.append(ring[0])
            if Set(ids).count < 3 || Ring.signedArea(ring) == 0 {
                return Set(ringArcs[r].map(\.arc).filter { level[Int($0)] < unsimplified })
            }
            if owners[r].ring == 0 { polygons.append([]) }
            polygons[polygons.count - 1].append(ring)
        }
        let geometry: Geometry = polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons)
        let g = try GEOSGeometry(geometry, context: context)
        guard try !g.isValid else { return nil }
        if invalidAsRead[Int32(f)] == nil {
            let asRead = featureRings[f].map { r in
                var ring = rings[Int(r)].map { metric[Int($0)] }
                ring.append(ring[0])
                return (owners[Int(r)].ring == 0, ring)
            }
            var original: [[[Coordinate]]] = []
            for (isShell, ring) in asRead {
                if isShell { original.append([]) }
                original[original.count - 1].append(ring)
            }
            let read: Geometry = original.count == 1 ? .polygon(original[0]) : .multiPolygon(original)
            let invalid = try !GEOSGeometry(read, context: context).isValid
            invalidAsRead[Int32(f)] = invalid
            if invalid { return nil }
        }
        let changed = Set(featureRings[f].flatMap { ringArcs[Int($0)].map(\.arc) }.filter { isChanged(Int($0)) })
        guard let place = Self.place(inValidityReason: try g.validityReason) else { return changed }
        // The shortcuts (segments that skip vertices) passing through the place GEOS names.
        let near = changed.filter { a in
            let positions = kept[Int(a)], ids = arcs[Int(a)]
            return zip(positions, positions.dropFirst()).contains { i, j in
                j - i > 1 && Self.distance(place, metric[Int(ids[Int(i)])], metric[Int(ids[Int(j)])]) <= 1e-3
            }
        }
        return near.isEmpty ? changed : near
    }

    /// The point in a GEOS validity reason such as "Self-intersection[528902.27 6744329.39]".
    static func place(inValidityReason reason: String) -> Coordinate? {
        guard let open = reason.firstIndex(of: "["), let close = reason.lastIndex(of: "]"), open < close else { return nil }
        let numbers = reason[reason.index(after: open)..<close].split(separator: " ").compactMap { Double($0) }
        return numbers.count >= 2 ? Coordinate(numbers[0], numbers[1]) : nil
    }

    /// Arcs whose simplified segments cross or touch a segment of another arc (or of themselves)
    /// anywhere but at a shared junction, or run along it.
    func crossings() -> Set<Int32> {
        let changed = arcs.indices.filter(isChanged)
        guard !changed.isEmpty else { return [] }
        var segmentArc: [Int32] = []
        var segmentStart: [Int32] = []
        var bounds: [Bounds] = []
        var firstSegment = [Int](repeating: 0, count: arcs.count + 1)
        for a in arcs.indices {
            firstSegment[a] = segmentArc.count
            let ids = keptIDs(a)
            for k in 0..<(ids.count - 1) {
                segmentArc.append(Int32(a))
                segmentStart.append(Int32(k))
                var b = Bounds.empty
                b.extend(metric[Int(ids[k])])
                b.extend(metric[Int(ids[k + 1])])
                bounds.append(b)
            }
        }
        firstSegment[arcs.count] = segmentArc.count
        let tree = STRtree(bounds)
        let unsimplified = CoverageSimplification.refinementSteps
        // A segment between neighbouring vertices is as read; two of those meeting is the input's doing.
        func asRead(_ a: Int, _ k: Int) -> Bool { kept[a][k + 1] - kept[a][k] == 1 }
        var conflicts = Set<Int32>()
        var keptCache: [Int: [Int32]] = [:]
        func ids(_ a: Int) -> [Int32] {
            if let cached = keptCache[a] { return cached }
            let made = keptIDs(a)
            keptCache[a] = made
            return made
        }
        for a in changed {
            let own = ids(a)
            let closed = own.first == own.last
            for s in firstSegment[a]..<firstSegment[a + 1] {
                let k = Int(segmentStart[s])
                let p = own[k], q = own[k + 1]
                tree.forEach(intersecting: bounds[s]) { t in
                    guard t != s else { return }
                    let b = Int(segmentArc[t])
                    let m = Int(segmentStart[t])
                    if b == a {
                        if abs(m - k) <= 1 { return }
                        if closed, Set([k, m]) == Set([0, own.count - 2]) { return }
                    }
                    if asRead(a, k) && asRead(b, m) { return }
                    let other = ids(b)
                    let r = other[m], u = other[m + 1]
                    if segmentsConflict(p, q, r, u) {
                        if !asRead(a, k) { conflicts.insert(Int32(a)) }
                        if !asRead(b, m), level[b] < unsimplified { conflicts.insert(Int32(b)) }
                    }
                }
            }
        }
        return conflicts
    }

    /// Whether segments pq and ru meet other than at one shared end, or overlap.
    func segmentsConflict(_ p: Int32, _ q: Int32, _ r: Int32, _ u: Int32) -> Bool {
        let shared = (p == r || p == u ? 1 : 0) + (q == r || q == u ? 1 : 0)
        let a = metric[Int(p)], b = metric[Int(q)], c = metric[Int(r)], d = metric[Int(u)]
        if shared == 2 { return true }
        if shared == 1 {
            // Meeting at the shared end is fine; running back along each other is not.
            let common = (p == r || p == u) ? a : b
            let end1 = common == a ? b : a
            let end2 = (r == p || r == q) ? d : c
            let cross = (end1.x - common.x) * (end2.y - common.y) - (end1.y - common.y) * (end2.x - common.x)
            let dot = (end1.x - common.x) * (end2.x - common.x) + (end1.y - common.y) * (end2.y - common.y)
            return cross == 0 && dot > 0
        }
        func orientation(_ o: Coordinate, _ s: Coordinate, _ t: Coordinate) -> Double {
            (s.x - o.x) * (t.y - o.y) - (s.y - o.y) * (t.x - o.x)
        }
        func onSegment(_ o: Coordinate, _ s: Coordinate, _ t: Coordinate) -> Bool {
            min(o.x, s.x) <= t.x && t.x <= max(o.x, s.x) && min(o.y, s.y) <= t.y && t.y <= max(o.y, s.y)
        }
        let d1 = orientation(c, d, a), d2 = orientation(c, d, b)
        let d3 = orientation(a, b, c), d4 = orientation(a, b, d)
        if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) { return true }
        if d1 == 0 && onSegment(c, d, a) { return true }
        if d2 == 0 && onSegment(c, d, b) { return true }
        if d3 == 0 && onSegment(a, b, c) { return true }
        if d4 == 0 && onSegment(a, b, d) { return true }
        return false
    }

    /// Arcs with a shortcut that passes over a vertex of another boundary: a vertex inside the
    /// area between the shortcut and the stretch of boundary it replaces.
    func sweptVertices() -> Set<Int32> {
        let changed = arcs.indices.filter(isChanged)
        guard !changed.isEmpty else { return [] }
        var isKept = [Bool](repeating: false, count: original.count)
        for a in arcs.indices { for v in keptIDs(a) { isKept[Int(v)] = true } }
        for r in rings.indices where fixed[r] { for v in rings[r] { isKept[Int(v)] = true } }
        let vertices = isKept.indices.filter { isKept[$0] }
        let tree = STRtree(vertices.map { v in Bounds(minX: metric[v].x, minY: metric[v].y, maxX: metric[v].x, maxY: metric[v].y) })
        var conflicts = Set<Int32>()
        for a in changed {
            let ids = arcs[a]
            let positions = kept[a].map(Int.init)
            for (i, j) in zip(positions, positions.dropFirst()) where j - i >= 2 {
                let stretch = ids[i...j]
                let region = stretch.map { metric[Int($0)] }
                var box = Bounds.empty
                for c in region { box.extend(c) }
                var hit = false
                tree.forEach(intersecting: box) { t in
                    guard !hit else { return }
                    let v = Int32(vertices[t])
                    guard !stretch.contains(v) else { return }
                    if Ring.contains(region, metric[Int(v)]) { hit = true }
                }
                if hit {
                    conflicts.insert(Int32(a))
                    break
                }
            }
        }
        return conflicts
    }

    // MARK: Output

    /// The simplified geometry of a feature in the input's coordinates; nil when none of its
    /// boundaries changed.
    func geometry(feature f: Int, original geometry: Geometry?) -> Geometry? {
        guard let geometry, !featureRings[f].isEmpty else { return nil }
        let changed = featureRings[f].contains { r in ringArcs[Int(r)].contains { isChanged(Int($0.arc)) } }
        guard changed else { return nil }
        var polygons: [[[Coordinate]]] = []
        for r in featureRings[f].map(Int.init) {
            let owner = owners[r]
            var ring: [Coordinate]
            if fixed[r] {
                ring = geometry.polygons[Int(owner.polygon)][Int(owner.ring)]
            } else {
                var ids = simplifiedRing(r)
                // Start where the ring started, when that vertex is kept.
                if let first = rings[r].first, let start = ids.firstIndex(of: first), start > 0 {
                    ids = Array(ids[start...] + ids[..<start])
                }
                ring = ids.map { self.original[Int($0)] }
                ring.append(ring[0])
            }
            if owner.ring == 0 { polygons.append([]) }
            polygons[polygons.count - 1].append(ring)
        }
        if case .polygon = geometry, polygons.count == 1 { return .polygon(polygons[0]) }
        return .multiPolygon(polygons)
    }

    // MARK: Planar measures

    static func squaredLength(_ a: Coordinate, _ b: Coordinate) -> Double {
        (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)
    }

    /// Distance from `p` to the segment ab.
    static func distance(_ p: Coordinate, _ a: Coordinate, _ b: Coordinate) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let length2 = dx * dx + dy * dy
        guard length2 > 0 else { return squaredLength(p, a).squareRoot() }
        let t = max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2))
        return squaredLength(p, Coordinate(a.x + t * dx, a.y + t * dy)).squareRoot()
    }
}
