import CGEOS

/// DE-9IM predicates. For many tests against one geometry use `PreparedGeometry`.
extension GEOSGeometry {
    public func intersects(_ other: GEOSGeometry) throws -> Bool {
        try predicate("intersects", other) { GEOSIntersects_r(context.handle, $0, $1) }
    }

    /// True when `other` lies in this geometry and touches its interior (boundary alone does not count).
    public func contains(_ other: GEOSGeometry) throws -> Bool {
        try predicate("contains", other) { GEOSContains_r(context.handle, $0, $1) }
    }

    /// Like `contains` but a point on the boundary counts: the test for "in this area".
    public func covers(_ other: GEOSGeometry) throws -> Bool {
        try predicate("covers", other) { GEOSCovers_r(context.handle, $0, $1) }
    }

    public func within(_ other: GEOSGeometry) throws -> Bool {
        try predicate("within", other) { GEOSWithin_r(context.handle, $0, $1) }
    }

    func predicate(_ name: String, _ other: GEOSGeometry, _ call: (OpaquePointer, OpaquePointer) -> CChar) throws -> Bool {
        try withExtendedLifetime(other) {
            try withPointer { try context.checkPredicate(name, call($0, other.pointer)) }
        }
    }
}
