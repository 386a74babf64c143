import CGEOS

/// A GEOS context handle with the last error and notice GEOS reported through it.
///
/// Thread confinement: a context, and every `GEOSGeometry` and `PreparedGeometry` made with it,
/// belongs to one thread or task. Make one per task and pass it down; send only value types
/// (`Geometry`, WKB bytes, `Coordinate`, `Bounds`, `STRtree`) across task boundaries.
public final class GEOSContext {
    let handle: GEOSContextHandle_t
    /// The message of GEOS's most recent error, until a thrown error takes it.
    public internal(set) var lastError: String?
    public internal(set) var lastNotice: String?

    private var cachedWKBReader: OpaquePointer?
    private var cachedWKBWriter: OpaquePointer?
    private var cachedWKTReader: OpaquePointer?
    private var cachedWKTWriter: OpaquePointer?

    public init() throws {
        guard let handle = GEOS_init_r() else { throw AtlasError("GEOS: could not create a context") }
        self.handle = handle
        // The handlers get `self` unretained: they only run inside calls made on `handle`,
        // which `self` owns and finishes in deinit.
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = GEOSContext_setErrorMessageHandler_r(handle, geosErrorHandler, me)
        _ = GEOSContext_setNoticeMessageHandler_r(handle, geosNoticeHandler, me)
    }

    deinit {
        if let r = cachedWKBReader { GEOSWKBReader_destroy_r(handle, r) }
        if let w = cachedWKBWriter { GEOSWKBWriter_destroy_r(handle, w) }
        if let r = cachedWKTReader { GEOSWKTReader_destroy_r(handle, r) }
        if let w = cachedWKTWriter { GEOSWKTWriter_destroy_r(handle, w) }
        GEOS_finish_r(handle)
    }

    /// An error for a failed GEOS call: GEOS's own message when it gave one.
    func error(_ operation: String) -> AtlasError {
        let message = lastError ?? "no message from GEOS"
        lastError = nil
        return AtlasError("GEOS \(operation) failed: \(message)")
    }

    /// Checks a call that returns a new geometry, NULL on failure.
    func check(_ operation: String, _ result: OpaquePointer?) throws -> OpaquePointer {
        guard let result else { throw error(operation) }
        return result
    }

    /// Checks a predicate: GEOS returns 0 or 1, and 2 on failure.
    func checkPredicate(_ operation: String, _ result: CChar) throws -> Bool {
        guard result != 2 else { throw error(operation) }
        return result == 1
    }

    /// Checks a call that returns 0 on failure and 1 on success.
    func checkStatus(_ operation: String, _ status: Int32) throws {
        guard status != 0 else { throw error(operation) }
    }

    func wkbReader() throws -> OpaquePointer {
        if let r = cachedWKBReader { return r }
        let r = try check("WKB reader creation", GEOSWKBReader_create_r(handle))
        cachedWKBReader = r
        return r
    }

    func wkbWriter() throws -> OpaquePointer {
        if let w = cachedWKBWriter { return w }
        let w = try check("WKB writer creation", GEOSWKBWriter_create_r(handle))
        GEOSWKBWriter_setOutputDimension_r(handle, w, 2)
        GEOSWKBWriter_setByteOrder_r(handle, w, Int32(GEOS_WKB_NDR.rawValue))
        cachedWKBWriter = w
        return w
    }

    func wktReader() throws -> OpaquePointer {
        if let r = cachedWKTReader { return r }
        let r = try check("WKT reader creation", GEOSWKTReader_create_r(handle))
        cachedWKTReader = r
        return r
    }

    func wktWriter() throws -> OpaquePointer {
        if let w = cachedWKTWriter { return w }
        let w = try check("WKT writer creation", GEOSWKTWriter_create_r(handle))
        GEOSWKTWriter_setTrim_r(handle, w, 1)
        GEOSWKTWriter_setOutputDimension_r(handle, w, 2)
        cachedWKTWriter = w
        return w
    }
}

@available(*, unavailable, message: "a GEOS context belongs to one thread; make one per task")
extension GEOSContext: Sendable {}

private func geosErrorHandler(_ message: UnsafePointer<CChar>?, _ userData: UnsafeMutableRawPointer?) {
    guard let message, let userData else { return }
    Unmanaged<GEOSContext>.fromOpaque(userData).takeUnretainedValue().lastError = String(cString: message)
}

private func geosNoticeHandler(_ message: UnsafePointer<CChar>?, _ userData: UnsafeMutableRawPointer?) {
    guard let message, let userData else { return }
    Unmanaged<GEOSContext>.fromOpaque(userData).takeUnretainedValue().lastNotice = String(cString: message)
}
