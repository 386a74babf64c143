import CGEOS

/// A geometry indexed by GEOS for many predicate tests against it (point-in-polygon and the like).
///
/// Confined to the thread of its context, like `GEOSGeometry`. It keeps the geometry it was
/// prepared from alive, since GEOS's prepared form points into it.
public final class PreparedGeometry {
    public let geometry: GEOSGeometry
    private let prepared: OpaquePointer
    /// Lets `containsPoint` reject points outside the bounding box without calling GEOS.
    private let bounds: Bounds

    public init(_ geometry: GEOSGeometry) throws {
        self.geometry = geometry
        let context = geometry.context
        self.prepared = try context.check("prepare", GEOSPrepare_r(context.handle, geometry.pointer))
        self.bounds = try geometry.bounds ?? .empty
    }

    public convenience init(_ geometry: Geometry, context: GEOSContext) throws {
        try self.init(GEOSGeometry(geometry, context: context))
    }

    deinit {
        GEOSPreparedGeom_destroy_r(geometry.context.handle, prepared)
    }

    public var context: GEOSContext { geometry.context }

    public func contains(_ other: GEOSGeometry) throws -> Bool {
        try predicate("prepared contains", other) { GEOSPreparedContains_r(context.handle, $0, $1) }
    }

    public func covers(_ other: GEOSGeometry) throws -> Bool {
        try predicate("prepared covers", other) { GEOSPreparedCovers_r(context.handle, $0, $1) }
    }

    public func intersects(_ other: GEOSGeometry) throws -> Bool {
        try predicate("prepared intersects", other) { GEOSPreparedIntersects_r(context.handle, $0, $1) }
    }

    /// `contains` for a bare coordinate. GEOS 3.11 has no GEOSPreparedContainsXY, and a point
    /// cannot be reused by moving its coordinate (GEOS caches the point's envelope, giving stale
    /// answers), so each call builds a short-lived point after a bounding-box check.
    public func containsPoint(_ c: Coordinate) throws -> Bool {
        guard bounds.contains(c) else { return false }
        let h = context.handle
        let point = try context.check("point creation", GEOSGeom_createPointFromXY_r(h, c.x, c.y))
        defer { GEOSGeom_destroy_r(h, point) }
        return try withExtendedLifetime(self) {
            try context.checkPredicate("prepared contains", GEOSPreparedContains_r(h, prepared, point))
        }
    }

    /// `covers` for a bare coordinate: a point on the boundary counts.
    public func coversPoint(_ c: Coordinate) throws -> Bool {
        guard bounds.contains(c) else { return false }
        let h = context.handle
        let point = try context.check("point creation", GEOSGeom_createPointFromXY_r(h, c.x, c.y))
        defer { GEOSGeom_destroy_r(h, point) }
        return try withExtendedLifetime(self) {
            try context.checkPredicate("prepared covers", GEOSPreparedCovers_r(h, prepared, point))
        }
    }

    private func predicate(_ name: String, _ other: GEOSGeometry, _ call: (OpaquePointer, OpaquePointer) -> CChar) throws -> Bool {
        try withExtendedLifetime((self, other)) {
            try context.checkPredicate(name, call(prepared, other.pointer))
        }
    }
}

@available(*, unavailable, message: "a prepared geometry belongs to its context's thread")
extension PreparedGeometry: Sendable {}
