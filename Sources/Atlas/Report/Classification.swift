/// How map values are grouped into legend classes.
public enum ClassificationScheme: String, CaseIterable, Sendable {
    /// Classes with (about) the same number of values each.
    case quantile
    /// Classes of the same width between the minimum and the maximum.
    case equal
    /// Jenks natural breaks: the grouping that minimises the squared deviations from the
    /// class means (Fisher's exact optimisation, as in mapclassify's `FisherJenks`).
    case jenks
}

/// Class breaks for choropleth legends.
///
/// Breaks are the upper bounds of the classes, in increasing order, as in mapclassify's `bins`:
/// class 1 holds values up to `breaks[0]`, class k values in `(breaks[k-2], breaks[k-1]]`, and the
/// last break is the maximum. There are at most `classes` breaks, fewer when the values have
/// fewer distinct numbers than classes (a class is never empty by construction).
public enum Classification {
    public static func breaks(values: [Double], classes: Int, scheme: ClassificationScheme) -> [Double] {
        let sorted = values.filter(\.isFinite).sorted()
        guard let minimum = sorted.first, let maximum = sorted.last else { return [] }
        let k = max(1, classes)
        let raw: [Double]
        switch scheme {
        case .quantile:
            raw = (1...k).map { quantile(sorted, Double($0) / Double(k)) }
        case .equal:
            let width = (maximum - minimum) / Double(k)
            raw = (1..<k).map { minimum + width * Double($0) } + [maximum]
        case .jenks:
            raw = naturalBreaks(sorted, classes: k)
        }
        var result: [Double] = []
        for b in raw where result.last.map({ b > $0 }) ?? true { result.append(b) }
        if result.last != maximum { result[result.count - 1] = maximum }
        return result
    }

    /// The class (1-based) of a value: the first class whose upper bound is at least the value.
    /// Values above the last break go to the last class.
    public static func classIndex(of value: Double, breaks: [Double]) -> Int {
        var lo = 0
        var hi = breaks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if breaks[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return min(lo, max(breaks.count - 1, 0)) + 1
    }

    /// Linear interpolation between order statistics (numpy's default `percentile`).
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = Double(sorted.count - 1) * p
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + (sorted[above] - sorted[below]) * fraction
    }

    /// Optimal 1-D k-means on sorted values (Jenks/Fisher). Dynamic programming over class
    /// counts; the optimal start of the last class never moves left as the prefix grows, so each
    /// row is filled by divide and conquer in O(n log n) — fine for a 250 m grid's 10⁵–10⁶ cells.
    static func naturalBreaks(_ sorted: [Double], classes: Int) -> [Double] {
        let n = sorted.count
        let k = min(classes, n)
        guard k > 1 else { return [sorted[n - 1]] }
        // Values centred on the mean keep the prefix sums of squares well conditioned.
        let mean = sorted.reduce(0, +) / Double(n)
        var sum = [Double](repeating: 0, count: n + 1)
        var sumSquares = [Double](repeating: 0, count: n + 1)
        for i in 0..<n {
            let v = sorted[i] - mean
            sum[i + 1] = sum[i] + v
            sumSquares[i + 1] = sumSquares[i] + v * v
        }
        // Squared deviation of sorted[j...i] from its mean.
        func cost(_ j: Int, _ i: Int) -> Double {
            let count = Double(i - j + 1)
            let s = sum[i + 1] - sum[j]
            return max(0, sumSquares[i + 1] - sumSquares[j] - s * s / count)
        }
        var previous = (0..<n).map { cost(0, $0) }
        var current = [Double](repeating: 0, count: n)
        // start[c][i]: first index of class c+1 in the best split of sorted[0...i] into c+1 classes.
        var start = [[Int]](repeating: [], count: k)
        start[0] = [Int](repeating: 0, count: n)
        for c in 1..<k {
            var row = [Int](repeating: c, count: n)
            func fill(_ lo: Int, _ hi: Int, _ optLo: Int, _ optHi: Int) {
                guard lo <= hi else { return }
                let i = (lo + hi) / 2
                var best = Double.infinity
                var bestJ = max(optLo, c)
                for j in max(optLo, c)...min(optHi, i) {
                    let d = previous[j - 1] + cost(j, i)
                    if d < best {
                        best = d
                        bestJ = j
                    }
                }
                current[i] = best
                row[i] = bestJ
                fill(lo, i - 1, optLo, bestJ)
                fill(i + 1, hi, bestJ, optHi)
            }
            fill(c, n - 1, c, n - 1)
            start[c] = row
            swap(&previous, &current)
        }
        var breaks = [Double](repeating: 0, count: k)
        var end = n - 1
        for c in stride(from: k - 1, through: 0, by: -1) {
            breaks[c] = sorted[end]
            end = start[c][end] - 1
            if end < 0 { break }
        }
        return breaks
    }
}
