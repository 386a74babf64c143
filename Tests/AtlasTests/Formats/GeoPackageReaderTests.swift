import Foundation
import Testing

@testable import Atlas

/// `dalarna/gpkg/dalarna.gpkg` was written by GDAL 3.6 (`ogr2ogr -f GPKG`) from the three
/// shapefiles in `dalarna/shp/` (SOURCES.md): reading either must give the same layer.
@Suite("GeoPackage: reading GDAL's file")
struct GeoPackageReaderTests {
    static let file = TestData.shared("dalarna/gpkg/dalarna.gpkg")

    static func layer(_ name: String) throws -> Layer {
        try LayerReader.read(path: file + "|layername=" + name)
    }

    /// Fields, values and geometries of two layers, compared feature by feature.
    static func expectSameFeatures(_ a: Layer, _ b: Layer, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.fields == b.fields, sourceLocation: sourceLocation)
        #expect(a.features.count == b.features.count, sourceLocation: sourceLocation)
        var differing: [Int] = []
        for (k, (x, y)) in zip(a.features, b.features).enumerated() where x != y { differing.append(k + 1) }
        #expect(differing.isEmpty, "records \(differing.prefix(5)) differ", sourceLocation: sourceLocation)
    }

    @Test("the file lists its three layers with GDAL's declared types and extents")
    func layerList() throws {
        let layers = try GeoPackage.layers(path: Self.file)
        #expect(layers.map(\.name) == ["deso_2025", "befolkning_1km_2025", "vardcentraler_sjukhus"])
        #expect(layers.map(\.geometryType) == ["POLYGON", "POLYGON", "POINT"])
        #expect(layers.allSatisfy { $0.srsID == 3006 && $0.geometryColumn == "geom" })
        // gpkg_contents as ogrinfo prints it: Extent: (348758.040859, 6635243.250397) - (594521.750269, 6906905.024385)
        let extent = try #require(layers[0].extent)
        #expect(abs(extent.minX - 348_758.040859) < 1e-6 && abs(extent.maxY - 6_906_905.024385) < 1e-6)
    }

    @Test("DeSO: the shapefile's 175 polygons, fields, values and coordinates, in SWEREF 99 TM")
    func deso() throws {
        let gpkg = try Self.layer("deso_2025")
        let shp = try Shapefile.read(path: TestData.shared("dalarna/shp/deso_2025_dalarna.shp"))
        #expect(gpkg.format == "GeoPackage")
        #expect(gpkg.source == Self.file + "|layername=deso_2025")
        #expect(gpkg.crs == CRS(epsg: 3006))
        #expect(try gpkg.crs?.info().epsg == 3006)
        Self.expectSameFeatures(gpkg, shp)
        // 286,546 inhabitants in 2024, as SCB's table of population per DeSO adds up (ShapefileTests).
        #expect(try gpkg.values(of: "befolkning").compactMap(\.number).reduce(0, +) == 286_546)
        // fid 1 as sqlite3 prints it: 2080C1190 | 1622 | 0.302096 | 0.535
        #expect(gpkg.features[0].values[try gpkg.fieldIndex("desokod")] == .string("2080C1190"))
        #expect(gpkg.features[0].values[try gpkg.fieldIndex("andel_65_p")] == .double(0.302096))
        #expect(gpkg.fields[try gpkg.fieldIndex("befolkning")].type == .integer)
    }

    @Test("the 1 km grid: 4,004 cells of 285,587 people, the same as the shapefile's")
    func grid() throws {
        let gpkg = try Self.layer("befolkning_1km_2025")
        let shp = try Shapefile.read(path: TestData.shared("dalarna/shp/befolkning_1km_2025.shp"))
        Self.expectSameFeatures(gpkg, shp)
        // sqlite3 dalarna.gpkg "select sum(befolkning), count(*) from befolkning_1km_2025"
        #expect(try gpkg.values(of: "befolkning").compactMap(\.number).reduce(0, +) == 285_587)
        // Cell 3520006860000 has its south-west corner at E 352000, N 6860000 (rutid = easting
        // + northing); the cells went through a reprojection on their way from SCB, so the
        // corners are within 2 cm of the grid: ogrinfo -fid 1 gives
        // POLYGON ((351999.997272861 6859999.99287336, 352000.000979876 6861000.00784231, …
        let first = try #require(gpkg.features.first?.geometry?.bounds)
        #expect(abs(first.minX - 352_000) < 0.02 && abs(first.minY - 6_860_000) < 0.02)
        #expect(abs(first.width - 1000) < 0.02 && abs(first.height - 1000) < 0.02)
    }

    @Test("care points: 40 points with Swedish names, the coordinates the attribute table gives")
    func carePoints() throws {
        let gpkg = try Self.layer("vardcentraler_sjukhus")
        let shp = try Shapefile.read(path: TestData.shared("dalarna/shp/vardcentraler_sjukhus.shp"))
        Self.expectSameFeatures(gpkg, shp)
        let names = try gpkg.values(of: "namn").compactMap(\.text)
        #expect(names.first == "Avesta lasarett")
        #expect(names.contains("Borlänge sjukhus"))
        // ogrinfo -fid 1: POINT (566689.911257708 6667743.60741813); sweref99tm = 566689.911
        guard case .point(let c)? = gpkg.features[0].geometry else {
            Issue.record("expected a point")
            return
        }
        #expect(abs(c.x - 566_689.911257708) < 1e-8 && abs(c.y - 6_667_743.60741813) < 1e-8)
        #expect(abs(c.x - (gpkg.features[0].values[try gpkg.fieldIndex("sweref99tm")].number ?? 0)) < 0.001)
    }

    @Test("without a layer name a three-layer file is an error that lists the layers")
    func layerNameNeeded() throws {
        let error = try #require(throws: AtlasError.self) { try LayerReader.read(path: Self.file) }
        #expect(error.file == Self.file)
        #expect(error.message.contains("3 layers (deso_2025, befolkning_1km_2025, vardcentraler_sjukhus)"))
        #expect(error.message.contains("|layername=NAME"))
    }

    @Test("inspect lists every layer of the file, each with type, count, CRS, fields and extent")
    func inspectEveryLayer() throws {
        let paths = try LayerReader.layerPaths(Self.file)
        #expect(paths == ["deso_2025", "befolkning_1km_2025", "vardcentraler_sjukhus"].map { Self.file + "|layername=" + $0 })
        let reports = try paths.map { try LayerInspection(layer: try LayerReader.read(path: $0)) }
        #expect(reports.map(\.featureCount) == [175, 4004, 40])
        #expect(reports.map(\.geometryTypes) == [["Polygon": 175], ["Polygon": 4004], ["Point": 40]])
        #expect(reports.allSatisfy { $0.epsg == 3006 })
        #expect(reports[2].fields.map(\.name) == ["namn", "hsa_vc", "regi", "typ", "kommun", "sweref99tm", "sweref99_1"])
        #expect(reports[0].report.contains("crs:        SWEREF99 TM (EPSG:3006)"))
    }

    @Test("a layer name is matched exactly, then regardless of case, as SQLite names tables")
    func layerNameCase() throws {
        #expect(try Self.layer("VARDCENTRALER_SJUKHUS").features.count == 40)
    }
}

