import CGEOS

/// Measures are in the units of the geometry's CRS: project to a metric CRS first
/// (`Layer.toMetric()`), never measure in degrees.
extension GEOSGeometry {
    public var area: Double {
        get throws { try measure("area") { GEOSArea_r(context.handle, $0, $1) } }
    }

    public var length: Double {
        get throws { try measure("length") { GEOSLength_r(context.handle, $0, $1) } }
    }

    /// The shortest distance between the two geometries (0 when they intersect).
    public func distance(to other: GEOSGeometry) throws -> Double {
        try withExtendedLifetime(other) {
            try measure("distance") { GEOSDistance_r(context.handle, $0, other.pointer, $1) }
        }
    }

    public var centroid: GEOSGeometry {
        get throws { try derived("centroid") { GEOSGetCentroid_r(context.handle, $0) } }
    }

    /// A point guaranteed to lie in the interior of a polygon (unlike the centroid).
    public var pointOnSurface: GEOSGeometry {
        get throws { try derived("pointOnSurface") { GEOSPointOnSurface_r(context.handle, $0) } }
    }

    /// The bounding rectangle as a GEOS polygon (a point for a point).
    public var envelope: GEOSGeometry {
        get throws { try derived("envelope") { GEOSEnvelope_r(context.handle, $0) } }
    }

    /// The bounding rectangle, nil for an empty geometry.
    public var bounds: Bounds? {
        get throws {
            if try isEmpty { return nil }
            return try withPointer { p in
                let h = context.handle
                var b = Bounds.empty
                try context.checkStatus("bounds", GEOSGeom_getXMin_r(h, p, &b.minX))
                try context.checkStatus("bounds", GEOSGeom_getYMin_r(h, p, &b.minY))
                try context.checkStatus("bounds", GEOSGeom_getXMax_r(h, p, &b.maxX))
                try context.checkStatus("bounds", GEOSGeom_getYMax_r(h, p, &b.maxY))
                return b
            }
        }
    }

    func measure(_ name: String, _ call: (OpaquePointer, UnsafeMutablePointer<Double>) -> Int32) throws -> Double {
        try withPointer { p in
            var value = 0.0
            try context.checkStatus(name, call(p, &value))
            return value
        }
    }

    /// Wraps a call returning a new geometry (NULL on failure).
    func derived(_ name: String, _ call: (OpaquePointer) -> OpaquePointer?) throws -> GEOSGeometry {
        try withPointer { GEOSGeometry(owning: try context.check(name, call($0)), context: context) }
    }
}
