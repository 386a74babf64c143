import Testing
@testable import Atlas

@Suite struct ClassificationTests {
    @Test func quantileBreaksInterpolateLikeNumpyPercentile() {
        // numpy.percentile(range(1, 11), [25, 50, 75, 100]): positions 2.25, 4.5, 6.75, 9 of 0…9.
        let breaks = Classification.breaks(values: (1...10).map(Double.init), classes: 4, scheme: .quantile)
        #expect(breaks == [3.25, 5.5, 7.75, 10])
    }

    @Test func equalIntervalsSplitTheRange() {
        let breaks = Classification.breaks(values: [0, 2, 10], classes: 5, scheme: .equal)
        #expect(breaks == [2, 4, 6, 8, 10])
    }

    @Test func classIndexIsOneBasedWithUpperBoundsInclusive() {
        let breaks = [3.25, 5.5, 7.75, 10.0]
        #expect(Classification.classIndex(of: 0, breaks: breaks) == 1)
        #expect(Classification.classIndex(of: 3.25, breaks: breaks) == 1)
        #expect(Classification.classIndex(of: 3.3, breaks: breaks) == 2)
        #expect(Classification.classIndex(of: 10, breaks: breaks) == 4)
        #expect(Classification.classIndex(of: 11, breaks: breaks) == 4)
    }

    @Test func jenksFindsObviousGroups() {
        let values: [Double] = [21, 1, 12, 2, 3, 10, 11, 20, 22]
        #expect(Classification.breaks(values: values, classes: 3, scheme: .jenks) == [3, 12, 22])
    }

    @Test func jenksMatchesAnExhaustiveSearch() {
        // Every way to cut 12 sorted values into 4 classes (165 ways), scored by the squared
        // deviations from the class means: the optimum must equal the dynamic programme's.
        var state: UInt64 = 42
        let values: [Double] = (0..<12).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double((state >> 40) % 1000) / 100
        }
        let sorted = values.sorted()
        func sse(_ slice: ArraySlice<Double>) -> Double {
            let mean = slice.reduce(0, +) / Double(slice.count)
            return slice.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        }
        var best = Double.infinity
        for a in 1..<12 { for b in (a + 1)..<12 { for c in (b + 1)..<12 {
            best = min(best, sse(sorted[..<a]) + sse(sorted[a..<b]) + sse(sorted[b..<c]) + sse(sorted[c...]))
        } } }
        let breaks = Classification.breaks(values: values, classes: 4, scheme: .jenks)
        #expect(breaks.count == 4)
        var groups = [[Double]](repeating: [], count: 4)
        for v in sorted { groups[Classification.classIndex(of: v, breaks: breaks) - 1].append(v) }
        let achieved = groups.reduce(0) { $0 + sse($1[...]) }
        #expect(abs(achieved - best) < 1e-9)
    }

    @Test func fewerDistinctValuesThanClassesGiveFewerBreaks() {
        #expect(Classification.breaks(values: [1, 1, 1, 2], classes: 3, scheme: .quantile) == [1, 2])
        #expect(Classification.breaks(values: [5, 5], classes: 4, scheme: .jenks) == [5])
        #expect(Classification.breaks(values: [], classes: 4, scheme: .equal) == [])
    }
}
