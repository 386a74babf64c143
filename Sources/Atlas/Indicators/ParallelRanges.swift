import Foundation

/// Work over the consecutive ranges of 0..<count on all cores, each range with its worker's
/// GEOS context; the results come back in range order. Ranges are large enough to be worth a
/// task, and a few per core so that a busy core does not hold up the rest.
enum ParallelRanges {
    static func map<T: Sendable>(
        _ count: Int, minimumSize: Int = 4096, _ body: @Sendable (GEOSContext, Range<Int>) throws -> T
    ) throws -> [T] {
        let parts = max(1, min(4 * ProcessInfo.processInfo.activeProcessorCount, count / max(1, minimumSize)))
        let ranges = (0..<parts).map { k in (count * k / parts)..<(count * (k + 1) / parts) }
        return try Reaggregation.concurrentMap(parts, nil) { context, k in try body(context, ranges[k]) }
    }
}
