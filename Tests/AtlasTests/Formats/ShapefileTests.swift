import Foundation
import Testing

@testable import Atlas

@Suite("Shapefile: real data")
struct ShapefileTests {
    @Test("Dalarna DeSO: 175 polygons whose population adds up to the .dbf's own total")
    func dalarnaDeSO() throws {
        let layer = try Shapefile.read(path: TestData.shared("dalarna/shp/deso_2025_dalarna"))
        #expect(layer.format == "ESRI Shapefile")
        #expect(layer.encoding == "UTF-8")
        #expect(layer.features.count == 175)
        #expect(layer.crs?.definition.contains("SWEREF99_TM") == true)
        // The DBF cuts field names to 10 characters: befolkning_2024 → befolkning,
        // befolkning_65_plus_2024 → befolkni_1.
        #expect(try layer.fieldIndex("befolkning") >= 0)
        #expect(layer.fields[try layer.fieldIndex("befolkning")].type == .integer)
        #expect(layer.fields[try layer.fieldIndex("area_km2")].type == .real)
        // Expected sums from GDAL reading the .dbf on its own:
        // ogrinfo -dialect sqlite -sql "select sum(befolkning), sum(befolkni_1) from deso_2025_dalarna"
        let population = try layer.values(of: "befolkning").compactMap(\.number).reduce(0, +)
        let olderPopulation = try layer.values(of: "befolkni_1").compactMap(\.number).reduce(0, +)
        #expect(population == 286_546)
        #expect(olderPopulation == 74_684)
        // The same total as the separate SCB table of population per DeSO (175 rows).
        let table = try CSVTable.read(path: TestData.shared("dalarna/deso_befolkning_2024.csv"))
        let column = try table.column("befolkning_2024")
        #expect(Double(table.rows.map { Int($0[column])! }.reduce(0, +)) == population)
        #expect(layer.features.allSatisfy { $0.geometry?.polygons.isEmpty == false })
    }

    @Test("the DeSO shapefile and GeoJSON hold the same 175 areas and population")
    func shapefileAgreesWithGeoJSON() throws {
        let shapefile = try Shapefile.read(path: TestData.shared("dalarna/shp/deso_2025_dalarna.shp"))
        let geojson = try GeoJSONReader.read(path: TestData.shared("dalarna/deso_2025_dalarna.geojson"))
        func populationByArea(_ layer: Layer, _ field: String) throws -> [String: Double] {
            let codes = try layer.values(of: "desokod").map { $0.text ?? "" }
            let population = try layer.values(of: field).map { $0.number ?? -1 }
            return Dictionary(uniqueKeysWithValues: zip(codes, population))
        }
        let fromShapefile = try populationByArea(shapefile, "befolkning")
        #expect(fromShapefile.count == 175)
        #expect(fromShapefile == (try populationByArea(geojson, "befolkning_2024")))
    }

    @Test("a DeSO enclosing another is one polygon with a hole, ring sizes as GDAL counts them")
    func polygonWithHole() throws {
        let layer = try Shapefile.read(path: TestData.shared("dalarna/shp/deso_2025_dalarna.shp"))
        let codes = try layer.values(of: "desokod").map(\.text)
        let feature = try #require(layer.features.first { $0.values[try layer.fieldIndex("desokod")].text == "2061A0010" })
        #expect(codes.count == 175)
        guard case .polygon(let rings) = feature.geometry else {
            Issue.record("expected a polygon, got \(String(describing: feature.geometry?.typeName))")
            return
        }
        // ogrinfo -dialect sqlite -sql "select ST_NPoints(ST_ExteriorRing(geometry)),
        //   ST_NPoints(ST_InteriorRingN(geometry,1)) from deso_2025_dalarna where desokod='2061A0010'"
        #expect(rings.count == 2)
        #expect(rings.map(\.count) == [958, 392])
        // Shapefile orientation kept: exterior clockwise, hole counter-clockwise.
        #expect(Ring.signedArea(rings[0]) < 0)
        #expect(Ring.signedArea(rings[1]) > 0)
        // GDAL: ST_Area(geometry) = 546838374.45 m² (exterior minus hole).
        let area = abs(Ring.signedArea(rings[0])) - abs(Ring.signedArea(rings[1]))
        #expect(abs(area - 546_838_374.454868) < 0.01)
        // 13 DeSO hold a hole (ogrinfo ... where ST_NumInteriorRing(geometry) > 0).
        let withHoles = layer.features.filter { $0.geometry?.polygons.contains { $0.count > 1 } == true }
        #expect(withHoles.count == 13)
    }

