import CShapelib

/// Turns shapelib objects into `Geometry` values: Z and M are dropped, polygon parts are
/// assembled into polygons with holes. Errors carry only the message; the reader adds the
/// file and record.
enum ShapeConversion {
    static func geometry(of object: SHPObject) throws -> Geometry? {
        let count = Int(object.nVertices)
        guard object.nSHPType != SHPT_NULL, count > 0 else { return nil }
        guard let xs = object.padfX, let ys = object.padfY else {
            throw AtlasError("shapelib returned no coordinates")
        }
        switch object.nSHPType {
        case SHPT_POINT, SHPT_POINTZ, SHPT_POINTM:
            return .point(try coordinates(xs, ys, 0..<1)[0])
        case SHPT_MULTIPOINT, SHPT_MULTIPOINTZ, SHPT_MULTIPOINTM:
            return .multiPoint(try coordinates(xs, ys, 0..<count))
        case SHPT_ARC, SHPT_ARCZ, SHPT_ARCM:
            let lines = try parts(of: object).enumerated().map { number, range in
                guard range.count >= 2 else {
                    throw AtlasError("line part \(number + 1) has \(range.count) point(s), a line needs 2")
                }
                return try coordinates(xs, ys, range)
            }
            return lines.count == 1 ? .lineString(lines[0]) : .multiLineString(lines)
        case SHPT_POLYGON, SHPT_POLYGONZ, SHPT_POLYGONM:
            let rings = try parts(of: object).enumerated().map { number, range in
                try ring(coordinates(xs, ys, range), number: number + 1)
            }
            return try assemblePolygons(rings)
        case SHPT_MULTIPATCH:
            throw AtlasError("multipatch shapes (3D surfaces) are not supported")
        default:
            throw AtlasError("unknown shape type \(object.nSHPType)")
        }
    }

    /// "polygon (5)", "point Z (11)", … for messages.
    static func typeName(_ type: Int32) -> String {
        let names: [Int32: String] = [
            SHPT_NULL: "null shape", SHPT_POINT: "point", SHPT_ARC: "polyline", SHPT_POLYGON: "polygon",
            SHPT_MULTIPOINT: "multipoint", SHPT_POINTZ: "point Z", SHPT_ARCZ: "polyline Z", SHPT_POLYGONZ: "polygon Z",
            SHPT_MULTIPOINTZ: "multipoint Z", SHPT_POINTM: "point M", SHPT_ARCM: "polyline M", SHPT_POLYGONM: "polygon M",
            SHPT_MULTIPOINTM: "multipoint M", SHPT_MULTIPATCH: "multipatch",
        ]
        return "\(names[type] ?? "shape of unknown type") (\(type))"
    }

    /// The vertex ranges of the parts, checked against the vertex count.
    private static func parts(of object: SHPObject) throws -> [Range<Int>] {
        let count = Int(object.nVertices)
        let partCount = Int(object.nParts)
        guard partCount > 0, let starts = object.panPartStart else { return [0..<count] }
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(partCount)
        for i in 0..<partCount {
            let start = Int(starts[i])
            let end = i + 1 < partCount ? Int(starts[i + 1]) : count
            guard start >= 0, start <= end, end <= count else {
                throw AtlasError("part \(i + 1) has an invalid vertex range \(start)..<\(end) of \(count)")
            }
            ranges.append(start..<end)
        }
        return ranges
    }

    private static func coordinates(
        _ xs: UnsafeMutablePointer<Double>, _ ys: UnsafeMutablePointer<Double>, _ range: Range<Int>
    ) throws -> [Coordinate] {
        var result: [Coordinate] = []
        result.reserveCapacity(range.count + 1)
        for i in range {
            let c = Coordinate(xs[i], ys[i])
            guard c.isFinite else { throw AtlasError("vertex \(i + 1) is not finite (\(c.x), \(c.y))") }
            result.append(c)
        }
        return result
    }

    /// A closed ring: one left open is closed when it has at least 3 distinct points.
    static func ring(_ points: [Coordinate], number: Int) throws -> [Coordinate] {
        if points.count >= 4, points.first == points.last { return points }
        var distinct: [Coordinate] = []
        for p in points where !distinct.contains(p) {
            distinct.append(p)
            if distinct.count == 3 { break }
        }
        guard distinct.count >= 3 else {
            throw AtlasError("ring \(number) has \(distinct.count) distinct point(s), a ring needs 3")
        }
        var closed = points
        if closed.first != closed.last { closed.append(closed[0]) }
        return closed
    }