@Suite("Zipped shapefiles")
struct ZippedShapefileTests {
    @Test("the zipped Windows-1252 municipalities read as the shapefile beside them")
    func kommunZip() throws {
        let zip = TestData.shared("sweden/kommun_cp1252_shp.zip")
        let zipped = try LayerReader.read(path: zip)
        let plain = try Shapefile.read(path: TestData.shared("sweden/shp/kommun_cp1252.shp"))
        #expect(zipped.source == zip + "/kommun_cp1252.shp")
        #expect(zipped.encoding == "Windows-1252")
        #expect(zipped.crs == plain.crs)
        GeoPackageReaderTests.expectSameFeatures(zipped, plain)
        // 290 municipalities; the names decoded from 1252 bytes, e.g. Älvdalen (2039).
        #expect(zipped.features.count == 290)
        let names = try zipped.values(of: "kommun").compactMap(\.text)
        #expect(names.contains("Älvdalen") && names.contains("Håbo"))
        // Also under the X.shp.zip spelling, and by its set's name.
        let folder = try TestData.temporaryFolder()
        try FileManager.default.copyItem(atPath: zip, toPath: folder + "/kommun.shp.zip")
        #expect(try LayerReader.read(path: folder + "/kommun.shp.zip|layername=kommun_cp1252").features.count == 290)
    }

    @Test("an archive of two shapefiles needs one named, and says which it holds")
    func twoSets() throws {
        let folder = try TestData.temporaryFolder()
        for base in ["dalarna/shp/vardcentraler_sjukhus", "falun/shp/falun_vard"] {
            for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
                let name = URL(fileURLWithPath: base).lastPathComponent + "." + ext
                try FileManager.default.copyItem(atPath: TestData.shared(base + "." + ext), toPath: folder + "/" + name)
            }
        }
        let zip = folder + "/vard.zip"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.arguments = ["-q", zip] + ["vardcentraler_sjukhus", "falun_vard"].flatMap { b in
            ["shp", "shx", "dbf", "prj", "cpg"].map { "\(b).\($0)" }
        }
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let error = try #require(throws: AtlasError.self) { try LayerReader.read(path: zip) }
        #expect(error.message.contains("2 shapefiles (vardcentraler_sjukhus, falun_vard)"))
        // 40 Dalarna care points, 9 of them in Falun (SOURCES.md).
        #expect(try LayerReader.read(path: zip + "|layername=vardcentraler_sjukhus").features.count == 40)
        #expect(try LayerReader.read(path: zip + "|layername=falun_vard").features.count == 9)
        let missing = try #require(throws: AtlasError.self) { try LayerReader.read(path: zip + "|layername=kommun") }
        #expect(missing.message.contains("no shapefile 'kommun'"))
        // The temporary extraction folder is gone afterwards.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())
            .filter { $0.hasPrefix("atlas-shp-\(getpid())-") }
        #expect(leftovers.isEmpty)
    }
}
