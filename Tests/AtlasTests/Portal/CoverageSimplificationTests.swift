import Foundation
import Testing
@testable import Atlas

@Suite struct CoverageSimplificationTests {
    static func layer(_ geometries: [Geometry], crs: CRS = .sweref99TM) -> Layer {
        Layer(
            source: "test.geojson", format: "GeoJSON", crs: crs, fields: [Field("id", .integer)],
            features: geometries.enumerated().map { Feature(geometry: $0.element, values: [.int($0.offset + 1)]) })
    }

    func c(_ x: Double, _ y: Double) -> Coordinate { Coordinate(x, y) }

    /// Undirected segments of every ring, with how many rings use each.
    static func segmentUses(_ layer: Layer) -> [[Coordinate]: Int] {
        var uses: [[Coordinate]: Int] = [:]
        for feature in layer.features {
            for polygon in feature.geometry?.polygons ?? [] {
                for ring in polygon {
                    for (a, b) in zip(ring, ring.dropFirst()) {
                        let key = (a.x, a.y) < (b.x, b.y) ? [a, b] : [b, a]
                        uses[key, default: 0] += 1
                    }
                }
            }
        }
        return uses
    }

    static func geos(_ layer: Layer, _ context: GEOSContext) throws -> [GEOSGeometry] {
        try layer.features.map { try GEOSGeometry($0.geometry!, context: context) }
    }

    // Two 100 m squares side by side whose shared boundary x = 100 wiggles by at most 2 m:
    // with a 5 m tolerance Douglas–Peucker straightens it to (100,0)–(100,100) on both sides, so
    // each square becomes exactly 100 × 100 = 10,000 m² and their union 20,000 m², as before
    // (the wiggles move area between the squares, not out of their union).
    @Test func aPairOfNeighboursKeepsOneSharedBoundary() throws {
        let wiggle = [c(100, 0), c(101, 10), c(99, 20), c(102, 30), c(100, 40), c(98.5, 55), c(101.5, 70), c(99, 85), c(100, 100)]
        let left = Geometry.polygon([[c(0, 0)] + wiggle + [c(0, 100), c(0, 0)]])
        let right = Geometry.polygon([[c(100, 0), c(200, 0), c(200, 100)] + wiggle.reversed()])
        let session = try Session()
        let (simplified, report) = try CoverageSimplification(tolerance: 5).simplify(Self.layer([left, right]), session: session)

        #expect(report.arcs == 3)  // the shared boundary and each square's outer boundary
        #expect(report.sharedArcs == 1)
        #expect(report.refinedArcs == 0)
        let a = simplified.features[0].geometry!.polygons[0][0], b = simplified.features[1].geometry!.polygons[0][0]
        #expect(a == [c(0, 0), c(100, 0), c(100, 100), c(0, 100), c(0, 0)])
        #expect(b == [c(100, 0), c(200, 0), c(200, 100), c(100, 100), c(100, 0)])
        // The shared boundary is the same segment on both sides, used once by each.
        let uses = Self.segmentUses(simplified)
        #expect(uses[[c(100, 0), c(100, 100)]] == 2)
        #expect(uses.values.filter { $0 == 2 }.count == 1)

        let context = session.geos
        let polygons = try Self.geos(simplified, context)
        #expect(try polygons.allSatisfy { try $0.isValid })
        #expect(try polygons.map { try $0.area } == [10_000, 10_000])
        #expect(try polygons[0].intersection(polygons[1]).area == 0)
        let before = try GEOSGeometry.unaryUnion(of: try Self.geos(Self.layer([left, right]), context), context: context).area
        let after = try GEOSGeometry.unaryUnion(of: polygons, context: context).area
        #expect(abs(before - 20_000) < 1e-9)
        #expect(after == 20_000)
    }

    // An island of 10 m × 10 m with a 50 m tolerance would collapse to a line; it keeps three of
    // its corners, a triangle of half its area (50 m²). The enclave inside a 100 m square is the
    // square's hole as well, so both keep the same three corners: the square with its hole
    // covers 10,000 − 50 m², the two together 10,000 m² as before.
    @Test func aRingThatWouldCollapseKeepsThreeCornersOnBothSides() throws {
        let hole = [c(40, 40), c(40, 50), c(50, 50), c(50, 40), c(40, 40)]
        let square = Geometry.polygon([[c(0, 0), c(100, 0), c(100, 100), c(0, 100), c(0, 0)], hole])
        let enclave = Geometry.polygon([Array(hole.reversed())])
        let island = Geometry.polygon([[c(300, 0), c(310, 0), c(310, 10), c(300, 10), c(300, 0)]])
        let session = try Session()
        let (simplified, _) = try CoverageSimplification(tolerance: 50).simplify(Self.layer([square, enclave, island]), session: session)
        let polygons = try Self.geos(simplified, session.geos)
        #expect(try polygons.allSatisfy { try $0.isValid && !$0.isEmpty })
        #expect(try polygons.map { try $0.area } == [10_000 - 50, 50, 50])
        let holeAfter = Set(simplified.features[0].geometry!.polygons[0][1])
        let enclaveAfter = Set(simplified.features[1].geometry!.polygons[0][0])
        #expect(holeAfter.count == 3 && holeAfter == enclaveAfter)
        #expect(try polygons[0].intersection(polygons[1]).area == 0)
        #expect(try GEOSGeometry.unaryUnion(of: Array(polygons[0...1]), context: session.geos).area == 10_000)
    }