    @Test("UTF-8 and Windows-1252 municipality shapefiles decode the same names")
    func municipalitiesInBothEncodings() throws {
        let utf8 = try Shapefile.read(path: TestData.shared("sweden/shp/kommun.shp"))
        let cp1252 = try Shapefile.read(path: TestData.shared("sweden/shp/kommun_cp1252.shp"))
        #expect(utf8.encoding == "UTF-8")
        #expect(cp1252.encoding == "Windows-1252")
        #expect(utf8.features.count == 290)
        let names = try utf8.values(of: "kommun").compactMap(\.text)
        #expect(names == (try cp1252.values(of: "kommun").compactMap(\.text)))
        #expect(names.count == 290)
        for name in ["Håbo", "Älvdalen", "Örebro", "Åre", "Malå", "Täby"] {
            #expect(names.contains(name), "\(name) is missing")
        }
        let codes = try utf8.values(of: "kommun_kod").compactMap(\.text)
        #expect(codes[names.firstIndex(of: "Håbo")!] == "0305")
        #expect(utf8.features.map(\.geometry) == cp1252.features.map(\.geometry))
        // GDAL: 13 municipalities are multipolygons (Värmdö with 8 parts), the rest polygons.
        let multi = utf8.features.filter { if case .multiPolygon = $0.geometry { true } else { false } }
        #expect(multi.count == 13)
        let varmdo = utf8.features[names.firstIndex(of: "Värmdö")!]
        #expect(varmdo.geometry?.polygons.count == 8)
        // GDAL's extent: (277247.644492, 6133891.224181) - (917271.368931, 7669869.700204).
        let bounds = try #require(utf8.bounds)
        #expect(abs(bounds.minX - 277_247.644492) < 1e-6 && abs(bounds.maxY - 7_669_869.700204) < 1e-6)
    }

    @Test("Dalarna 1 km grid: 4,004 square cells with the grid population")
    func populationGrid() throws {
        let layer = try Shapefile.read(path: TestData.shared("dalarna/shp/befolkning_1km_2025.shp"))
        #expect(layer.features.count == 4004)
        // ogrinfo -dialect sqlite -sql "select sum(befolkning) from befolkning_1km_2025"
        #expect(try layer.values(of: "befolkning").compactMap(\.number).reduce(0, +) == 285_587)
        let areas = layer.features.compactMap { $0.geometry?.polygons.first?.first }.map { abs(Ring.signedArea($0)) }
        #expect(areas.count == 4004)
        // The cells went through WGS 84 on their way here, so they are 1 km² only to within
        // 25 m². GDAL: select min(ST_Area(geometry)), max(ST_Area(geometry)) → 999983.39098813,
        // 1000024.44709204.
        #expect(abs(areas.min()! - 999_983.39098813) < 1e-4)
        #expect(abs(areas.max()! - 1_000_024.44709204) < 1e-4)
    }

    @Test("care points read as points with their SWEREF 99 TM coordinates")
    func carePoints() throws {
        let layer = try Shapefile.read(path: TestData.shared("dalarna/shp/vardcentraler_sjukhus.shp"))
        // The .shp is 100 header bytes + 40 records of 28 bytes: (1220 - 100) / 28 = 40.
        #expect(layer.features.count == 40)
        // Points lie on the coordinates their own attributes record, to the millimetre (the
        // geometry went through WGS 84 on its way from Region Dalarna's table), except 4 whose
        // source rows disagree with themselves; GDAL lists the same 4 with
        // "select namn from vardcentraler_sjukhus where abs(sweref99tm - ST_X(geometry)) > 0.01".
        let east = try layer.fieldIndex("sweref99tm")
        let north = try layer.fieldIndex("sweref99_1")
        let name = try layer.fieldIndex("namn")
        var offPoints: [String] = []
        for feature in layer.features {
            guard case .point(let p) = feature.geometry else {
                Issue.record("not a point: \(String(describing: feature.geometry))")
                continue
            }
            if abs(p.x - feature.values[east].number!) > 0.01 || abs(p.y - feature.values[north].number!) > 0.01 {
                offPoints.append(feature.values[name].text ?? "")
            }
        }
        #expect(
            offPoints.sorted() == [
                "Familjecentral Elsborg", "Hjälpmedelcentralen", "Psykiatriska öppenvårdsmottagningen i Hedemora",
                "Vårdcentral Kvarnporten",
            ])
        #expect(try layer.values(of: "namn").compactMap(\.text).contains("Borlänge sjukhus"))
    }
}
