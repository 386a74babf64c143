import CGEOS

extension GEOSGeometry {
    /// Reads well-known binary (either byte order; Z and M are dropped on output, not input).
    public convenience init(wkb: [UInt8], context: GEOSContext) throws {
        let reader = try context.wkbReader()
        let pointer = wkb.withUnsafeBufferPointer {
            GEOSWKBReader_read_r(context.handle, reader, $0.baseAddress, $0.count)
        }
        self.init(owning: try context.check("WKB parse", pointer), context: context)
    }

    public convenience init(wkt: String, context: GEOSContext) throws {
        let reader = try context.wktReader()
        self.init(owning: try context.check("WKT parse", GEOSWKTReader_read_r(context.handle, reader, wkt)), context: context)
    }

    /// Little-endian 2D well-known binary: the form geometries take to cross task boundaries.
    public func wkb() throws -> [UInt8] {
        let writer = try context.wkbWriter()
        return try withPointer { pointer in
            var size = 0
            guard let bytes = GEOSWKBWriter_write_r(context.handle, writer, pointer, &size) else {
                throw context.error("WKB write")
            }
            defer { GEOSFree_r(context.handle, bytes) }
            return Array(UnsafeBufferPointer(start: bytes, count: size))
        }
    }

    /// 2D well-known text with trailing zeros trimmed.
    public func wkt() throws -> String {
        let writer = try context.wktWriter()
        return try withPointer { pointer in
            guard let text = GEOSWKTWriter_write_r(context.handle, writer, pointer) else {
                throw context.error("WKT write")
            }
            defer { GEOSFree_r(context.handle, text) }
            return String(cString: text)
        }
    }
}
