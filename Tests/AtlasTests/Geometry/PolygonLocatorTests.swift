import Testing
@testable import Atlas

@Suite struct PolygonLocatorTests {
    static func ring(_ xy: [(Double, Double)]) -> [Coordinate] { xy.map { Coordinate($0.0, $0.1) } }

    // A 4 × 4 square with a 2 × 2 hole in its middle. The ray going right from (0.5, 0.5) and
    // from (3.5, 2) crosses the outer ring once: inside. From (2, 2), in the hole, it crosses the
    // hole's right edge and the outer right edge: outside. (0, 2) lies on the outer left edge,
    // (4, 4) is an outer corner, (1, 2) lies on the hole's left edge and (3, 3) is a corner of the
    // hole: all on the boundary. (5, 2) and (2, −1) are beyond the square.
    @Test func aSquareWithAHole() throws {
        let polygon = Geometry.polygon([
            Self.ring([(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)]),
            Self.ring([(1, 1), (1, 3), (3, 3), (3, 1), (1, 1)]),
        ])
        let locator = try #require(PolygonLocator(polygon))
        let expected: [(Double, Double, PolygonLocator.Location)] = [
            (0.5, 0.5, .interior), (3.5, 2, .interior), (2, 2, .exterior),
            (0, 2, .boundary), (4, 4, .boundary), (1, 2, .boundary), (3, 3, .boundary),
            (5, 2, .exterior), (2, -1, .exterior),
        ]
        for (x, y, location) in expected {
            #expect(locator.locate(Coordinate(x, y)) == location, "(\(x), \(y))")
        }
    }

    // The diamond (2, 0), (4, 2), (2, 4), (0, 2): the ray going right from (1, 2) passes through
    // the vertex (4, 2), where an upward and a downward edge meet. It counts once (the edge
    // leaving the vertex upwards), and the crossing of the left edges is behind the point: inside.
    // From (−1, 2) the ray also passes through the vertex (0, 2) and crosses twice: outside.
    // (3, 1) lies on the sloping edge (2, 0)–(4, 2): in double precision a point on such an edge
    // cannot be told from one beside it, so the locator leaves it to GEOS, which finds it on the
    // boundary, and an area index over the diamond holds it.
    @Test func aRayThroughAVertexCountsOnce() throws {
        let diamond = Geometry.polygon([Self.ring([(2, 0), (4, 2), (2, 4), (0, 2), (2, 0)])])
        let locator = try #require(PolygonLocator(diamond))
        #expect(locator.locate(Coordinate(1, 2)) == .interior)
        #expect(locator.locate(Coordinate(-1, 2)) == .exterior)
        #expect(locator.locate(Coordinate(3, 1)) == nil)
        let areas = Layer(
            source: "areas", format: "test", crs: nil, fields: [], features: [Feature(geometry: diamond, values: [])])
        #expect(try AreaIndex(areas, context: GEOSContext()).area(containing: Coordinate(3, 1)) == 0)
    }

    @Test func onlyClosedPolygonalRingsAreTaken() {
        #expect(PolygonLocator(.lineString(Self.ring([(0, 0), (1, 1)]))) == nil)
        #expect(PolygonLocator(.polygon([Self.ring([(0, 0), (1, 0), (1, 1), (0, 1)])])) == nil)
        #expect(PolygonLocator(.collection([.polygon([Self.ring([(0, 0), (1, 0), (1, 1), (0, 0)])])])) == nil)
    }

