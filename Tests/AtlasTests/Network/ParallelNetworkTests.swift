import Foundation
import Testing

@testable import Atlas

/// The steps of building a network that run on all cores give what one core gives.
@Suite("Network steps on all cores")
struct ParallelNetworkTests {
    @Test func twoStepsSideBySideGiveTheirOwnResults() {
        let (sum, text) = concurrently({ (1...100).reduce(0, +) }, { String(repeating: "ab", count: 2) })
        #expect(sum == 5050)
        #expect(text == "abab")
    }
}
