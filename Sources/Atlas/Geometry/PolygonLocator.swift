/// Where a point lies against a polygon or multipolygon, in pure Swift and `Sendable`, so that
/// many points can be placed on all cores without a GEOS context each.
///
/// The answer is GEOS's (`IndexedPointInAreaLocator`, which `PreparedGeometry.coversPoint`
/// asks): a horizontal ray from the point counts the edges it crosses, over every ring; a point
/// on a vertex or an edge is on the boundary. The side of an edge is GEOS's orientation filter
/// in double precision. Where that filter cannot tell (the point lies within rounding error of
/// the edge's line), GEOS goes on in double-double arithmetic: unless the point lies exactly on
/// another edge, `locate` then answers nil and the caller asks GEOS, so that every answer is
/// the one GEOS gives.
///
/// A class, so that handing a locator around costs one reference count rather than one per
/// array it holds.
public final class PolygonLocator: Sendable {
    public enum Location: Sendable, Equatable {
        case interior, boundary, exterior
    }

    /// The edges of all rings, each from a vertex to the next in ring order.
    private let starts: [Coordinate]
    private let ends: [Coordinate]
    /// Edges by horizontal band: band `b` holds `bandEdges[bandFirst[b]..<bandFirst[b + 1]]`,
    /// every edge whose y-range meets the band. Only edges whose y-range holds the point's y
    /// can change the count, so a query reads one band.
    private let bandFirst: [Int]
    private let bandEdges: [Int32]
    private let bandHeight: Double
    private let bandCount: Int
    public let bounds: Bounds

    /// nil for anything but a polygon or multipolygon of closed rings with at least four
    /// positions (GEOS's own requirement), or with more edges than an index can hold.
    public init?(_ geometry: Geometry) {
        let polygons: [[[Coordinate]]]
        switch geometry {
        case .polygon(let rings): polygons = [rings]
        case .multiPolygon(let parts): polygons = parts
        default: return nil
        }
        var starts: [Coordinate] = []
        var ends: [Coordinate] = []
        var bounds = Bounds.empty
        for rings in polygons {
            for ring in rings {
                guard ring.count >= 4, ring.first == ring.last, ring.allSatisfy(\.isFinite) else { return nil }
                for i in 1..<ring.count {
                    starts.append(ring[i - 1])
                    ends.append(ring[i])
                    bounds.extend(ring[i])
                }
            }
        }
        guard !starts.isEmpty, starts.count < Int(Int32.max) else { return nil }
        let (count, height) = Self.bandSize(starts, ends, bounds)
        self.starts = starts
        self.ends = ends
        self.bounds = bounds
        bandCount = count
        bandHeight = height
        (bandFirst, bandEdges) = Self.bands(starts, ends, minY: bounds.minY, height: height, count: count)
    }

    /// About one edge per band; fewer bands when long edges would sit in too many of them.
    private static func bandSize(_ starts: [Coordinate], _ ends: [Coordinate], _ bounds: Bounds) -> (count: Int, height: Double) {
        var count = max(1, min(starts.count, 1 << 16))
        while true {
            let height = bounds.height > 0 ? bounds.height / Double(count) : 1
            let spans = starts.indices.reduce(0) { total, e in
                let (lo, hi) = bandRange(starts[e], ends[e], minY: bounds.minY, height: height, count: count)
                return total + hi - lo + 1
            }
            if count == 1 || spans <= 8 * starts.count { return (count, height) }
            count = max(1, count / 4)
        }
    }

    /// The band of a y: monotonic in y, so every edge whose y-range holds a point's y is listed
    /// in the point's band.
    private static func band(_ y: Double, minY: Double, height: Double, count: Int) -> Int {
        min(count - 1, max(0, Int(((y - minY) / height).rounded(.down))))
    }

    private static func bandRange(_ a: Coordinate, _ b: Coordinate, minY: Double, height: Double, count: Int) -> (Int, Int) {
        (band(min(a.y, b.y), minY: minY, height: height, count: count), band(max(a.y, b.y), minY: minY, height: height, count: count))
    }

