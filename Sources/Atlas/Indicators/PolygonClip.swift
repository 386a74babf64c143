/// Intersection areas of polygons with convex windows (grid cells, their intersections),
/// in pure Swift: Sutherland–Hodgman clipping against each edge of the window.
///
/// Clipping a ring against a half-plane keeps its winding number inside the half-plane and makes
/// it zero outside, so the shoelace area of the clipped ring is the area of ring ∩ window even
/// when the subject is not convex (the degenerate edges the method leaves along the window's
/// border have no area). A polygon's area is its exterior's minus its holes'.
enum PolygonClip {
    /// A convex polygon as its counter-clockwise vertices (not closed).
    struct ConvexWindow: Sendable {
        var vertices: [Coordinate]
        var bounds: Bounds

        init(counterClockwise vertices: [Coordinate]) {
            self.vertices = vertices
            var b = Bounds.empty
            for v in vertices { b.extend(v) }
            self.bounds = b
        }

        init(_ b: Bounds) {
            self.init(counterClockwise: [
                Coordinate(b.minX, b.minY), Coordinate(b.maxX, b.minY),
                Coordinate(b.maxX, b.maxY), Coordinate(b.minX, b.maxY),
            ])
        }

        /// The window of a single-ring convex polygon, nil for anything else.
        init?(_ geometry: Geometry) {
            let polygons = geometry.polygons
            guard polygons.count == 1, polygons[0].count == 1 else { return nil }
            var ring = polygons[0][0]
            if ring.count > 1, ring.first == ring.last { ring.removeLast() }
            guard ring.count >= 3 else { return nil }
            if Ring.signedArea(ring + [ring[0]]) < 0 { ring.reverse() }
            // Convex: every turn is to the left (collinear vertices allowed).
            let n = ring.count
            for i in 0..<n {
                let a = ring[i], b = ring[(i + 1) % n], c = ring[(i + 2) % n]
                let cross = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x)
                let scale = max(abs(b.x - a.x) + abs(b.y - a.y), abs(c.x - b.x) + abs(c.y - b.y))
                if cross < -1e-12 * scale * scale { return nil }
            }
            self.init(counterClockwise: ring)
        }

