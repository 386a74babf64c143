import Foundation
import Testing
@testable import Atlas

@Suite struct GEOSTests {
    let context: GEOSContext

    init() throws { context = try GEOSContext() }

    func geos(_ g: Geometry) throws -> GEOSGeometry { try GEOSGeometry(g, context: context) }

    static func square(_ x0: Double, _ y0: Double, _ side: Double) -> [Coordinate] {
        [Coordinate(x0, y0), Coordinate(x0 + side, y0), Coordinate(x0 + side, y0 + side),
         Coordinate(x0, y0 + side), Coordinate(x0, y0)]
    }

    // A 10 × 10 square with a 2 × 2 hole: area 100 − 4 = 96, boundary length 40 + 8 = 48.
    // The line (0,0)–(3,4)–(3,10) is a 3-4-5 segment plus a 6-long one: 11.
    @Test func areaAndLengthOfHandComputableShapes() throws {
        let holed = try geos(.polygon([Self.square(0, 0, 10), Self.square(4, 4, 2).reversed()]))
        #expect(try holed.area == 96)
        #expect(try holed.length == 48)
        let line = try geos(.lineString([Coordinate(0, 0), Coordinate(3, 4), Coordinate(3, 10)]))
        #expect(try line.length == 11)
        #expect(try line.area == 0)
    }

    // With 8 segments per quadrant the buffer of a point is a regular 32-gon inscribed in the
    // circle: area = n/2 · r² · sin(2π/n), about 0.64 % below πr².
    @Test func pointBufferIsTheInscribedPolygon() throws {
        let r = 100.0, n = 32.0
        let disc = try geos(.point(Coordinate(500_000, 6_700_000))).buffer(distance: r, quadrantSegments: 8)
        let polygonArea = n / 2 * r * r * sin(2 * .pi / n)
        #expect(abs(try disc.area - polygonArea) < 1e-6)
        #expect(abs(try disc.area - .pi * r * r) / (.pi * r * r) < 0.007)
    }

