import Foundation
import Testing

@testable import Atlas

/// The steps of building a network that run on all cores give what one core gives.
@Suite("Network steps on all cores")
struct ParallelNetworkTests {
    /// Three data blocks: two ways then one node; nothing; one way and two nodes.
    static func threeBlocks() throws -> String {
        var fixture = PBFFixture()
        fixture.header()
        fixture.data(nodes: [(1, 16.0, 59.0)], ways: [(10, [1, 2], [("highway", "residential")]), (11, [2, 3], [])])
        fixture.data(nodes: [], ways: [])
        fixture.data(nodes: [(2, 16.5, 59.5), (3, 17.0, 60.0)], ways: [(12, [3, 1], [("highway", "primary")])])
        return try fixture.write()
    }

    struct NodeList: Sendable {
        var ids: [Int64] = [], lon: [Double] = [], lat: [Double] = []
    }

    @Test func blocksComeBackInFileOrder() throws {
        let file = try OSMPBFFile(path: try Self.threeBlocks())
        let ways = try file.mapWayBlocks([Int64]()) { $0.append($1.id) }
        #expect(ways == [[10, 11], [], [12]])
        let nodes = try file.mapNodeBlocks(NodeList()) { $0.ids.append($1); $0.lon.append($2); $0.lat.append($3) }
        #expect(nodes.map(\.ids) == [[1], [], [2, 3]])
        // The positions are those one pass gives, node by node.
        var lon: [Double] = [], lat: [Double] = []
        try file.forEachNode { _, x, y in
            lon.append(x)
            lat.append(y)
        }
        #expect(nodes.flatMap(\.lon) == lon)
        #expect(nodes.flatMap(\.lat) == lat)
        #expect(abs(lon[1] - 16.5) < 1e-9 && abs(lat[1] - 59.5) < 1e-9)
    }

    @Test func theBudgetIsChargedAcrossBlocksInFileOrder() throws {
        // Two blocks of one way with 2.5 million references each: either alone is within the
        // pass's 4,194,304 (the floor, as the file is small), the two together are not, so
        // the error names the second block, as reading block after block would.
        var fixture = PBFFixture()
        fixture.header()
        fixture.compressedWay(id: 1, references: 2_500_000)
        let second = fixture.bytes.count
        fixture.compressedWay(id: 2, references: 2_500_000)
        let path = try fixture.write()
        let file = try OSMPBFFile(path: path)
        do {
            _ = try file.mapWayBlocks(0) { count, _ in count += 1 }
            Issue.record("expected the budget to run out")
        } catch let error as AtlasError {
            #expect(error.file == path)
            #expect(error.message.hasPrefix("block at byte \(second): the blocks decode to more than 4194304 node references"), "\(error.message)")
        }
    }

    @Test func nodesAreFoundAmongTheIdsRoadsUse() {
        // Roads use ids 3, 5 and 9 (places 0, 1, 2). The block holds 5, 7, 9 and then 3, out
        // of order: 5 is at place 1, 7 is not used, 9 at place 2, and 3, below the 9 before
        // it, is searched for afresh and found at place 0.
        var found = NodesFound(among: [3, 5, 9])
        for (id, x, y) in [(5, 0.5, 50.0), (7, 0.7, 70), (9, 0.9, 90), (3, 0.3, 30)] as [(Int64, Double, Double)] {
            found.add(id: id, lon: x, lat: y)
        }
        #expect(found.places == [1, 2, 0])
        #expect(found.lon == [0.5, 0.9, 0.3])
        #expect(found.lat == [50, 90, 30])
        // A block whose first node lies beyond every id used finds nothing.
        var beyond = NodesFound(among: [3, 5, 9])
        beyond.add(id: 12, lon: 0, lat: 0)
        #expect(beyond.places.isEmpty)
    }

    @Test func usableWaysEndWhereTheirReferencesEnd() {
        // A residential street of 3 nodes, a footway (no car), a one-node way (too short) and a
        // primary road of 2 nodes: the car keeps the street (references 0–2, ending at 3) and
        // the primary road (references 3–4, ending at 5).
        let ways = [
            OSMWay(id: 1, refs: [1, 2, 3], tags: [("highway", "residential")]),
            OSMWay(id: 2, refs: [3, 4], tags: [("highway", "footway")]),
            OSMWay(id: 3, refs: [4], tags: [("highway", "primary")]),
            OSMWay(id: 4, refs: [3, 5], tags: [("highway", "primary")]),
        ]
        var usable = UsableWays(profile: TravelProfile(.car))
        ways.forEach { usable.add($0) }
        #expect(usable.refs == [1, 2, 3, 3, 5])
        #expect(usable.ends == [3, 5])
        #expect(usable.forward.count == 2 && usable.backward.count == 2)
    }

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
