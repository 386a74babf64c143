/// A position in the layer's CRS: x/y, or lon/lat for geographic CRSs (always this order).
public struct Coordinate: Hashable, Sendable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    public var isFinite: Bool { x.isFinite && y.isFinite }
}

/// A plain-value geometry, the currency between readers, writers and the GEOS wrapper.
/// Polygons are lists of rings, exterior first; rings are closed (first == last).
public enum Geometry: Hashable, Sendable {
    case point(Coordinate)
    case multiPoint([Coordinate])
    case lineString([Coordinate])
    case multiLineString([[Coordinate]])
    case polygon([[Coordinate]])
    case multiPolygon([[[Coordinate]]])
    case collection([Geometry])

    public var typeName: String {
        switch self {
        case .point: "Point"
        case .multiPoint: "MultiPoint"
        case .lineString: "LineString"
        case .multiLineString: "MultiLineString"
        case .polygon: "Polygon"
        case .multiPolygon: "MultiPolygon"
        case .collection: "GeometryCollection"
        }
    }

    /// Calls `body` for every coordinate, in order.
    public func forEachCoordinate(_ body: (Coordinate) throws -> Void) rethrows {
        switch self {
        case .point(let c): try body(c)
        case .multiPoint(let cs), .lineString(let cs): for c in cs { try body(c) }
        case .multiLineString(let lines), .polygon(let lines):
            for line in lines { for c in line { try body(c) } }
        case .multiPolygon(let polygons):
            for rings in polygons { for ring in rings { for c in ring { try body(c) } } }
        case .collection(let parts): for part in parts { try part.forEachCoordinate(body) }
        }
    }

    /// The same geometry with every coordinate replaced by `transform(coordinate)`.
    public func mapCoordinates(_ transform: (Coordinate) throws -> Coordinate) rethrows -> Geometry {
        switch self {
        case .point(let c): return .point(try transform(c))
        case .multiPoint(let cs): return .multiPoint(try cs.map(transform))
        case .lineString(let cs): return .lineString(try cs.map(transform))
        case .multiLineString(let lines): return .multiLineString(try lines.map { try $0.map(transform) })
        case .polygon(let rings): return .polygon(try rings.map { try $0.map(transform) })
        case .multiPolygon(let polygons):
            return .multiPolygon(try polygons.map { try $0.map { try $0.map(transform) } })
        case .collection(let parts): return .collection(try parts.map { try $0.mapCoordinates(transform) })
        }
    }

    public var bounds: Bounds? {
        var b = Bounds.empty
        extend(&b)
        return b.isEmpty ? nil : b
    }

    /// Extends `bounds` by every coordinate.
    func extend(_ bounds: inout Bounds) {
        forEachCoordinate { bounds.extend($0) }
    }

    /// The polygons of a polygonal geometry (empty for points and lines).
    public var polygons: [[[Coordinate]]] {
        switch self {
        case .polygon(let rings): [rings]
        case .multiPolygon(let polygons): polygons
        case .collection(let parts): parts.flatMap(\.polygons)
        default: []
        }
    }

    /// The points of a puntal geometry (empty for lines and polygons).
    public var points: [Coordinate] {
        switch self {
        case .point(let c): [c]
        case .multiPoint(let cs): cs
        case .collection(let parts): parts.flatMap(\.points)
        default: []
        }
    }
}

/// An axis-aligned rectangle.
public struct Bounds: Hashable, Sendable {
    public var minX: Double, minY: Double, maxX: Double, maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    public static let empty = Bounds(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)

    public var isEmpty: Bool { minX > maxX || minY > maxY }
    public var center: Coordinate { Coordinate((minX + maxX) / 2, (minY + maxY) / 2) }
    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }

    public mutating func extend(_ c: Coordinate) {
        if c.x < minX { minX = c.x }
        if c.x > maxX { maxX = c.x }
        if c.y < minY { minY = c.y }
        if c.y > maxY { maxY = c.y }
    }

    public mutating func extend(_ other: Bounds) {
        guard !other.isEmpty else { return }
        extend(Coordinate(other.minX, other.minY))
        extend(Coordinate(other.maxX, other.maxY))
    }

    public func intersects(_ other: Bounds) -> Bool {
        !(other.minX > maxX || other.maxX < minX || other.minY > maxY || other.maxY < minY)
    }

    public func contains(_ c: Coordinate) -> Bool {
        c.x >= minX && c.x <= maxX && c.y >= minY && c.y <= maxY
    }
}

/// Planar ring measures, used for orientation and for assembling shapefile rings.
public enum Ring {
    /// Shoelace area: positive for counter-clockwise rings.
    public static func signedArea(_ ring: [Coordinate]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var sum = 0.0
        var previous = ring[ring.count - 1]
        for c in ring {
            sum += (previous.x - c.x) * (previous.y + c.y)
            previous = c
        }
        return sum / 2
    }

    public static func isCounterClockwise(_ ring: [Coordinate]) -> Bool { signedArea(ring) > 0 }

    /// Even-odd point-in-ring test.
    public static func contains(_ ring: [Coordinate], _ p: Coordinate) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let a = ring[i], b = ring[j]
            if (a.y > p.y) != (b.y > p.y),
                p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x
            {
                inside.toggle()
            }
            j = i
        }
        return inside
    }
}
