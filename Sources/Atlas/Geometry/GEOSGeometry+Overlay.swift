import CGEOS

extension GEOSGeometry {
    /// The area within `distance` (CRS units), arcs approximated by `quadrantSegments` segments
    /// per quarter circle.
    public func buffer(distance: Double, quadrantSegments: Int = 8) throws -> GEOSGeometry {
        try derived("buffer") { GEOSBuffer_r(context.handle, $0, distance, Int32(quadrantSegments)) }
    }

    /// Dissolves the parts of this geometry into one, e.g. merging the polygons of a collection.
    public func unaryUnion() throws -> GEOSGeometry {
        try derived("unaryUnion") { GEOSUnaryUnion_r(context.handle, $0) }
    }

    public func union(_ other: GEOSGeometry) throws -> GEOSGeometry {
        try binary("union", other) { GEOSUnion_r(context.handle, $0, $1) }
    }

    public func intersection(_ other: GEOSGeometry) throws -> GEOSGeometry {
        try binary("intersection", other) { GEOSIntersection_r(context.handle, $0, $1) }
    }

    public func difference(_ other: GEOSGeometry) throws -> GEOSGeometry {
        try binary("difference", other) { GEOSDifference_r(context.handle, $0, $1) }
    }

    /// The union of many geometries in one cascaded pass, much faster than folding `union`.
    /// An empty list gives an empty collection.
    public static func unaryUnion(of geometries: [GEOSGeometry], context: GEOSContext) throws -> GEOSGeometry {
        let h = context.handle
        // The collection takes ownership of its parts, so it gets clones.
        let parts = try withExtendedLifetime(geometries) {
            try GEOSGeometry.makeParts(geometries, context) { try context.check("clone", GEOSGeom_clone_r(h, $0.pointer)) }
        }
        let collection = GEOSGeometry(
            owning: try GEOSGeometry.collection(GEOS_GEOMETRYCOLLECTION, parts, context), context: context)
        return try collection.unaryUnion()
    }

    func binary(
        _ name: String, _ other: GEOSGeometry, _ call: (OpaquePointer, OpaquePointer) -> OpaquePointer?
    ) throws -> GEOSGeometry {
        try withExtendedLifetime(other) {
            try derived(name) { call($0, other.pointer) }
        }
    }
}
