import Foundation
import Testing
@testable import Atlas

@Suite struct ProjectionTests {
    let context: PROJContext

    init() throws { context = try PROJContext() }

    /// The SCB 1 km grid CSV: cell centres in SWEREF 99 TM (e, n) and in WGS 84 (lon, lat, 7 decimals).
    static func gridCentres() throws -> (sweref: [Coordinate], wgs84: [Coordinate]) {
        let text = try String(contentsOfFile: TestData.shared("dalarna/befolkning_1km_2025_dalarna.csv"), encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines.removeFirst().map { $0.replacingOccurrences(of: "\u{FEFF}", with: "") }
        let e = try #require(header.firstIndex(of: "e")), n = try #require(header.firstIndex(of: "n"))
        let lon = try #require(header.firstIndex(of: "lon")), lat = try #require(header.firstIndex(of: "lat"))
        var sweref: [Coordinate] = [], wgs84: [Coordinate] = []
        for row in lines {
            sweref.append(Coordinate(try #require(Double(row[e])), try #require(Double(row[n]))))
            wgs84.append(Coordinate(try #require(Double(row[lon])), try #require(Double(row[lat]))))
        }
        return (sweref, wgs84)
    }

    // SCB publishes each cell centre both ways; its lon/lat are rounded to 7 decimals (≤ 5e-8°),
    // so our transform must land within 1e-7° of every one of the 4,004 cells, in lon/lat order.
    @Test func swerefToWGS84MatchesSCBGridCentres() throws {
        let (sweref, wgs84) = try Self.gridCentres()
        #expect(sweref.count == 4004)
        var transformed = sweref
        try Transformer(from: .sweref99TM, to: .wgs84, context: context).transform(&transformed)
        for (ours, scb) in zip(transformed, wgs84) {
            #expect(abs(ours.x - scb.x) < 1e-7 && abs(ours.y - scb.y) < 1e-7, "\(ours) vs \(scb)")
        }
        // Dalarna: longitudes 12–17 °E, latitudes 59.8–62.3 °N, so x is the longitude.
        #expect(transformed.allSatisfy { (12...17).contains($0.x) && (59.8...62.3).contains($0.y) })

        var back = transformed
        try Transformer(from: .wgs84, to: .sweref99TM, context: context).transform(&back)
        for (start, end) in zip(sweref, back) {
            #expect(abs(start.x - end.x) < 1e-6 && abs(start.y - end.y) < 1e-6)
        }
    }

    @Test func singleAndGeometryTransformsAgreeWithBatch() throws {
        let forward = try Transformer(from: .sweref99TM, to: .wgs84, context: context)
        let corner = Coordinate(352_000, 6_860_000)
        let polygon = Geometry.polygon([[corner, Coordinate(353_000, 6_860_000), Coordinate(353_000, 6_861_000), corner]])
        var batch = [corner, Coordinate(353_000, 6_860_000), Coordinate(353_000, 6_861_000), corner]
        try forward.transform(&batch)
        #expect(try forward.transform(corner) == batch[0])
        #expect(try forward.transform(polygon) == .polygon([batch]))
    }

    @Test func deSOShapefilePrjIsSWEREF99TM() throws {
        let wkt = try String(contentsOfFile: TestData.shared("dalarna/shp/deso_2025_dalarna.prj"), encoding: .utf8)
        #expect(wkt.hasPrefix("PROJCS[\"SWEREF99_TM\""))
        let info = try CRS(definition: wkt).info(context: context)
        #expect(info.epsg == 3006)
        #expect(info.name == "SWEREF99 TM")
        #expect(!info.isGeographic)
        #expect(info.unit == "metre")

        let wgs84 = try CRS.wgs84.info(context: context)
        #expect(wgs84 == CRSInfo(
            name: "WGS 84", epsg: 4326, isGeographic: true, unit: "degree",
            areaOfUse: AreaOfUse(name: "World.", bounds: Bounds(minX: -180, minY: -90, maxX: 180, maxY: 90))))
        // The ESRI WKT carries no area of use: it is that of the identified EPSG:3006.
        #expect(info.areaOfUse == AreaOfUse(
            name: "Sweden - onshore and offshore.", bounds: Bounds(minX: 10.03, minY: 54.96, maxX: 24.17, maxY: 69.07)))
    }

    // EPSG:4326's authority axis order is lat/lon; normalised transforms still take and give lon/lat.
    @Test func wgs84IsLonLatOrder() throws {
        let toUTM = try Transformer(from: .wgs84, to: CRS(epsg: 32633), context: context)
        // On UTM 33's central meridian (15 °E) the easting is exactly the false easting 500 000 m.
        let onMeridian = try toUTM.transform(Coordinate(15, 60))
        #expect(abs(onMeridian.x - 500_000) < 1e-6)
        #expect(onMeridian.y > 6_600_000 && onMeridian.y < 6_700_000)
    }

    @Test func unknownCRSAndImpossibleCoordinatesThrowWithPROJMessages() throws {
        do {
            _ = try CRS(epsg: 999_999).info(context: context)
            Issue.record("EPSG:999999 accepted")
        } catch let error as AtlasError {
            #expect(error.message.contains("999999"))
            #expect(error.message.contains(":"))
        }
        let toSweref = try Transformer(from: .wgs84, to: .sweref99TM, context: context)
        var points = [Coordinate(15, 60), Coordinate(15, 95)]
        #expect(throws: AtlasError.self) { try toSweref.transform(&points) }
        #expect(throws: AtlasError.self) { try toSweref.transform(Coordinate(15, 95)) }
        #expect(throws: AtlasError.self) { try toSweref.transform(Coordinate(.nan, 60)) }

        let layer = Layer(
            source: "points.geojson", format: "GeoJSON", crs: .wgs84, fields: [],
            features: [Feature(geometry: .point(Coordinate(15, 60)), values: []),
                       Feature(geometry: .point(Coordinate(15, 95)), values: [])])
        do {
            _ = try layer.reprojected(to: .sweref99TM, context: context)
            Issue.record("latitude 95 transformed")
        } catch let error as AtlasError {
            #expect(error.file == "points.geojson")
            #expect(error.record == 2)
        }
    }

    @Test func largeLayersAreReprojectedInRangesAsOneByOne() throws {
        // 200,000 points (ranges on several workers) and a polygon, each coordinate as the
        // single-coordinate transform gives it; then latitude 95 in a late range, which must be
        // the record named, though earlier ranges are fine and later ones are transformed too.
        var features = (0..<200_000).map { k in
            Feature(geometry: .point(Coordinate(11 + Double(k % 1000) * 0.01, 55 + Double(k / 1000) * 0.05)), values: [])
        }
        let ring = [Coordinate(15, 60), Coordinate(15.1, 60), Coordinate(15.1, 60.1), Coordinate(15, 60)]
        features.append(Feature(geometry: .polygon([ring]), values: []))
        let layer = Layer(source: "many.geojson", format: "GeoJSON", crs: .wgs84, fields: [], features: features)
        let moved = try layer.reprojected(to: .sweref99TM, context: context)
        let one = try Transformer(from: .wgs84, to: .sweref99TM, context: context)
        #expect(moved.crs == .sweref99TM && moved.features.count == features.count)
        for k in stride(from: 0, to: 200_000, by: 997) {
            #expect(moved.features[k].geometry == .point(try one.transform(features[k].geometry!.points[0])))
        }
        #expect(moved.features.last?.geometry == .polygon([try ring.map(one.transform)]))
        var bad = layer
        bad.features[170_001].geometry = .point(Coordinate(15, 95))
        #expect(throws: AtlasError.self) { try bad.reprojected(to: .sweref99TM, context: context) }
        do { _ = try bad.reprojected(to: .sweref99TM, context: context) } catch let error as AtlasError {
            #expect(error.file == "many.geojson" && error.record == 170_002)
        }
    }

    @Test func layerWithoutCRSCannotBeReprojected() {
        let layer = Layer(source: "roads.shp", format: "ESRI Shapefile", crs: nil, fields: [],
                          features: [Feature(geometry: .point(Coordinate(1, 2)), values: [])])
        #expect(throws: AtlasError(file: "roads.shp", "the layer has no coordinate reference system (no .prj); give one with --crs: the coordinates look like WGS 84 longitude/latitude (EPSG:4326)")) {
            try layer.toMetric(context: context)
        }
    }

