import CGEOS

/// A geometry held by GEOS, freed when the last Swift reference goes.
///
/// Confined to the thread of its `context` (see `GEOSContext`). The raw `pointer` must only be
/// used while `self` is alive: code that reads it from a local goes through `withPointer`, so the
/// optimiser cannot free the geometry before GEOS is done with it.
public final class GEOSGeometry {
    public let context: GEOSContext
    let pointer: OpaquePointer

    /// Takes ownership of a geometry GEOS returned.
    init(owning pointer: OpaquePointer, context: GEOSContext) {
        self.pointer = pointer
        self.context = context
    }

    deinit {
        GEOSGeom_destroy_r(context.handle, pointer)
    }

    /// Builds the GEOS geometry for a value, copying coordinates in bulk.
    /// Rings must be closed with at least four positions, as GEOS requires.
    public convenience init(_ geometry: Geometry, context: GEOSContext) throws {
        self.init(owning: try GEOSGeometry.make(geometry, context), context: context)
    }

    func withPointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    /// The value form. Empty points come back as an empty `.multiPoint`, the value type
    /// having no empty point.
    public func toGeometry() throws -> Geometry {
        try withPointer { try GEOSGeometry.value(of: $0, context) }
    }

    public var isEmpty: Bool {
        get throws { try withPointer { try context.checkPredicate("isEmpty", GEOSisEmpty_r(context.handle, $0)) } }
    }

    /// The OGC type name, e.g. "Polygon".
    public var typeName: String {
        get throws {
            try withPointer {
                guard let name = GEOSGeomType_r(context.handle, $0) else { throw context.error("geometry type") }
                defer { GEOSFree_r(context.handle, name) }
                return String(cString: name)
            }
        }
    }
}

@available(*, unavailable, message: "a GEOS geometry belongs to its context's thread; send WKB or a Geometry value")
extension GEOSGeometry: Sendable {}

extension GEOSGeometry {
    static func make(_ geometry: Geometry, _ context: GEOSContext) throws -> OpaquePointer {
        let h = context.handle
        switch geometry {
        case .point(let c):
            return try context.check("point creation", GEOSGeom_createPointFromXY_r(h, c.x, c.y))
        case .multiPoint(let cs):
            let parts = try makeParts(cs, context) {
                try context.check("point creation", GEOSGeom_createPointFromXY_r(h, $0.x, $0.y))
            }
            return try collection(GEOS_MULTIPOINT, parts, context)
        case .lineString(let cs):
            return try lineString(cs, context)
        case .multiLineString(let lines):
            return try collection(GEOS_MULTILINESTRING, try makeParts(lines, context) { try lineString($0, context) }, context)
        case .polygon(let rings):
            return try polygon(rings, context)
        case .multiPolygon(let polygons):
            return try collection(GEOS_MULTIPOLYGON, try makeParts(polygons, context) { try polygon($0, context) }, context)
        case .collection(let members):
            return try collection(GEOS_GEOMETRYCOLLECTION, try makeParts(members, context) { try make($0, context) }, context)
        }
    }

    /// Makes one GEOS part per item, freeing those already made if a later one fails.
    static func makeParts<T>(
        _ items: [T], _ context: GEOSContext, _ make: (T) throws -> OpaquePointer
    ) throws -> [OpaquePointer?] {
        var parts: [OpaquePointer?] = []
        parts.reserveCapacity(items.count)
        do {
            for item in items { parts.append(try make(item)) }
        } catch {
            for part in parts { GEOSGeom_destroy_r(context.handle, part) }
            throw error
        }
        return parts
    }

