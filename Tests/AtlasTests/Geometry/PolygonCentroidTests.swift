import Testing
@testable import Atlas

@Suite struct PolygonCentroidTests {
    static func centroid(_ ring: [Coordinate]) -> Coordinate? {
        ring.dropLast().withUnsafeBufferPointer { PolygonCentroid.ofRing(vertices: $0) }
    }

    // An L of three unit squares centred at (0.5, 0.5), (1.5, 0.5) and (0.5, 1.5): the centroid
    // is their mean, (5/6, 5/6), whichever way the ring runs and wherever it starts.
    @Test func anLShapeByHand() throws {
        let ring = [(0.0, 0.0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2), (0, 0)].map { Coordinate($0.0, $0.1) }
        for candidate in [ring, Array(ring.reversed()), Array(ring[2...] + ring[1...2])] {
            let c = try #require(Self.centroid(candidate))
            #expect(abs(c.x - 5.0 / 6) < 1e-15 && abs(c.y - 5.0 / 6) < 1e-15)
        }
        // A ring without area is left to GEOS, which takes it as a line.
        #expect(Self.centroid([Coordinate(0, 0), Coordinate(1, 1), Coordinate(2, 2), Coordinate(0, 0)]) == nil)
    }

    // Real cells, bit for bit against GEOS: the 4,004 squares of the Dalarna 1 km grid in
    // SWEREF 99 TM and the 1,227 Porto Alegre hexagons projected to UTM 22S.
    @Test func realCellsMatchGEOSToTheBit() throws {
        let context = try GEOSContext()
        let squares = try LayerReader.read(path: TestData.shared("dalarna/shp/befolkning_1km_2025.shp"))
        let hexagons = try GeoJSONReader.read(path: TestData.shared("porto-alegre/poa_hexgrid.geojson")).toMetric()
        var compared = 0
        for layer in [squares, hexagons] {
            for feature in layer.features {
                let geometry = try #require(feature.geometry)
                guard case .polygon(let rings) = geometry, rings.count == 1 else { continue }
                let fast = try #require(Self.centroid(rings[0]))
                let geos = try #require(try geometry.centroid(context: context))
                #expect(fast.x.bitPattern == geos.x.bitPattern && fast.y.bitPattern == geos.y.bitPattern)
                compared += 1
            }
        }
        #expect(compared == 4_004 + 1_227)
    }

    // CellCentroids without the projected layer against `toMetric` then GEOS's centroids, on
    // real layers in WGS 84 (Porto Alegre hexagons → UTM 22S, the Falun 1 km grid → SWEREF 99
    // TM), and on one of every shape: a point, a square, a square with a hole, two squares as a
    // multipolygon, a flat ring (GEOS takes its line centroid), an empty polygon, no geometry.
    @Test func cellCentroidsMatchTheProjectedLayer() throws {
        let context = try GEOSContext()
        func square(_ x: Double, _ y: Double, _ size: Double) -> [Coordinate] {
            [Coordinate(x, y), Coordinate(x + size, y), Coordinate(x + size, y + size), Coordinate(x, y + size), Coordinate(x, y)]
        }
        let shapes: [Geometry?] = [
            .point(Coordinate(15.63, 60.60)), .polygon([square(15.6, 60.6, 0.01)]),
            .polygon([square(15.6, 60.6, 0.01), Array(square(15.602, 60.602, 0.002).reversed())]),
            .multiPolygon([[square(15.6, 60.6, 0.01)], [square(15.7, 60.6, 0.02)]]),
            .polygon([[Coordinate(15.6, 60.6), Coordinate(15.61, 60.61), Coordinate(15.62, 60.62), Coordinate(15.6, 60.6)]]),
            .polygon([]), nil,
        ]
        let mixed = Layer(
            source: "mixed", format: "test", crs: .wgs84, fields: [],
            features: shapes.map { Feature(geometry: $0, values: []) })
        for layer in [
            try GeoJSONReader.read(path: TestData.shared("porto-alegre/poa_hexgrid.geojson")),
            try GeoJSONReader.read(path: TestData.shared("falun/falun_befolkning_1km_2025.geojson")), mixed,
        ] {
            let metric = try layer.metricCRS()
            #expect(metric.transform)
            let fast = try CellCentroids.compute(layer, metric: metric.crs, transform: true)
            let general = try layer.toMetric().centroids(context: context)
            #expect(fast == general, "\(layer.source)")
        }
    }

    @Test func distinctCoordinatesAreFoundOnceInOrder() throws {
        let a = Coordinate(15.6, 60.6), b = Coordinate(15.7, 60.6), c = Coordinate(0, 0), negativeZero = Coordinate(-0.0, 0)
        let found = Transformer.distinct([a, b, a, c, b, negativeZero, c])
        // -0 and 0 are two bit patterns; each projects to the same place either way.
        #expect(found.values == [a, b, c, negativeZero])
        #expect(found.position == [0, 1, 0, 2, 1, 3, 2])
        // Many values (a table that must grow well past its smallest size), each repeated.
        let many = (0..<10_000).map { Coordinate(Double($0 % 2500), 1) }
        let distinct = Transformer.distinct(many)
        #expect(distinct.values.count == 2500 && distinct.position.enumerated().allSatisfy { many[$0.offset] == distinct.values[Int($0.element)] })
    }

    @Test func aCornerThatCannotBeProjectedNamesItsFirstRecord() throws {
        // Records 2 and 4 share a corner at latitude 95 (no place on Earth); record 1 is fine.
        func square(_ x: Double, _ y: Double) -> Geometry {
            .polygon([[Coordinate(x, y), Coordinate(x + 1, y), Coordinate(x + 1, y + 1), Coordinate(x, y + 1), Coordinate(x, y)]])
        }
        let layer = Layer(
            source: "cells.geojson", format: "GeoJSON", crs: .wgs84, fields: [],
            features: [square(15, 60), square(15, 94), square(16, 60), square(14, 94)].map { Feature(geometry: $0, values: []) })
        #expect(throws: AtlasError.self) { try CellCentroids.compute(layer, metric: .sweref99TM, transform: true) }
        do { _ = try CellCentroids.compute(layer, metric: .sweref99TM, transform: true) } catch let error as AtlasError {
            #expect(error.file == "cells.geojson" && error.record == 2)
        }
    }
}