        var area: Double { abs(PolygonClip.shoelace(vertices)) }
    }

    /// Area of polygon rings (exterior first, then holes; closed or not) inside the window.
    static func area(of polygons: [[[Coordinate]]], in window: ConvexWindow) -> Double {
        var total = 0.0
        var scratch: [Coordinate] = []
        var output: [Coordinate] = []
        for rings in polygons {
            for (k, ring) in rings.enumerated() {
                guard ringBounds(ring).intersects(window.bounds) else { continue }
                clip(ring, to: window, into: &output, scratch: &scratch)
                let a = abs(shoelace(output))
                total += k == 0 ? a : -a
            }
        }
        return max(0, total)
    }

    /// Area of polygon rings (exterior first, then holes): exteriors' minus holes'.
    static func area(of polygons: [[[Coordinate]]]) -> Double {
        var total = 0.0
        for rings in polygons {
            for (k, ring) in rings.enumerated() {
                let a = abs(shoelace(ring))
                total += k == 0 ? a : -a
            }
        }
        return max(0, total)
    }

    /// The clipped rings themselves (empty rings dropped), for clipping again by a smaller window.
    static func clipped(_ polygons: [[[Coordinate]]], to window: ConvexWindow) -> [[[Coordinate]]] {
        var scratch: [Coordinate] = []
        return clipped(polygons) { ring, output in
            if ringBounds(ring).intersects(window.bounds) {
                clip(ring, to: window, into: &output, scratch: &scratch)
            } else {
                output.removeAll()
            }
        }
    }

    /// One side of an axis-parallel line: half of a block of grid cells.
    struct HalfPlane: Sendable {
        /// The line is x = value when true, else y = value.
        var vertical: Bool
        var value: Double
        /// Keeps the side ≤ value, else the side ≥ value.
        var below: Bool

        /// Positive on the kept side.
        func side(_ p: Coordinate) -> Double {
            let v = vertical ? p.x : p.y
            return below ? value - v : v - value
        }

        /// Where the edge p→q crosses the line, on it exactly.
        func crossing(_ p: Coordinate, _ sp: Double, _ q: Coordinate, _ sq: Double) -> Coordinate {
            let t = sp / (sp - sq)
            return vertical ? Coordinate(value, p.y + (q.y - p.y) * t) : Coordinate(p.x + (q.x - p.x) * t, value)
        }
    }

    /// The rings clipped to a half-plane: one edge of Sutherland–Hodgman, for rings that already
    /// lie in a block being halved (clipping them to the half block's four edges would repeat
    /// three that change nothing).
    static func clipped(_ polygons: [[[Coordinate]]], to half: HalfPlane) -> [[[Coordinate]]] {
        clipped(polygons) { ring, output in
            output.removeAll()
            var n = ring.count
            if n > 1, ring[0] == ring[n - 1] { n -= 1 }
            guard n >= 3 else { return }
            var previous = ring[n - 1]
            var previousSide = half.side(previous)
            for current in ring[0..<n] {
                let currentSide = half.side(current)
                if currentSide >= 0 {
                    if previousSide < 0 { output.append(half.crossing(previous, previousSide, current, currentSide)) }
                    output.append(current)
                } else if previousSide >= 0 {
                    output.append(half.crossing(previous, previousSide, current, currentSide))
                }
                previous = current
                previousSide = currentSide
            }
            if output.count < 3 { output.removeAll() }
        }
    }

    /// Each polygon's rings through `clipRing`, dropping rings that clip to nothing and the
    /// polygons whose exterior does (their holes lie inside it).
    private static func clipped(
        _ polygons: [[[Coordinate]]], _ clipRing: (_ ring: [Coordinate], _ output: inout [Coordinate]) -> Void
    ) -> [[[Coordinate]]] {
        var result: [[[Coordinate]]] = []
        for rings in polygons {
            var kept: [[Coordinate]] = []
            for (k, ring) in rings.enumerated() {
                var output: [Coordinate] = []
                clipRing(ring, &output)
                if output.count >= 3 {
                    kept.append(output)
                } else if k == 0 {
                    break
                }
            }
            if !kept.isEmpty { result.append(kept) }
        }
        return result
    }

    /// Whether a point lies in a polygon: inside an exterior and outside its holes.
    static func contains(_ polygons: [[[Coordinate]]], _ p: Coordinate) -> Bool {
        polygons.contains { rings in
            guard let exterior = rings.first, Ring.contains(exterior, p) else { return false }
            return !rings.dropFirst().contains { Ring.contains($0, p) }
        }
    }

    static func shoelace(_ ring: [Coordinate]) -> Double {
        guard ring.count >= 3 else { return 0 }
        // Relative to the first vertex: SWEREF coordinates are ~10⁶ m, cells ~10² m.
        let origin = ring[0]
        var sum = 0.0
        var px = ring[ring.count - 1].x - origin.x, py = ring[ring.count - 1].y - origin.y
        for c in ring {
            let x = c.x - origin.x, y = c.y - origin.y
            sum += px * y - x * py
            px = x
            py = y
        }
        return sum / 2
    }

    static func ringBounds(_ ring: [Coordinate]) -> Bounds {
        var b = Bounds.empty
        for c in ring { b.extend(c) }
        return b
    }

    /// Sutherland–Hodgman: `ring` clipped by each edge of the window in turn.
    static func clip(_ ring: [Coordinate], to window: ConvexWindow, into output: inout [Coordinate], scratch: inout [Coordinate]) {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: ring)
        if output.count > 1, output.first == output.last { output.removeLast() }
        let w = window.vertices
        for i in 0..<w.count {
            guard output.count >= 3 else {
                output.removeAll(keepingCapacity: true)
                return
            }
            let a = w[i], b = w[(i + 1) % w.count]
            let ex = b.x - a.x, ey = b.y - a.y
            // Positive on the inner (left) side of the edge a→b.
            func side(_ p: Coordinate) -> Double { ex * (p.y - a.y) - ey * (p.x - a.x) }
            swap(&output, &scratch)
            output.removeAll(keepingCapacity: true)
            var previous = scratch[scratch.count - 1]
            var previousSide = side(previous)
            for current in scratch {
                let currentSide = side(current)
                if currentSide >= 0 {
                    if previousSide < 0 { output.append(crossing(previous, previousSide, current, currentSide)) }
                    output.append(current)
                } else if previousSide >= 0 {
                    output.append(crossing(previous, previousSide, current, currentSide))
                }
                previous = current
                previousSide = currentSide
            }
        }
        if output.count < 3 { output.removeAll(keepingCapacity: true) }
    }

    private static func crossing(_ p: Coordinate, _ sp: Double, _ q: Coordinate, _ sq: Double) -> Coordinate {
        let t = sp / (sp - sq)
        return Coordinate(p.x + (q.x - p.x) * t, p.y + (q.y - p.y) * t)
    }
}