    // The bow-tie (0,0)→(1,1)→(1,0)→(0,1)→(0,0) crosses itself at (0.5,0.5). Its lobes are the
    // triangles (0.5,0.5),(1,1),(1,0) and (0.5,0.5),(0,1),(0,0), each with base 1 on x = 1 or
    // x = 0 and height 0.5: 0.25 each, 0.5 in all (the shoelace formula, which sees the lobes
    // with opposite orientation, gives 0).
    @Test func bowTieIsInvalidAndRepairsIntoTwoTriangles() throws {
        let ring = [Coordinate(0, 0), Coordinate(1, 1), Coordinate(1, 0), Coordinate(0, 1), Coordinate(0, 0)]
        #expect(Ring.signedArea(ring) == 0)
        let bowTie = try geos(.polygon([ring]))
        #expect(try !bowTie.isValid)
        #expect(try bowTie.validityReason.hasPrefix("Self-intersection"))
        let repaired = try bowTie.makeValid()
        #expect(try repaired.isValid)
        #expect(try repaired.validityReason == "Valid Geometry")
        #expect(abs(try repaired.area - 0.5) < 1e-12)
        guard case .multiPolygon(let lobes) = try repaired.toGeometry() else {
            Issue.record("expected a multipolygon")
            return
        }
        #expect(lobes.count == 2)
        for lobe in lobes { #expect(abs(abs(Ring.signedArea(lobe[0])) - 0.25) < 1e-12) }
    }

    // Two overlapping 2 × 2 squares sharing a 1 × 1 corner: union 4 + 4 − 1 = 7,
    // intersection 1, difference 3; the union is symmetric about (1.5, 1.5).
    @Test func overlayOfOverlappingSquares() throws {
        let a = try geos(.polygon([Self.square(0, 0, 2)]))
        let b = try geos(.polygon([Self.square(1, 1, 2)]))
        let union = try GEOSGeometry.unaryUnion(of: [a, b], context: context)
        #expect(try union.area == 7)
        #expect(try a.union(b).area == 7)
        #expect(try a.intersection(b).area == 1)
        #expect(try a.difference(b).area == 3)
        #expect(try union.centroid.toGeometry() == .point(Coordinate(1.5, 1.5)))
        #expect(try union.covers(union.pointOnSurface))
        #expect(try union.bounds == Bounds(minX: 0, minY: 0, maxX: 3, maxY: 3))
        #expect(try union.envelope.area == 9)
        #expect(try GEOSGeometry.unaryUnion(of: [], context: context).isEmpty)

        let collection = try geos(.collection([.polygon([Self.square(0, 0, 2)]), .polygon([Self.square(1, 1, 2)])]))
        #expect(try collection.unaryUnion().area == 7)
    }

    // The unit square and one 3 to its right: the gap is 2.
    @Test func predicatesAndDistance() throws {
        let square = try geos(.polygon([Self.square(0, 0, 1)]))
        let far = try geos(.polygon([Self.square(3, 0, 1)]))
        let onEdge = try geos(.point(Coordinate(0, 0.5)))
        let inside = try geos(.point(Coordinate(0.5, 0.5)))
        #expect(try square.distance(to: far) == 2)
        #expect(try !square.intersects(far))
        #expect(try square.contains(inside))
        #expect(try inside.within(square))
        // The boundary is not part of the interior: covered, but not contained.
        #expect(try !square.contains(onEdge))
        #expect(try square.covers(onEdge))
        #expect(try square.intersects(onEdge))
    }

    @Test func wkbAndWKTRoundTrip() throws {
        let original = Geometry.collection([
            .point(Coordinate(1.5, -2.25)),
            .multiPoint([Coordinate(0, 0), Coordinate(1, 1)]),
            .lineString([Coordinate(0, 0), Coordinate(3, 4)]),
            .multiLineString([[Coordinate(0, 0), Coordinate(1, 0)], [Coordinate(2, 2), Coordinate(3, 3)]]),
            .polygon([Self.square(0, 0, 10), Self.square(4, 4, 2).reversed()]),
            .multiPolygon([[Self.square(0, 0, 1)], [Self.square(5, 5, 1)]]),
        ])
        let g = try geos(original)
        #expect(try g.toGeometry() == original)
        #expect(try GEOSGeometry(wkb: g.wkb(), context: context).toGeometry() == original)
        #expect(try GEOSGeometry(wkt: g.wkt(), context: context).toGeometry() == original)

        // A 2D point in little-endian WKB: byte order 1, type 1 (UInt32), then x and y: 21 bytes.
        let point = try geos(.point(Coordinate(1, 2))).wkb()
        #expect(point.count == 21)
        #expect(Array(point[0..<5]) == [1, 1, 0, 0, 0])
        #expect(try GEOSGeometry(wkt: "POINT (1 2)", context: context).wkt() == "POINT (1 2)")
    }

    @Test func geosErrorsCarryGEOSMessages() throws {
        do {
            _ = try GEOSGeometry(wkt: "POLYGON ((0 0, 1", context: context)
            Issue.record("garbage WKT parsed")
        } catch let error as AtlasError {
            #expect(error.message.contains("ParseException"))
        }
        // An open ring is rejected when the polygon is built, with GEOS's reason.
        let open = Geometry.polygon([[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 1)]])
        do {
            _ = try geos(open)
            Issue.record("open ring accepted")
        } catch let error as AtlasError {
            #expect(error.message.contains("closed"))
        }
        #expect(throws: AtlasError.self) { try GEOSGeometry(wkb: [1, 2, 3], context: context) }
    }

    // Random points over the bounding box of a real DeSO polygon: the prepared and plain
    // predicates must agree point by point, and with the even-odd test of the rings.
    @Test func preparedContainsAgreesWithUnprepared() throws {
        let layer = try GeoJSONReader.read(path: TestData.shared("dalarna/deso_2025_dalarna.geojson"))
        let shape = try #require(layer.features.first?.geometry)
        let polygon = try geos(shape)
        let prepared = try PreparedGeometry(polygon)
        let box = try #require(shape.bounds)
        var random = SeededGenerator(seed: 2025)
        var inside = 0
        for _ in 0..<2000 {
            let c = Coordinate(
                Double.random(in: box.minX...box.maxX, using: &random),
                Double.random(in: box.minY...box.maxY, using: &random))
            let plain = try polygon.contains(geos(.point(c)))
            #expect(try prepared.containsPoint(c) == plain)
            #expect(try prepared.coversPoint(c) == plain)
            let evenOdd = shape.polygons.contains { rings in
                rings.reduce(false) { $0 != Ring.contains($1, c) }
            }
            #expect(evenOdd == plain)
            if plain { inside += 1 }
        }
        #expect(inside > 0 && inside < 2000)
        #expect(try !prepared.containsPoint(Coordinate(box.maxX + 1, box.maxY + 1)))
    }
}

/// SplitMix64: a small seeded generator so random tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