    @Test func metricCRSForDalarnaAndPortoAlegre() throws {
        let dalarna = try GeoJSONReader.read(path: TestData.shared("dalarna/deso_2025_dalarna.geojson"))
        let dalarnaExtent = try #require(try dalarna.lonLatBounds(context: context))
        #expect(MetricCRS.choose(forLonLatBounds: dalarnaExtent) == CRS(epsg: 3006))
        let portoAlegre = try GeoJSONReader.read(path: TestData.shared("porto-alegre/poa_districts.geojson"))
        let extent = try #require(try portoAlegre.lonLatBounds(context: context))
        #expect(extent.center.x > -51.4 && extent.center.x < -51.0 && extent.center.y < -29.9 && extent.center.y > -30.3)
        // Zone 22 spans 54–48 °W; south of the equator: 32700 + 22.
        #expect(MetricCRS.choose(forLonLatBounds: extent) == CRS(epsg: 32722))
        #expect(try portoAlegre.toMetric(context: context).crs == CRS(epsg: 32722))
        // Data reaching past EPSG:3006's area of use is not Swedish: Stockholm (18.1 °E) to Helsinki
        // (24.9 °E) has its centre at 21.5 °E, in zone 34 (18–24 °E), north: 32634.
        #expect(MetricCRS.choose(forLonLatBounds: Bounds(minX: 18.1, minY: 59.3, maxX: 24.9, maxY: 60.2)) == CRS(epsg: 32634))
    }

    // The SCB grid cells are exact 1 km squares in SWEREF 99 TM with corners on whole kilometres.
    // The GeoJSON stores them in lon/lat with 7 decimals (≤ 1.1 cm), so after `toMetric` every
    // corner lies within 2 cm of a kilometre line and every cell covers 1 km² within 100 m².
    @Test func gridCellsAreKilometreSquaresAfterToMetric() throws {
        let grid = try GeoJSONReader.read(path: TestData.shared("dalarna/befolkning_1km_2025_dalarna.geojson"))
        let metric = try grid.toMetric(context: context)
        #expect(metric.crs == .sweref99TM)
        #expect(metric.features.count == 4004)
        let geos = try GEOSContext()
        for feature in metric.features {
            let cell = try #require(feature.geometry)
            cell.forEachCoordinate { c in
                #expect(abs(c.x - (c.x / 1000).rounded() * 1000) < 0.02)
                #expect(abs(c.y - (c.y / 1000).rounded() * 1000) < 0.02)
            }
            #expect(abs(try GEOSGeometry(cell, context: geos).area - 1_000_000) < 100)
        }
        // The layer is already metric: nothing moves.
        #expect(try metric.toMetric(context: context).features == metric.features)
    }
}