    private static func bands(
        _ starts: [Coordinate], _ ends: [Coordinate], minY: Double, height: Double, count: Int
    ) -> ([Int], [Int32]) {
        var first = [Int](repeating: 0, count: count + 1)
        for e in starts.indices {
            let (lo, hi) = bandRange(starts[e], ends[e], minY: minY, height: height, count: count)
            for b in lo...hi { first[b + 1] += 1 }
        }
        for b in 0..<count { first[b + 1] += first[b] }
        var next = first
        var edges = [Int32](repeating: 0, count: first[count])
        for e in starts.indices {
            let (lo, hi) = bandRange(starts[e], ends[e], minY: minY, height: height, count: count)
            for b in lo...hi {
                edges[next[b]] = Int32(e)
                next[b] += 1
            }
        }
        return (first, edges)
    }

    /// The point's location, or nil when GEOS must decide (see the type's comment).
    public func locate(_ p: Coordinate) -> Location? {
        guard p.isFinite else { return nil }
        guard bounds.contains(p) else { return .exterior }
        let b = Self.band(p.y, minY: bounds.minY, height: bandHeight, count: bandCount)
        var crossings = 0
        var undecided = false
        for k in bandFirst[b]..<bandFirst[b + 1] {
            let e = Int(bandEdges[k])
            switch Self.crossing(starts[e], ends[e], p) {
            case .onEdge: return .boundary
            case .crosses: crossings += 1
            case .misses: break
            // A point found on another edge is on the boundary whatever this edge says.
            case .undecided: undecided = true
            }
        }
        if undecided { return nil }
        return crossings % 2 == 1 ? .interior : .exterior
    }

    enum Crossing { case misses, crosses, onEdge, undecided }

    /// GEOS's `RayCrossingCounter::countSegment` for the edge p1 → p2 and the ray going right from p.
    static func crossing(_ p1: Coordinate, _ p2: Coordinate, _ p: Coordinate) -> Crossing {
        if p1.x < p.x && p2.x < p.x { return .misses }
        if p.x == p2.x && p.y == p2.y { return .onEdge }
        if p1.y == p.y && p2.y == p.y {
            return p.x >= min(p1.x, p2.x) && p.x <= max(p1.x, p2.x) ? .onEdge : .misses
        }
        // An upward edge includes its start and excludes its end, a downward one the reverse,
        // so that a ray through a vertex counts once.
        guard (p1.y > p.y && p2.y <= p.y) || (p2.y > p.y && p1.y <= p.y) else { return .misses }
        guard var sign = orientation(p1, p2, p) else { return .undecided }
        if sign == 0 { return .onEdge }
        if p2.y < p1.y { sign = -sign }
        return sign > 0 ? .crosses : .misses
    }

    /// The side of p against the line a → b (1 left, −1 right, 0 on it) by GEOS's
    /// `CGAlgorithmsDD::orientationIndexFilter`, operation for operation; nil when the
    /// determinant is too small against its rounding error to trust its sign.
    static func orientation(_ a: Coordinate, _ b: Coordinate, _ c: Coordinate) -> Int? {
        let detLeft = (a.x - c.x) * (b.y - c.y)
        let detRight = (a.y - c.y) * (b.x - c.x)
        let det = detLeft - detRight
        let detSum: Double
        if detLeft > 0 {
            guard detRight > 0 else { return sign(det) }
            detSum = detLeft + detRight
        } else if detLeft < 0 {
            guard detRight < 0 else { return sign(det) }
            detSum = -detLeft - detRight
        } else {
            return sign(det)
        }
        let errorBound = 1e-15 * detSum
        return det >= errorBound || -det >= errorBound ? sign(det) : nil
    }

    private static func sign(_ x: Double) -> Int { x > 0 ? 1 : x < 0 ? -1 : 0 }
}
