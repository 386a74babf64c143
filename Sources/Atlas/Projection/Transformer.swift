import CPROJ

/// Transforms coordinates between two CRSs, always in lon/lat (geographic) and x/y (projected)
/// order whatever the authority's axis order (`proj_normalize_for_visualization`).
///
/// Confined to the thread of its `PROJContext`; make one per task.
public final class Transformer {
    public let source: CRS
    public let target: CRS
    public let context: PROJContext
    private let operation: PROJObject

    public init(from source: CRS, to target: CRS, context: PROJContext? = nil) throws {
        let context = try context ?? PROJContext()
        self.source = source
        self.target = target
        self.context = context
        let what = "no transformation from \(source.label) to \(target.label)"
        let raw = try PROJObject(
            proj_create_crs_to_crs(context.handle, source.definition, target.definition, nil), context: context, what: what)
        self.operation = try PROJObject(
            proj_normalize_for_visualization(context.handle, raw.pointer), context: context, what: what)
    }

    public func transform(_ c: Coordinate) throws -> Coordinate {
        var x = c.x, y = c.y
        let done = withExtendedLifetime(operation) {
            proj_trans_generic(operation.pointer, PJ_FWD, &x, 0, 1, &y, 0, 1, nil, 0, 0, nil, 0, 0)
        }
        guard done == 1, x.isFinite, y.isFinite else {
            throw failure("(\(c.x), \(c.y)) cannot be transformed from \(source.label) to \(target.label)")
        }
        return Coordinate(x, y)
    }

    /// Transforms in place with one PROJ call for the whole array.
    public func transform(_ coordinates: inout [Coordinate]) throws {
        if let bad = transformReportingFailure(&coordinates) {
            throw failure("coordinate \(bad + 1) cannot be transformed from \(source.label) to \(target.label)")
        }
    }

    /// Transforms in place and returns the index of the first coordinate PROJ could not transform
    /// (its result is infinite or NaN), so callers can name the record that holds it. With
    /// `repeated` each distinct coordinate is transformed once: the cells of a grid and the areas
    /// of a division share their corners and edges, and finding the repeats costs a fraction of
    /// transforming them (points, which seldom repeat, are better transformed as they are).
    func transformReportingFailure(_ coordinates: inout [Coordinate], repeated: Bool = false) -> Int? {
        guard !coordinates.isEmpty else { return nil }
        guard repeated else { return transformEachReportingFailure(&coordinates) }
        var (distinct, position) = Self.distinct(coordinates)
        if let bad = transformEachReportingFailure(&distinct) {
            // Values are numbered in order of first appearance: the first failing value's first
            // place is the first failing coordinate.
            return position.firstIndex(of: Int32(bad))
        }
        for k in coordinates.indices { coordinates[k] = distinct[Int(position[k])] }
        return nil
    }

    private func transformEachReportingFailure(_ coordinates: inout [Coordinate]) -> Int? {
        let n = coordinates.count
        let stride = MemoryLayout<Coordinate>.stride
        let done = coordinates.withUnsafeMutableBytes { bytes -> Int in
            let x = bytes.baseAddress!.assumingMemoryBound(to: Double.self)
            let y = (bytes.baseAddress! + MemoryLayout<Double>.stride).assumingMemoryBound(to: Double.self)
            return withExtendedLifetime(operation) {
                proj_trans_generic(operation.pointer, PJ_FWD, x, stride, n, y, stride, n, nil, 0, 0, nil, 0, 0)
            }
        }
        return coordinates.firstIndex(where: { !$0.isFinite }) ?? (done == n ? nil : done)
    }

    /// The distinct coordinates in order of first appearance (equal bit patterns: one value),
    /// and where each of `coordinates` is among them, by an open-addressing hash table.
    static func distinct(_ coordinates: [Coordinate]) -> (values: [Coordinate], position: [Int32]) {
        var values: [Coordinate] = []
        var position = [Int32](repeating: 0, count: coordinates.count)
        // Slots hold a value's index + 1 (0: empty), at most half of them filled.
        let bits = max(4, (2 * coordinates.count).bitWidth - (2 * coordinates.count).leadingZeroBitCount)
        let mask = (1 << bits) - 1
        var slots = [Int32](repeating: 0, count: 1 << bits)
        for (k, c) in coordinates.enumerated() {
            let hash = (c.x.bitPattern &* 0x9E37_79B9_7F4A_7C15) ^ (c.y.bitPattern &* 0xC2B2_AE3D_27D4_EB4F)
            var slot = Int(truncatingIfNeeded: hash >> UInt64(64 - bits))
            while true {
                let held = slots[slot]
                if held == 0 {
                    values.append(c)
                    slots[slot] = Int32(values.count)
                    position[k] = Int32(values.count - 1)
                    break
                }
                let value = values[Int(held) - 1]
                if value.x.bitPattern == c.x.bitPattern, value.y.bitPattern == c.y.bitPattern {
                    position[k] = held - 1
                    break
                }
                slot = (slot + 1) & mask
            }
        }
        return (values, position)
    }

    /// An error with PROJ's reason for the last failed transformation.
    func failure(_ what: String) -> AtlasError {
        withExtendedLifetime(operation) { context.error(what, object: operation.pointer) }
    }

    /// The geometry with all its coordinates transformed in one batch.
    public func transform(_ geometry: Geometry) throws -> Geometry {
        var coordinates: [Coordinate] = []
        geometry.forEachCoordinate { coordinates.append($0) }
        try transform(&coordinates)
        var next = 0
        return geometry.mapCoordinates { _ in
            defer { next += 1 }
            return coordinates[next]
        }
    }

    /// The bounding box of the transformed box, its edges densified so curved edges are covered.
    public func transform(_ bounds: Bounds) throws -> Bounds {
        var out = Bounds.empty
        let ok = withExtendedLifetime(operation) {
            proj_trans_bounds(
                context.handle, operation.pointer, PJ_FWD, bounds.minX, bounds.minY, bounds.maxX, bounds.maxY,
                &out.minX, &out.minY, &out.maxX, &out.maxY, 21)
        }
        guard ok != 0, out.minX.isFinite, out.minY.isFinite, out.maxX.isFinite, out.maxY.isFinite else {
            throw failure("the extent cannot be transformed from \(source.label) to \(target.label)")
        }
        return out
    }
}

@available(*, unavailable, message: "a transformer belongs to its PROJ context's thread; make one per task")
extension Transformer: Sendable {}