    /// GEOS takes ownership of the parts, also when it fails.
    static func collection(_ type: GEOSGeomTypes, _ parts: [OpaquePointer?], _ context: GEOSContext) throws -> OpaquePointer {
        var parts = parts
        let result = parts.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(context.handle, Int32(type.rawValue), $0.baseAddress, UInt32($0.count))
        }
        return try context.check("collection creation", result)
    }

    static func sequence(_ coordinates: [Coordinate], _ context: GEOSContext) throws -> OpaquePointer {
        let result = coordinates.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: Double.self) {
                GEOSCoordSeq_copyFromBuffer_r(context.handle, $0.baseAddress, UInt32(coordinates.count), 0, 0)
            }
        }
        return try context.check("coordinate sequence creation", result)
    }

    static func lineString(_ coordinates: [Coordinate], _ context: GEOSContext) throws -> OpaquePointer {
        if coordinates.isEmpty {
            return try context.check("line creation", GEOSGeom_createEmptyLineString_r(context.handle))
        }
        let seq = try sequence(coordinates, context)
        return try context.check("line creation", GEOSGeom_createLineString_r(context.handle, seq))
    }

    static func linearRing(_ coordinates: [Coordinate], _ context: GEOSContext) throws -> OpaquePointer {
        let seq = try sequence(coordinates, context)
        return try context.check("ring creation", GEOSGeom_createLinearRing_r(context.handle, seq))
    }

    static func polygon(_ rings: [[Coordinate]], _ context: GEOSContext) throws -> OpaquePointer {
        guard let exterior = rings.first else {
            return try context.check("polygon creation", GEOSGeom_createEmptyPolygon_r(context.handle))
        }
        let shell = try linearRing(exterior, context)
        let holes: [OpaquePointer?]
        do {
            holes = try makeParts(Array(rings.dropFirst()), context) { try linearRing($0, context) }
        } catch {
            GEOSGeom_destroy_r(context.handle, shell)
            throw error
        }
        var holePointers = holes
        let result = holePointers.withUnsafeMutableBufferPointer {
            GEOSGeom_createPolygon_r(context.handle, shell, $0.baseAddress, UInt32($0.count))
        }
        return try context.check("polygon creation", result)
    }

    static func coordinates(ofSequence seq: OpaquePointer, _ context: GEOSContext) throws -> [Coordinate] {
        var size: UInt32 = 0
        try context.checkStatus("coordinate count", GEOSCoordSeq_getSize_r(context.handle, seq, &size))
        var status: Int32 = 1
        let result = [Coordinate](unsafeUninitializedCapacity: Int(size)) { buffer, count in
            if size > 0 {
                status = buffer.withMemoryRebound(to: Double.self) {
                    GEOSCoordSeq_copyToBuffer_r(context.handle, seq, $0.baseAddress, 0, 0)
                }
            }
            count = status == 0 ? 0 : Int(size)
        }
        try context.checkStatus("coordinate copy", status)
        return result
    }

    /// Coordinates of a point, line or ring owned by a live geometry.
    static func coordinates(of geometry: OpaquePointer, _ context: GEOSContext) throws -> [Coordinate] {
        let seq = try context.check("coordinate access", GEOSGeom_getCoordSeq_r(context.handle, geometry))
        return try coordinates(ofSequence: seq, context)
    }

    static func rings(of polygon: OpaquePointer, _ context: GEOSContext) throws -> [[Coordinate]] {
        let h = context.handle
        if try context.checkPredicate("isEmpty", GEOSisEmpty_r(h, polygon)) { return [] }
        let exterior = try context.check("exterior ring", GEOSGetExteriorRing_r(h, polygon))
        let holeCount = GEOSGetNumInteriorRings_r(h, polygon)
        guard holeCount >= 0 else { throw context.error("interior ring count") }
        var rings = [try coordinates(of: exterior, context)]
        for i in 0..<holeCount {
            rings.append(try coordinates(of: try context.check("interior ring", GEOSGetInteriorRingN_r(h, polygon, i)), context))
        }
        return rings
    }

    static func parts<T>(of geometry: OpaquePointer, _ context: GEOSContext, _ body: (OpaquePointer) throws -> T) throws -> [T] {
        let n = GEOSGetNumGeometries_r(context.handle, geometry)
        guard n >= 0 else { throw context.error("part count") }
        return try (0..<n).map { try body(try context.check("part access", GEOSGetGeometryN_r(context.handle, geometry, $0))) }
    }

    static func value(of geometry: OpaquePointer, _ context: GEOSContext) throws -> Geometry {
        let h = context.handle
        let type = GEOSGeomTypeId_r(h, geometry)
        switch type {
        case Int32(GEOS_POINT.rawValue):
            let cs = try coordinates(of: geometry, context)
            return cs.count == 1 ? .point(cs[0]) : .multiPoint(cs)
        case Int32(GEOS_LINESTRING.rawValue), Int32(GEOS_LINEARRING.rawValue):
            return .lineString(try coordinates(of: geometry, context))
        case Int32(GEOS_POLYGON.rawValue):
            return .polygon(try rings(of: geometry, context))
        case Int32(GEOS_MULTIPOINT.rawValue):
            return .multiPoint(try parts(of: geometry, context) { try coordinates(of: $0, context) }.flatMap { $0 })
        case Int32(GEOS_MULTILINESTRING.rawValue):
            return .multiLineString(try parts(of: geometry, context) { try coordinates(of: $0, context) })
        case Int32(GEOS_MULTIPOLYGON.rawValue):
            return .multiPolygon(try parts(of: geometry, context) { try rings(of: $0, context) })
        case Int32(GEOS_GEOMETRYCOLLECTION.rawValue):
            return .collection(try parts(of: geometry, context) { try value(of: $0, context) })
        default:
            throw context.error("geometry type")
        }
    }
}
