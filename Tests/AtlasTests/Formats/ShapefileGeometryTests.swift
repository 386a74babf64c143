import CShapelib
import Foundation
import Testing

@testable import Atlas

@Suite("Shapefile: geometry types and ring assembly")
struct ShapefileGeometryTests {
    private func read(_ fixture: ShapefileFixture) throws -> Layer {
        try Shapefile.read(path: fixture.write(in: TestData.temporaryFolder()))
    }

    @Test("two exteriors and a hole: the hole joins the exterior that contains it")
    func multipartWithHole() throws {
        let outer = ShapefileFixture.square(0, 0, 10)
        let island = ShapefileFixture.square(20, 0, 5)
        let lake = ShapefileFixture.square(2, 2, 3, counterClockwise: true)
        let layer = try read(ShapefileFixture(type: SHPT_POLYGON, shapes: [[island, outer, lake]]))
        #expect(layer.features[0].geometry == .multiPolygon([[island], [outer, lake]]))
    }

    @Test("a hole goes to the smallest exterior that contains it")
    func nestedExteriors() throws {
        // A park (exterior) inside a lake (hole) inside a county (exterior): the small pond
        // inside the park belongs to the park, not the county.
        let county = ShapefileFixture.square(0, 0, 100)
        let lake = ShapefileFixture.square(10, 10, 50, counterClockwise: true)
        let park = ShapefileFixture.square(20, 20, 20)
        let pond = ShapefileFixture.square(25, 25, 5, counterClockwise: true)
        let layer = try read(ShapefileFixture(type: SHPT_POLYGON, shapes: [[county, lake, park, pond]]))
        #expect(layer.features[0].geometry == .multiPolygon([[county, lake], [park, pond]]))
    }

    @Test("a hole outside every exterior becomes a polygon of its own")
    func orphanHole() throws {
        let a = ShapefileFixture.square(0, 0, 10)
        let b = ShapefileFixture.square(20, 0, 10)
        let stray = ShapefileFixture.square(50, 50, 2, counterClockwise: true)
        let layer = try read(ShapefileFixture(type: SHPT_POLYGON, shapes: [[a, b, stray]]))
        #expect(layer.features[0].geometry == .multiPolygon([[a], [b], [stray]]))
    }

    @Test("with no clockwise ring, nesting decides: the inner ring is a hole")
    func wrongOrientation() throws {
        let outer = ShapefileFixture.square(0, 0, 10, counterClockwise: true)
        let inner = ShapefileFixture.square(2, 2, 3, counterClockwise: true)
        let apart = ShapefileFixture.square(30, 0, 4, counterClockwise: true)
        let layer = try read(ShapefileFixture(type: SHPT_POLYGON, shapes: [[inner, outer, apart]]))
        #expect(layer.features[0].geometry == .multiPolygon([[outer, inner], [apart]]))
    }

    @Test("an unclosed ring of 3 points is closed; one with 2 distinct points names its record")
    func ringClosing() throws {
        let triangle = [Coordinate(0, 0), Coordinate(0, 4), Coordinate(3, 0)]
        let layer = try read(ShapefileFixture(type: SHPT_POLYGON, shapes: [[triangle]]))
        #expect(layer.features[0].geometry == .polygon([triangle + [triangle[0]]]))

        let sliver = [Coordinate(0, 0), Coordinate(0, 4), Coordinate(0, 0)]
        let fixture = ShapefileFixture(type: SHPT_POLYGON, shapes: [[triangle], [sliver]])
        #expect {
            try read(fixture)
        } throws: { error in
            let error = error as? AtlasError
            return error?.record == 2 && error?.message.contains("ring 1 has 2 distinct point(s)") == true
        }
    }

    @Test("Z and M variants read as 2D, null shapes as no geometry")
    func zmAndNull() throws {
        let p = Coordinate(500_000, 6_700_000)
        let q = Coordinate(500_100, 6_700_050)
        let r = Coordinate(500_200, 6_700_000)
        let points = try read(ShapefileFixture(type: SHPT_POINTZ, shapes: [[[p]], nil, [[q]]]))
        #expect(points.features.map(\.geometry) == [.point(p), nil, .point(q)])

        let multi = try read(ShapefileFixture(type: SHPT_MULTIPOINTM, shapes: [[[p, q, r]]]))
        #expect(multi.features[0].geometry == .multiPoint([p, q, r]))

        let lines = try read(ShapefileFixture(type: SHPT_ARCM, shapes: [[[p, q]], [[p, q], [q, r]]]))
        #expect(lines.features.map(\.geometry) == [.lineString([p, q]), .multiLineString([[p, q], [q, r]])])

        let ring = ShapefileFixture.square(500_000, 6_700_000, 250)
        let polygons = try read(ShapefileFixture(type: SHPT_POLYGONZ, shapes: [[ring], nil]))
        #expect(polygons.features.map(\.geometry) == [.polygon([ring]), nil])
    }

    @Test("a non-finite coordinate is an error naming the record")
    func nonFinite() throws {
        let fixture = ShapefileFixture(
            type: SHPT_POINT, shapes: [[[Coordinate(1, 2)]], [[Coordinate(3, 4)]], [[Coordinate(.nan, 5)]]])
        #expect {
            try read(fixture)
        } throws: { error in
            let error = error as? AtlasError
            return error?.record == 3 && error?.message.contains("not finite") == true
                && error?.file?.hasSuffix("fixture.shp") == true
        }
    }
}
