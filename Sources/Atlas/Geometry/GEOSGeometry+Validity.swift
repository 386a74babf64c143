import CGEOS

extension GEOSGeometry {
    /// OGC validity: closed, non-self-intersecting rings, holes inside shells, and so on.
    public var isValid: Bool {
        get throws { try withPointer { try context.checkPredicate("isValid", GEOSisValid_r(context.handle, $0)) } }
    }

    /// GEOS's explanation, e.g. "Self-intersection[0.5 0.5]", or "Valid Geometry".
    public var validityReason: String {
        get throws {
            try withPointer {
                guard let reason = GEOSisValidReason_r(context.handle, $0) else { throw context.error("isValidReason") }
                defer { GEOSFree_r(context.handle, reason) }
                return String(cString: reason)
            }
        }
    }

    /// A valid geometry covering the same points, without dropping any vertex (GEOS's "linework"
    /// method): a bow-tie becomes a multipolygon of its two triangles.
    public func makeValid() throws -> GEOSGeometry {
        try withPointer {
            GEOSGeometry(owning: try context.check("makeValid", GEOSMakeValid_r(context.handle, $0)), context: context)
        }
    }

    /// The geometry snap-rounded to a grid of `gridSize` (GEOS's precision model): valid, with
    /// parts that collapse at that precision dropped.
    public func snapRounded(gridSize: Double) throws -> GEOSGeometry {
        try withPointer {
            GEOSGeometry(
                owning: try context.check("setPrecision", GEOSGeom_setPrecision_r(context.handle, $0, gridSize, 0)), context: context)
        }
    }
}
