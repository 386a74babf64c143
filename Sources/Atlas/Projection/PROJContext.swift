import CPROJ

/// A PROJ context (`PJ_CONTEXT`): its database connection, error state and log.
///
/// Thread confinement: a context, and every `Transformer` made with it, belongs to one thread or
/// task. Make one per task; only value types (`CRS`, `CRSInfo`, `Coordinate`, `Geometry`) cross
/// task boundaries.
public final class PROJContext {
    let handle: OpaquePointer
    /// The last message PROJ logged (PROJ logs why a definition was rejected), until an error takes it.
    public internal(set) var lastMessage: String?

    public init() throws {
        guard let handle = proj_context_create() else { throw AtlasError("PROJ: could not create a context") }
        self.handle = handle
        // PROJ would print errors on stderr; keep them for the thrown error instead. The logger gets
        // `self` unretained: it only runs inside calls on `handle`, which `self` owns.
        proj_log_func(handle, Unmanaged.passUnretained(self).toOpaque(), projLogHandler)
        proj_log_level(handle, PJ_LOG_ERROR)
    }

    deinit {
        proj_context_destroy(handle)
    }

    /// An error for a failed PROJ call with PROJ's error text and its last logged message.
    func error(_ what: String, object: OpaquePointer? = nil) -> AtlasError {
        var reasons: [String] = []
        let code = object.map { proj_errno($0) } ?? proj_context_errno(handle)
        // PROJ_ERR_OTHER reads "Unknown error (code 4096)"; the logged message then says more.
        if code != 0, let text = proj_context_errno_string(handle, code).map({ String(cString: $0) }),
            !(text.hasPrefix("Unknown error") && lastMessage != nil)
        {
            reasons.append(text)
        }
        if let lastMessage, !reasons.contains(lastMessage) { reasons.append(lastMessage) }
        lastMessage = nil
        if let object { proj_errno_reset(object) }
        return AtlasError(reasons.isEmpty ? what : "\(what): \(reasons.joined(separator: "; "))")
    }

    /// A PROJ object for a CRS definition, owned by the returned value.
    func crs(_ crs: CRS) throws -> PROJObject {
        guard let pj = proj_create(handle, crs.definition) else {
            throw error("PROJ does not understand the CRS \(crs.label)")
        }
        return PROJObject(pj, context: self)
    }
}

@available(*, unavailable, message: "a PROJ context belongs to one thread; make one per task")
extension PROJContext: Sendable {}

/// Owns a `PJ*` and destroys it with its context still alive.
final class PROJObject {
    let pointer: OpaquePointer
    let context: PROJContext

    init(_ pointer: OpaquePointer, context: PROJContext) {
        self.pointer = pointer
        self.context = context
    }

    /// Wraps a PJ a call returned, or throws PROJ's error when it returned NULL.
    convenience init(_ pointer: OpaquePointer?, context: PROJContext, what: String) throws {
        guard let pointer else { throw context.error(what) }
        self.init(pointer, context: context)
    }

    deinit {
        proj_destroy(pointer)
    }
}

private func projLogHandler(_ userData: UnsafeMutableRawPointer?, _ level: Int32, _ message: UnsafePointer<CChar>?) {
    guard let userData, let message else { return }
    Unmanaged<PROJContext>.fromOpaque(userData).takeUnretainedValue().lastMessage = String(cString: message)
}