    /// Points on and around the 175 Dalarna DeSO (SWEREF 99 TM): every third vertex (on the
    /// boundary of one DeSO or, where they meet, of several), the midpoint of every fifth edge (on
    /// it only up to rounding), and a 100 × 100 lattice over the county.
    static func dalarna() throws -> (deso: Layer, vertices: [Coordinate], midpoints: [Coordinate], lattice: [Coordinate]) {
        let deso = try LayerReader.read(path: TestData.shared("dalarna/shp/deso_2025_dalarna.shp"))
        var vertices: [Coordinate] = [], midpoints: [Coordinate] = [], lattice: [Coordinate] = []
        for feature in deso.features {
            for ring in feature.geometry?.polygons.flatMap({ $0 }) ?? [] {
                vertices += stride(from: 0, to: ring.count, by: 3).map { ring[$0] }
                for i in stride(from: 1, to: ring.count, by: 5) {
                    midpoints.append(Coordinate((ring[i - 1].x + ring[i].x) / 2, (ring[i - 1].y + ring[i].y) / 2))
                }
            }
        }
        let b = try #require(deso.bounds)
        for i in 0..<100 {
            for j in 0..<100 {
                lattice.append(Coordinate(b.minX + b.width * Double(i) / 99, b.minY + b.height * Double(j) / 99))
            }
        }
        return (deso, vertices, midpoints, lattice)
    }

    // Every answer the locator gives is GEOS's: interior where GEOS `contains`, boundary where it
    // only `covers`, exterior elsewhere. It answers for every vertex (each on the boundary of its
    // own DeSO at least) and every lattice point; it leaves GEOS most edge midpoints, which lie
    // within rounding error of their edge. (The 175 DeSO have 107,673 vertices in all.)
    @Test func dalarnaDeSOAgreeWithGEOS() throws {
        let (deso, vertices, midpoints, lattice) = try Self.dalarna()
        let context = try GEOSContext()
        let geometries = try deso.features.map { try #require($0.geometry) }
        let locators = try geometries.map { try #require(PolygonLocator($0)) }
        let prepared = try geometries.map { try PreparedGeometry($0, context: context) }
        let boxes = STRtree(locators.map(\.bounds))
        /// (answers, boundary answers, points left to GEOS) over the DeSO whose box holds each point.
        func compare(_ points: [Coordinate]) throws -> (answered: Int, boundary: Int, undecided: Int) {
            var counts = (answered: 0, boundary: 0, undecided: 0)
            for p in points {
                for k in boxes.query(Bounds(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y)) {
                    guard let location = locators[k].locate(p) else {
                        counts.undecided += 1
                        continue
                    }
                    let expected: PolygonLocator.Location =
                        try prepared[k].containsPoint(p) ? .interior : try prepared[k].coversPoint(p) ? .boundary : .exterior
                    #expect(location == expected, "\(p) in DeSO \(k)")
                    counts.answered += 1
                    if location == .boundary { counts.boundary += 1 }
                }
            }
            return counts
        }
        let onVertices = try compare(vertices)
        #expect(vertices.count > 35_000)
        #expect(onVertices.undecided == 0 && onVertices.boundary >= vertices.count)
        let onLattice = try compare(lattice)
        #expect(onLattice.undecided == 0 && onLattice.answered >= lattice.count / 2)
        let onMidpoints = try compare(midpoints)
        #expect(onMidpoints.answered + onMidpoints.undecided >= midpoints.count)
    }

    // A point on a boundary shared by several DeSO goes to the first of them in layer order, as
    // it did when GEOS placed every point: AreaIndex against prepared GEOS geometries tried in order.
    @Test func areaIndexGivesASharedBoundaryToTheFirstArea() throws {
        let (deso, vertices, midpoints, lattice) = try Self.dalarna()
        let points = vertices + midpoints + lattice
        let context = try GEOSContext()
        let index = try AreaIndex(deso, context: context)
        let geometries = try deso.features.map { try #require($0.geometry) }
        let prepared = try geometries.map { try PreparedGeometry($0, context: context) }
        let boxes = STRtree(try geometries.map { try #require($0.bounds) })
        var shared = 0
        for p in points {
            let candidates = boxes.query(Bounds(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y))
            let covering = try candidates.filter { try prepared[$0].coversPoint(p) }
            if covering.count > 1 { shared += 1 }
            #expect(try index.area(containing: p) == covering.first, "\(p)")
        }
        #expect(shared > 10_000, "\(shared) points on shared boundaries")
    }
}
