import Foundation
import Testing

@testable import Atlas

/// The steps of building a network that run on all cores give what one core gives.
@Suite("Network steps on all cores")
struct ParallelNetworkTests {
    @Test func projectingOnAllCoresIsProjectingInOneBatch() throws {
        // 200,000 points over Sweden: enough for a part per core.
        var random = MultiSourceSearchTests.Random(state: 11)
        let lonLat = (0..<200_000).map { _ in
            Coordinate(11 + Double(random.next() % 1_000_000) / 1e5, 55 + Double(random.next() % 1_000_000) / 1e5)
        }
        var parallel = lonLat
        try RoadGraph.projectOnAllCores(&parallel, to: CRS(epsg: 3006))
        var batch = lonLat
        try Transformer(from: .wgs84, to: CRS(epsg: 3006)).transform(&batch)
        #expect(parallel == batch)
    }

    @Test func twoStepsSideBySideGiveTheirOwnResults() {
        let (sum, text) = concurrently({ (1...100).reduce(0, +) }, { String(repeating: "ab", count: 2) })
        #expect(sum == 5050)
        #expect(text == "abab")
    }
}
