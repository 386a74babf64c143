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

    /// One level of the curve for each frame and quadrant, 4 bits each, at bit 4 × (4 frame +
    /// quadrant): the quadrant's place along the curve (2 bits) and the frame of the level
    /// below (2 bits). A frame says how the curve is turned at this level (bit 1: x and y
    /// swapped, bit 0: both mirrored); a quadrant is the x bit then the y bit of the cell.
    /// The curve runs through the quadrants lower left, upper left, upper right, lower right;
    /// the lower ones hold it turned, the lower right one mirrored too, so that it joins up.
    private static let levels: UInt64 = {
        var table: UInt64 = 0
        for frame in 0..<4 {
            for quadrant in 0..<4 {
                var x = quadrant >> 1, y = quadrant & 1
                if frame & 1 != 0 { x ^= 1; y ^= 1 }
                if frame & 2 != 0 { swap(&x, &y) }
                var below = frame
                if y == 0 { below ^= x == 1 ? 3 : 2 }
                table |= UInt64((3 * x) ^ y | below << 2) << UInt64(4 * (4 * frame + quadrant))
            }
        }
        return table
    }()

    /// The position of cell (`cellX`, `cellY`), both below `side`, along the curve: two bits a
    /// level, from the top, without a branch.
    static func position(_ cellX: UInt32, _ cellY: UInt32) -> UInt32 {
        let levels = Self.levels
        var frame: UInt64 = 0
        var position: UInt32 = 0
        for level in stride(from: 15, through: 0, by: -1) {
            let quadrant = UInt64((cellX >> UInt32(level)) & 1) << 1 | UInt64((cellY >> UInt32(level)) & 1)
            let step = levels >> (4 * (frame << 2 | quadrant)) & 15
            position = position << 2 | UInt32(step & 3)
            frame = step >> 2
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
    /// (a least-significant-digit radix sort, 16 bits a pass). A pass whose digit is the same
    /// in every value is skipped, so small numbers cost only the passes their bits need.
    mutating func radixSort(fromBit: Int = 0) {
        var none: [Int32] = []
        radixSort(fromBit: fromBit, carrying: &none)
    }

    /// Sorts (as `radixSort()`) and returns where each value of the sorted array was before.
    mutating func radixSortReturningPositions() -> [Int32] {
        precondition(count <= Int(Int32.max))
        var positions = (0..<Int32(count)).map { $0 }
        radixSort(fromBit: 0, carrying: &positions)
        return positions
    }

    /// The sort, moving `payload` (one per value, or empty) along with the values. One read
    /// counts every digit; then each digit not the same in all values takes one pass.
    private mutating func radixSort(fromBit: Int, carrying payload: inout [Int32]) {
        guard count > 1 else { return }
        let carry = !payload.isEmpty
        precondition(!carry || payload.count == count)
        let digitBits = 16, buckets = 1 << digitBits
        let digitMask = UInt64(buckets - 1)
        let shifts = stride(from: fromBit, to: 64, by: digitBits).map { UInt64($0) }
        // counts[d * buckets + k]: how many values have k as digit d.
        var counts = [Int](repeating: 0, count: shifts.count * buckets)
        counts.withUnsafeMutableBufferPointer { counts in
            self.withUnsafeBufferPointer { values in
                for v in values {
                    for (d, s) in shifts.enumerated() { counts[d * buckets + Int((v >> s) & digitMask)] += 1 }
                }
            }
        }
        var other = [UInt64](repeating: 0, count: count)
        var otherPayload = [Int32](repeating: 0, count: carry ? count : 0)
        for (d, s) in shifts.enumerated() where !counts[d * buckets..<(d + 1) * buckets].contains(count) {
            var next = [Int](repeating: 0, count: buckets)
            var start = 0
            for i in 0..<buckets {
                next[i] = start
                start += counts[d * buckets + i]
            }
            self.withUnsafeBufferPointer { values in
                other.withUnsafeMutableBufferPointer { sorted in
                    payload.withUnsafeBufferPointer { carried in
                        otherPayload.withUnsafeMutableBufferPointer { moved in
                            for i in values.indices {
                                let digit = Int((values[i] >> s) & digitMask)
                                let to = next[digit]
                                sorted[to] = values[i]
                                if carry { moved[to] = carried[i] }
                                next[digit] = to + 1
                            }
                        }
                    }
                }
            }
            swap(&self, &other)
            swap(&payload, &otherPayload)
        }
    }
}