    // A thin area between two boundaries: the lower one peaks at (50, 22), 12 m off its chord,
    // and keeps the peak with a 10 m tolerance; the upper one peaks at (50, 23), only 9 m off,
    // and alone would be straightened to y = 14, cutting through the lower peak. It is
    // simplified again with 5 m and keeps its peak: nothing overlaps, the three areas still
    // cover the 100 × 50 m rectangle (5,000 m²).
    @Test func aShortcutThatWouldCrossANeighbourIsRefined() throws {
        let bottom = Geometry.polygon([[c(0, -10), c(100, -10), c(100, 10), c(50, 22), c(0, 10), c(0, -10)]])
        let thin = Geometry.polygon([[c(0, 10), c(50, 22), c(100, 10), c(100, 14), c(50, 23), c(0, 14), c(0, 10)]])
        let top = Geometry.polygon([[c(0, 14), c(50, 23), c(100, 14), c(100, 40), c(0, 40), c(0, 14)]])
        let session = try Session()
        let (simplified, report) = try CoverageSimplification(tolerance: 10).simplify(Self.layer([bottom, thin, top]), session: session)
        #expect(report.refinedArcs == 1)
        #expect(simplified.features[2].geometry!.polygons[0][0].contains(c(50, 23)))
        let polygons = try Self.geos(simplified, session.geos)
        #expect(try polygons.allSatisfy { try $0.isValid && $0.area > 0 })
        let sum = try polygons.reduce(0) { $0 + (try $1.area) }
        let union = try GEOSGeometry.unaryUnion(of: polygons, context: session.geos).area
        #expect(abs(sum - 5000) < 1e-9)
        #expect(abs(union - 5000) < 1e-9)
    }

    @Test func pointsAreRefusedWithTheRecord() throws {
        let layer = Self.layer([.polygon([[c(0, 0), c(1, 0), c(1, 1), c(0, 0)]]), .point(c(5, 5))])
        #expect(throws: AtlasError(file: "test.geojson", record: 2, "simplification keeps polygons edge to edge and applies to polygon layers; this feature is a Point")) {
            try layer.simplifiedCoverage(tolerance: 5, session: try Session())
        }
    }

    // The 175 DeSO of Dalarna as SCB publishes them (WGS 84, 7 decimals): 107,673 ring positions
    // (counted with Python's json module), 55,959 distinct vertices of which 51,231 are shared.
    @Test func theDalarnaDeSOStayEdgeToEdge() throws {
        let session = try Session()
        let deso = try GeoJSONReader.read(path: TestData.shared("dalarna/deso_2025_dalarna.geojson"))
        let (simplified, report) = try CoverageSimplification(tolerance: 25).simplify(deso, session: session)
        #expect(report.positionsBefore == 107_673)
        #expect(report.positionsAfter < report.positionsBefore / 5)
        #expect(simplified.features.count == 175)
        #expect(report.sharedArcs > 400)

        let context = session.geos
        let metricBefore = try deso.toMetric(context: session.proj)
        let metricAfter = try simplified.toMetric(context: session.proj)
        let before = try Self.geos(metricBefore, context), after = try Self.geos(metricAfter, context)
        // One DeSO (2062A0030) touches itself so closely that it crosses itself once projected to
        // SWEREF 99 TM; every other one is valid as read, and stays valid.
        let invalidAsRead = try before.indices.filter { try !before[$0].isValid }
        #expect(invalidAsRead.count == 1)
        for k in after.indices where !invalidAsRead.contains(k) {
            #expect(try after[k].isValid, "DeSO \(deso.features[k].values[3])")
            #expect(try after[k].area > 0)
        }

        let unionBefore = try GEOSGeometry.unaryUnion(of: before, context: context)
        let unionAfter = try GEOSGeometry.unaryUnion(of: after, context: context)
        #expect(abs(try unionAfter.area / unionBefore.area - 1) < 0.005)
        // No overlaps: the areas add up to the union's, and valid neighbours meet in lines only.
        let sum = try after.reduce(0) { $0 + (try $1.area) }
        #expect(abs(sum - (try unionAfter.area)) < 1)
        // As read, 2062A0010 and 2062C1020 overlap by 0.045 m² in SWEREF 99 TM (shapely finds the
        // same); simplification adds nothing to that.
        func overlap(_ polygons: [GEOSGeometry]) throws -> Double {
            let tree = STRtree(try polygons.map { try $0.bounds ?? .empty })
            var total = 0.0
            for i in polygons.indices where !invalidAsRead.contains(i) {
                for j in tree.query(try polygons[i].bounds!) where j > i && !invalidAsRead.contains(j) {
                    total += try polygons[i].intersection(polygons[j]).area
                }
            }
            return total
        }
        let overlapBefore = try overlap(before)
        #expect(abs(overlapBefore - 0.045) < 0.001)
        #expect(try overlap(after) <= overlapBefore + 1e-6)
        // Shared boundaries are identical on both sides: a segment is used by two rings inside the
        // county, by one on its border; the segments used once add up to the union's perimeter.
        let uses = Self.segmentUses(metricAfter)
        #expect(uses.values.allSatisfy { $0 <= 2 })
        let outline = uses.filter { $0.value == 1 }.keys.reduce(0.0) { total, s in
            total + ((s[0].x - s[1].x) * (s[0].x - s[1].x) + (s[0].y - s[1].y) * (s[0].y - s[1].y)).squareRoot()
        }
        #expect(abs(outline / (try unionAfter.length) - 1) < 1e-6)
    }
}
