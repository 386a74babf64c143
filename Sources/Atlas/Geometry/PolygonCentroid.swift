/// The centroid of a polygon without holes, as GEOS computes it (`algorithm::Centroid`):
/// a fan of triangles from the ring's first vertex, their centroids weighted by twice their
/// signed area and summed in ring order, operation for operation, so that the result is GEOS's
/// to the last bit. Pure Swift, for placing many cells on all cores.
public enum PolygonCentroid {
    /// `vertices`: the ring without the closing repeat of its first position. nil for fewer than
    /// three vertices or a ring without area: GEOS then takes the centroid of the ring as a line,
    /// which this leaves to GEOS.
    ///
    /// GEOS multiplies each term by −1 for a counter-clockwise shell; negation is exact, so
    /// the sums come out negated and their quotient unchanged, and the orientation is not needed.
    public static func ofRing(vertices: UnsafeBufferPointer<Coordinate>) -> Coordinate? {
        let n = vertices.count
        guard n >= 3 else { return nil }
        let base = vertices[0]
        var sumX = 0.0, sumY = 0.0, doubleArea = 0.0
        for i in 0..<n {
            let p = vertices[i], q = vertices[i + 1 < n ? i + 1 : 0]
            let a2 = (p.x - base.x) * (q.y - base.y) - (q.x - base.x) * (p.y - base.y)
            sumX += a2 * (base.x + p.x + q.x)
            sumY += a2 * (base.y + p.y + q.y)
            doubleArea += a2
        }
        guard abs(doubleArea) > 0, doubleArea.isFinite else { return nil }
        return Coordinate(sumX / 3 / doubleArea, sumY / 3 / doubleArea)
    }
}
