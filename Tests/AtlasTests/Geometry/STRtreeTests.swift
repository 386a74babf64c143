import Testing
@testable import Atlas

@Suite struct STRtreeTests {
    static func randomBoxes(_ n: Int, _ random: inout SeededGenerator) -> [Bounds] {
        (0..<n).map { _ in
            let x = Double.random(in: 0..<10_000, using: &random)
            let y = Double.random(in: 0..<10_000, using: &random)
            return Bounds(
                minX: x, minY: y,
                maxX: x + Double.random(in: 0..<200, using: &random),
                maxY: y + Double.random(in: 0..<200, using: &random))
        }
    }

    @Test func queryEqualsBruteForce() {
        var random = SeededGenerator(seed: 7)
        let boxes = Self.randomBoxes(3000, &random)
        let tree = STRtree(boxes)
        #expect(tree.count == 3000)
        var hits = 0
        for query in Self.randomBoxes(500, &random) {
            let expected = boxes.indices.filter { boxes[$0].intersects(query) }
            #expect(tree.query(query) == expected)
            var visited: [Int] = []
            tree.forEach(intersecting: query) { visited.append($0) }
            #expect(visited.sorted() == expected)
            hits += expected.count
        }
        #expect(hits > 0)
    }

    @Test func emptyBoxesAreNeverReturned() {
        let tree = STRtree([Bounds(minX: 0, minY: 0, maxX: 1, maxY: 1), .empty, Bounds(minX: 0.5, minY: 0.5, maxX: 2, maxY: 2)])
        #expect(tree.query(Bounds(minX: -10, minY: -10, maxX: 10, maxY: 10)) == [0, 2])
        #expect(STRtree([]).query(Bounds(minX: 0, minY: 0, maxX: 1, maxY: 1)) == [])
        #expect(STRtree([]).nearest(to: Coordinate(0, 0)) == nil)
    }

    @Test func nearestPointEqualsBruteForce() throws {
        var random = SeededGenerator(seed: 11)
        let points = (0..<2000).map { _ in
            Coordinate(Double.random(in: 0..<1000, using: &random), Double.random(in: 0..<1000, using: &random))
        }
        let tree = STRtree(points.map { Bounds(minX: $0.x, minY: $0.y, maxX: $0.x, maxY: $0.y) })
        func distance(_ a: Coordinate, _ b: Coordinate) -> Double { ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot() }
        for _ in 0..<300 {
            let q = Coordinate(Double.random(in: -100..<1100, using: &random), Double.random(in: -100..<1100, using: &random))
            let best = try #require(points.indices.min { distance(points[$0], q) < distance(points[$1], q) })
            let found = try #require(tree.nearest(to: q))
            #expect(distance(points[found], q) == distance(points[best], q))
            let nearestDistance = distance(points[best], q)
            #expect(tree.nearest(to: q, maxDistance: nearestDistance * 0.999) == nil)
        }
    }

    // Segments indexed by their boxes: the exact point-to-segment distance picks the right one even
    // when another segment's box is nearer. Query (5, 1): the long diagonal's box contains it
    // (box distance 0) but the line is 4/√2 ≈ 2.83 away; the short segment below is 1 away.
    @Test func nearestRefinesWithExactDistance() throws {
        let segments = [(Coordinate(0, 0), Coordinate(10, 10)), (Coordinate(4, 0), Coordinate(6, 0))]
        let tree = STRtree(segments.map { a, b in
            Bounds(minX: min(a.x, b.x), minY: min(a.y, b.y), maxX: max(a.x, b.x), maxY: max(a.y, b.y))
        })
        let q = Coordinate(5, 1)
        #expect(tree.nearest(to: q) == 0)
        let context = try GEOSContext()
        let point = try GEOSGeometry(.point(q), context: context)
        let found = try #require(try tree.nearest(to: q) { i in
            try GEOSGeometry(.lineString([segments[i].0, segments[i].1]), context: context).distance(to: point)
        })
        #expect(found.index == 1)
        #expect(found.distance == 1)
    }
}
