import Foundation
import Testing

@testable import Atlas

/// Numbers from input that used to reach an Int conversion or a product unchecked: a longitude
/// of 1e300 choosing a UTM zone, a grid cell of 10⁻³⁰⁰ m counting its cells.
@Suite("Corpus: hostile coordinates and grids")
struct CoordinateHostileTests {
    private func points(_ coordinates: [Coordinate], crs: CRS = .wgs84) -> Layer {
        Layer(
            source: "points.geojson", format: "GeoJSON", crs: crs, fields: [],
            features: coordinates.map { Feature(geometry: .point($0), values: []) })
    }

    @Test("a feature at longitude 1e300 is an error naming it, not a UTM zone")
    func longitudeOffTheEarth() throws {
        let layer = points([Coordinate(16.5, 59.3), Coordinate(1e300, 59.3), Coordinate(16.6, 59.4)])
        let error = CorpusFiles.error { _ = try layer.toMetric() }
        #expect(error?.file == "points.geojson")
        #expect(error?.record == 2)
        #expect(error?.message == "the position (1e+300, 59.3) is outside longitude −180…180, latitude −90…90")
    }

    @Test("a latitude of 91 in a GeoJSON file read from disk")
    func latitudeOffTheEarth() throws {
        let path = try CorpusFiles.write(
            #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[16,59]},"properties":{}},{"type":"Feature","geometry":{"type":"Point","coordinates":[16,91]},"properties":{}}]}"#,
            name: "stops.geojson")
        let error = CorpusFiles.error { _ = try GeoJSONReader.read(path: path).toMetric() }
        #expect(error?.file == path)
        #expect(error?.record == 2)
    }

    @Test("a SWEREF 99 TM coordinate of 1e300 is named too")
    func projectedOffTheEarth() throws {
        let layer = points([Coordinate(500_000, 6_600_000), Coordinate(1e300, 6_600_000)], crs: .sweref99TM)
        let error = CorpusFiles.error { _ = try layer.toMetric() }
        #expect(error?.file == "points.geojson")
        #expect(error?.record == 2)
    }

    @Test("UTM zones for any number")
    func utmZoneNeverTraps() {
        #expect(MetricCRS.utmZone(longitude: 1e300) == 60)
        #expect(MetricCRS.utmZone(longitude: -1e300) == 1)
        #expect(MetricCRS.utmZone(longitude: .nan) == 1)
        #expect(MetricCRS.utmZone(longitude: .infinity) == 60)
        #expect(MetricCRS.utmZone(longitude: 180) == 60)
        #expect(MetricCRS.utmZone(longitude: 16.5) == 33)
    }

    private static let eskilstuna = Bounds(minX: 560_000, minY: 6_560_000, maxX: 610_000, maxY: 6_610_000)

    @Test("a grid of 1e-300 m cells is refused")
    func tinyCells() throws {
        let error = CorpusFiles.error { _ = try RegularGrid.covering(Self.eskilstuna, cellSize: 1e-300) }
        #expect(error?.message == "the grid cell size must be from 1 m to 1,000 km, not 1e-300 m")
        // The grid value itself is safe to make; working with it is refused.
        let grid = RegularGrid(covering: Self.eskilstuna, cellSize: 1e-300)
        #expect(grid.cellCount == Int.max)
        let square: [[[Coordinate]]] = [[[
            Coordinate(570_000, 6_570_000), Coordinate(571_000, 6_570_000), Coordinate(571_000, 6_571_000),
            Coordinate(570_000, 6_571_000), Coordinate(570_000, 6_570_000),
        ]]]
        #expect(CorpusFiles.error { _ = try Reaggregation.apportionment(sources: [.polygon(square[0])], grid: grid) }?.message
            == "the grid cell size must be from 1 m to 1,000 km, not 1e-300 m")
    }

    @Test("a grid of more than 100 million cells is refused")
    func tooManyCells() throws {
        let sweden = Bounds(minX: 260_000, minY: 6_130_000, maxX: 920_000, maxY: 7_680_000)
        let error = CorpusFiles.error { _ = try RegularGrid.covering(sweden, cellSize: 10) }
        #expect(error?.message == "a grid of 10.0 m cells over this extent has 66000 × 155000 cells; atlas makes at most 100 million: choose larger cells")
        #expect(try RegularGrid.covering(sweden, cellSize: 250).cellCount == 2640 * 6200)
    }

    @Test("squares of 10⁻³⁰⁰ m are not taken for a grid")
    func tinySquaresAreNotAGrid() {
        let size = 1e-300
        let squares: [Geometry] = [0.0, 1e6].map { x in
            .polygon([[
                Coordinate(x, 0), Coordinate(x + size, 0), Coordinate(x + size, size), Coordinate(x, size), Coordinate(x, 0),
            ]])
        }
        #expect(RegularGrid.cells(of: squares) == nil)
    }
}