    /// Groups rings into polygons. In a shapefile exteriors are clockwise and holes
    /// counter-clockwise; each hole goes to the smallest exterior that contains it, a hole that
    /// no exterior contains becomes a polygon of its own. Files written with no clockwise ring
    /// at all ignore the rule, so there nesting alone decides: a ring inside an even number of
    /// rings is an exterior, inside an odd number a hole.
    ///
    /// Candidates come from an R-tree of the rings' boxes, smallest first, so a record of many
    /// separate rings costs about n log n; rings nested many deep still meet every ring around
    /// them, and a record that would take more than `limits` is refused.
    static func assemblePolygons(_ rings: [[Coordinate]], limits: RingComparisons.Limits = .init()) throws -> Geometry {
        if rings.count == 1 { return .polygon(rings) }
        let outlines = rings.map(Outline.init)
        let exteriors = outlines.indices.filter { outlines[$0].signedArea <= 0 }
        var budget = RingComparisons(rings: rings.count, limits: limits)
        let polygons =
            exteriors.isEmpty
            ? try assembleByNesting(rings, outlines, &budget)
            : try assembleByOrientation(rings, outlines, exteriors: exteriors, &budget)
        return polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons)
    }

    /// The work ring assembly may do on one record: pairs of rings whose boxes nest, and
    /// vertices tested against rings; each limit is about a second.
    struct RingComparisons {
        struct Limits {
            var pairs = 50_000_000
            var vertexTests = 1_000_000_000
        }

        let rings: Int
        let limits: Limits
        var pairs = 0
        var vertexTests = 0

        mutating func pair() throws {
            pairs += 1
            guard pairs <= limits.pairs else {
                throw AtlasError(
                    "its \(rings) rings nest too deeply to be assembled into polygons (over \(limits.pairs) pairs of rings to compare)")
            }
        }

        /// Before testing whether a ring lies in one of `vertices` vertices (5 sample points).
        mutating func containmentTest(_ vertices: Int) throws {
            vertexTests += 5 * vertices
            guard vertexTests <= limits.vertexTests else {
                throw AtlasError(
                    "its \(rings) rings are too many and too large to be assembled into polygons (over"
                        + " \(limits.vertexTests) vertex tests)")
            }
        }
    }

    private static func assembleByOrientation(
        _ rings: [[Coordinate]], _ outlines: [Outline], exteriors: [Int], _ budget: inout RingComparisons
    ) throws -> [[[Coordinate]]] {
        var polygons = exteriors.map { [rings[$0]] }
        var orphans: [[[Coordinate]]] = []
        let tree = STRtree(exteriors.map { outlines[$0].bounds })
        for hole in outlines.indices where outlines[hole].signedArea > 0 {
            if exteriors.count == 1 {
                polygons[0].append(rings[hole])
                continue
            }
            // An exterior whose box encloses the hole's holds its first vertex: a point query.
            let at = rings[hole][0]
            var candidates: [Int] = []
            try tree.forEach(intersecting: Bounds(minX: at.x, minY: at.y, maxX: at.x, maxY: at.y)) { k in
                try budget.pair()
                if outlines[exteriors[k]].bounds.encloses(outlines[hole].bounds) { candidates.append(k) }
            }
            // Smallest first, so the first exterior that contains the hole is the tightest.
            candidates.sort { (outlines[exteriors[$0]].area, $0) < (outlines[exteriors[$1]].area, $1) }
            var owner: Int?
            if candidates.count == 1 {
                owner = candidates[0]
            } else {
                for k in candidates {
                    try budget.containmentTest(rings[exteriors[k]].count)
                    if outlines[exteriors[k]].contains(rings[hole], ring: rings[exteriors[k]]) {
                        owner = k
                        break
                    }
                }
            }
            if let owner {
                polygons[owner].append(rings[hole])
            } else {
                orphans.append([rings[hole]])
            }
        }
        return polygons + orphans
    }

    private static func assembleByNesting(
        _ rings: [[Coordinate]], _ outlines: [Outline], _ budget: inout RingComparisons
    ) throws -> [[[Coordinate]]] {
        let byDescendingSize = outlines.indices.sorted { (outlines[$0].area, $1) > (outlines[$1].area, $0) }
        var rank = [Int](repeating: 0, count: rings.count)
        for (position, i) in byDescendingSize.enumerated() { rank[i] = position }
        let tree = STRtree(outlines.map(\.bounds))
        var depth = [Int](repeating: 0, count: rings.count)
        var parent = [Int?](repeating: nil, count: rings.count)
        for i in byDescendingSize {
            // The tightest container is the smallest larger ring that contains this one.
            let at = rings[i][0]
            var candidates: [Int] = []
            try tree.forEach(intersecting: Bounds(minX: at.x, minY: at.y, maxX: at.x, maxY: at.y)) { j in
                try budget.pair()
                if rank[j] < rank[i], outlines[j].bounds.encloses(outlines[i].bounds) { candidates.append(j) }
            }
            candidates.sort { rank[$0] > rank[$1] }
            for j in candidates {
                try budget.containmentTest(rings[j].count)
                if outlines[j].contains(rings[i], ring: rings[j]) {
                    parent[i] = j
                    depth[i] = depth[j] + 1
                    break
                }
            }
        }
        var polygonOf = [Int: Int]()
        var polygons: [[[Coordinate]]] = []
        for i in rings.indices where depth[i] % 2 == 0 {
            polygonOf[i] = polygons.count
            polygons.append([rings[i]])
        }
        for i in rings.indices where depth[i] % 2 == 1 {
            polygons[polygonOf[parent[i]!]!].append(rings[i])
        }
        return polygons
    }

    private struct Outline {
        let signedArea: Double
        let area: Double
        let bounds: Bounds

        init(_ ring: [Coordinate]) {
            signedArea = Ring.signedArea(ring)
            area = abs(signedArea)
            var b = Bounds.empty
            for c in ring { b.extend(c) }
            bounds = b
        }

        /// Whether `inner` lies inside `ring` (this outline's ring), judged by a majority of up
        /// to 5 of its vertices, so that a hole touching the exterior at a vertex still counts.
        func contains(_ inner: [Coordinate], ring: [Coordinate]) -> Bool {
            let samples = min(5, max(inner.count - 1, 1))
            var inside = 0
            for k in 0..<samples where Ring.contains(ring, inner[k * max(inner.count - 1, 1) / samples]) {
                inside += 1
            }
            return inside * 2 > samples
        }
    }
}

extension Bounds {
    /// Whether `other` lies within these bounds (edges included).
    fileprivate func encloses(_ other: Bounds) -> Bool {
        other.minX >= minX && other.maxX <= maxX && other.minY >= minY && other.maxY <= maxY
    }
}
