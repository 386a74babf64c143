/// How a road graph numbers its nodes.
public enum NodeOrder: Sendable {
    /// In the order the coordinates are given.
    case asGiven
    /// Along a Hilbert curve over the nodes' coordinates, so that nodes near each other on the
    /// ground sit near each other in memory: a search that settles a node then finds the labels
    /// and arcs of its neighbours mostly in cache. Travel times, nearest destinations and
    /// snapping do not depend on the numbering (see `MultiSourceSearch` and `RoadComponents`).
    case spatial
}

/// The Hilbert curve through the cells of a 2¹⁶ × 2¹⁶ grid: consecutive positions along it are
/// neighbouring cells, and cells close on the grid are mostly close along it.
enum HilbertCurve {
    static let side: UInt32 = 1 << 16

    /// The position of cell (`x`, `y`), both below `side`, along the curve (Skilling's
    /// bit-by-bit walk: each level picks a quadrant and turns the frame to match the curve's).
    static func position(_ cellX: UInt32, _ cellY: UInt32) -> UInt32 {
        var x = cellX, y = cellY
        var position: UInt32 = 0
        var s = side >> 1
        while s > 0 {
            let rx: UInt32 = x & s != 0 ? 1 : 0
            let ry: UInt32 = y & s != 0 ? 1 : 0
            position += s * s * ((3 * rx) ^ ry)
            if ry == 0 {
                if rx == 1 {
                    x = side - 1 - x
                    y = side - 1 - y
                }
                swap(&x, &y)
            }
            s >>= 1
        }
        return position
    }

    /// Each point's rank along the curve laid over the points' bounding square: `ranks[i]` is
    /// the new number of point `i`. Points in the same cell keep their given order, and points
    /// with a non-finite coordinate count as lying in the square's lower left corner, so the
    /// ranks are a permutation of 0..<count whatever the input.
    static func ranks(x: [Double], y: [Double]) -> [Int32] {
        precondition(x.count == y.count && x.count < Int(Int32.max))
        var bounds = Bounds.empty
        for i in x.indices where x[i].isFinite && y[i].isFinite { bounds.extend(Coordinate(x[i], y[i])) }
        let span = bounds.isEmpty ? 1 : max(bounds.width, bounds.height, .leastNormalMagnitude)
        let cellsPerUnit = Double(side - 1) / span
        func cell(_ value: Double, _ origin: Double) -> UInt32 {
            let c = (value - origin) * cellsPerUnit
            return c >= 0 ? UInt32(min(c, Double(side - 1))) : 0
        }
        // Curve position in the high half, point number in the low half: sorted by the high
        // half only, equal positions keep their order.
        var keys = [UInt64](repeating: 0, count: x.count)
        for i in x.indices {
            let onCurve = x[i].isFinite && y[i].isFinite ? position(cell(x[i], bounds.minX), cell(y[i], bounds.minY)) : 0
            keys[i] = UInt64(onCurve) << 32 | UInt64(i)
        }
        keys.radixSort(fromBit: 32)
        var ranks = [Int32](repeating: 0, count: x.count)
        for (rank, key) in keys.enumerated() { ranks[Int(key & 0xFFFF_FFFF)] = Int32(rank) }
        return ranks
    }
}

extension Array where Element == UInt64 {
    /// Sorts by bits `fromBit..<64` alone, keeping the order of values equal in those bits
    /// (a least-significant-digit radix sort, 11 bits a pass). A pass whose digit is the same
    /// in every value is skipped, so small numbers cost only the passes their bits need.
    mutating func radixSort(fromBit: Int = 0) {
        guard count > 1 else { return }
        let digitBits = 11, buckets = 1 << digitBits
        var other = [UInt64](repeating: 0, count: count)
        var counts = [Int](repeating: 0, count: buckets)
        var shift = fromBit
        while shift < 64 {
            let digitMask = UInt64(buckets - 1)
            let s = UInt64(shift)
            for i in counts.indices { counts[i] = 0 }
            self.withUnsafeBufferPointer { values in
                for v in values { counts[Int((v >> s) & digitMask)] += 1 }
            }
            if !counts.contains(count) {
                var start = 0
                for i in counts.indices {
                    let n = counts[i]
                    counts[i] = start
                    start += n
                }
                self.withUnsafeBufferPointer { values in
                    other.withUnsafeMutableBufferPointer { sorted in
                        for v in values {
                            let d = Int((v >> s) & digitMask)
                            sorted[counts[d]] = v
                            counts[d] += 1
                        }
                    }
                }
                swap(&self, &other)
            }
            shift += digitBits
        }
    }
}
