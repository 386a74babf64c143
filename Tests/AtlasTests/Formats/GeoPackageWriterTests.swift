import Foundation
import Testing

@testable import Atlas

@Suite("GeoPackage: writing and reading back")
struct GeoPackageWriterTests {
    static let dalarna = TestData.shared("dalarna/gpkg/dalarna.gpkg")

    /// The DeSO shapefile in WGS 84, as atlas hands layers to its writers.
    static func desoLonLat() throws -> Layer {
        try Shapefile.read(path: TestData.shared("dalarna/shp/deso_2025_dalarna.shp")).reprojected(to: .wgs84)
    }

    static func write(_ layer: Layer, to path: String, layer name: String? = nil, crs: CRS = .wgs84,
                      foreignMembers: [(String, JSONValue)] = []) throws -> Int {
        let writer = try GeoPackageWriter(path: path, layer: name, fields: layer.fields, crs: crs, foreignMembers: foreignMembers)
        for feature in layer.features { try writer.write(feature) }
        return try writer.finish()
    }

    static func copyOfDalarna() throws -> String {
        let path = try TestData.temporaryFolder() + "/dalarna.gpkg"
        try FileManager.default.copyItem(atPath: dalarna, toPath: path)
        return path
    }

    @Test("a layer written in WGS 84 reads back identically: values, geometry, CRS and metadata")
    func roundTripWGS84() throws {
        let deso = try Self.desoLonLat()
        let path = try TestData.temporaryFolder() + "/deso.gpkg"
        let run: JSONValue = .object([("indicator", .string("export")), ("features", .int(175))])
        #expect(try Self.write(deso, to: path, foreignMembers: [("atlas:run", run)]) == 175)

        // Named after the file's stem, so the path alone reads it.
        let back = try LayerReader.read(path: path)
        #expect(back.source == path + "|layername=deso")
        #expect(back.crs == CRS(epsg: 4326))
        GeoPackageReaderTests.expectSameFeatures(back, deso)
        let metadata = try GeoPackage.metadata(path: path)
        #expect(metadata.count == 1)
        #expect(metadata.first?.0 == "atlas:run" && metadata.first?.1 == run)
    }

    @Test("stored in SWEREF 99 TM the layer has the shapefile's coordinates, to the nanometre after the WGS 84 round trip")
    func roundTripSweref() throws {
        let shp = try Shapefile.read(path: TestData.shared("dalarna/shp/deso_2025_dalarna.shp"))
        let path = try TestData.temporaryFolder() + "/deso.gpkg"
        _ = try Self.write(try Self.desoLonLat(), to: path, crs: .sweref99TM)
        let back = try LayerReader.read(path: path)
        #expect(back.crs == CRS(epsg: 3006))
        #expect(try GeoPackage.layers(path: path).first?.srsID == 3006)
        #expect(back.features.map(\.values) == shp.features.map(\.values))
        var largest = 0.0
        for (a, b) in zip(back.features, shp.features) {
            var mine: [Coordinate] = [], theirs: [Coordinate] = []
            a.geometry?.forEachCoordinate { mine.append($0) }
            b.geometry?.forEachCoordinate { theirs.append($0) }
            #expect(mine.count == theirs.count)
            for (p, q) in zip(mine, theirs) { largest = max(largest, abs(p.x - q.x), abs(p.y - q.y)) }
        }
        // PROJ's SWEREF 99 TM ↔ WGS 84 round trip is exact to well under a micrometre.
        #expect(largest < 1e-6)

        // Layer.write keeps a layer already in the output CRS as it is: exactly the shapefile's.
        let direct = try TestData.temporaryFolder() + "/direct.gpkg"
        #expect(try shp.write(to: direct, crs: .sweref99TM) == 175)
        GeoPackageReaderTests.expectSameFeatures(try LayerReader.read(path: direct), shp)
    }

    @Test("the file is a GeoPackage 1.2: application id, version, reference systems, contents, R-tree")
    func structure() throws {
        let deso = try Self.desoLonLat()
        let path = try TestData.temporaryFolder() + "/deso.gpkg"
        _ = try Self.write(deso, to: path, layer: "areas", crs: .sweref99TM)
        let database = try SQLiteDatabase(path: path, readOnly: true)
        // 0x47504B47 is "GPKG"; 10200 is version 1.2.0.
        #expect(try database.scalar("PRAGMA application_id") == .integer(0x4750_4B47))
        #expect(try database.scalar("PRAGMA user_version") == .integer(10200))
        #expect(try database.scalar("PRAGMA integrity_check") == .text("ok"))
        #expect(try database.scalar("SELECT group_concat(srs_id) FROM (SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id)")
            == .text("-1,0,3006,4326"))
        #expect(try database.scalar("SELECT organization || ':' || organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = 3006")
            == .text("EPSG:3006"))
        #expect(try database.scalar("SELECT data_type || ' ' || identifier FROM gpkg_contents WHERE table_name = 'areas'")
            == .text("features areas"))
        #expect(try database.scalar("SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name = 'areas'")
            == .text("POLYGON"))
        // The contents extent is the shapefile's extent in SWEREF 99 TM (GDAL's gpkg_contents
        // says 348758.040859 … 6906905.024385), within the WGS 84 round trip.
        let minX = try #require(try database.scalar("SELECT min_x FROM gpkg_contents WHERE table_name = 'areas'"))
        let maxY = try #require(try database.scalar("SELECT max_y FROM gpkg_contents WHERE table_name = 'areas'"))
        guard case .real(let x) = minX, case .real(let y) = maxY else {
            Issue.record("no extent")
            return
        }
        #expect(abs(x - 348_758.040859) < 1e-5 && abs(y - 6_906_905.024385) < 1e-5)
        // One R-tree entry per feature, registered as the extension, with its six triggers.
        #expect(try database.scalar("SELECT count(*) FROM rtree_areas_geom") == .integer(175))
        #expect(try database.scalar(
            "SELECT scope FROM gpkg_extensions WHERE table_name = 'areas' AND extension_name = 'gpkg_rtree_index'") == .text("write-only"))
        #expect(try database.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_areas_geom_%'")
            == .integer(6))
        // A spatial filter on a point in Falun (E 535000, N 6720000) finds through the index the
        // DeSO whose bounding boxes hold it, as many as a scan of the shapefile finds.
        let hits = try database.scalar(
            "SELECT count(*) FROM rtree_areas_geom WHERE minx <= 535000 AND maxx >= 535000 AND miny <= 6720000 AND maxy >= 6720000")
        let boxes = try Shapefile.read(path: TestData.shared("dalarna/shp/deso_2025_dalarna.shp")).features
            .filter { $0.geometry?.bounds?.contains(Coordinate(535_000, 6_720_000)) == true }.count
        #expect(hits == .integer(Int64(boxes)))
        #expect(boxes > 0)
        // SQLite's own check of the tree atlas packed: every box inside its parent's, every row once.
        #expect(try database.scalar("SELECT rtreecheck('rtree_areas_geom')") == .text("ok"))
    }

    @Test("the 4,004-cell grid's R-tree is three levels deep and answers queries as a scan does")
    func gridIndex() throws {
        let grid = try Shapefile.read(path: TestData.shared("dalarna/shp/befolkning_1km_2025.shp"))
        let path = try TestData.temporaryFolder() + "/grid.gpkg"
        #expect(try grid.write(to: path, crs: .sweref99TM) == 4004)
        let database = try SQLiteDatabase(path: path, readOnly: true)
        #expect(try database.scalar("SELECT rtreecheck('rtree_grid_geom')") == .text("ok"))
        // 51 cells fit a node of 1,228 bytes (4 + 51 × 24): 4,004 cells make 79 leaves, 2
        // nodes above them and the root, whose first two bytes give the depth, 2.
        #expect(try database.scalar("SELECT count(*) FROM rtree_grid_geom_node") == .integer(79 + 2 + 1))
        #expect(try database.scalar("SELECT hex(substr(data, 1, 2)) FROM rtree_grid_geom_node WHERE nodeno = 1") == .text("0002"))
        #expect(try database.scalar("SELECT count(*) FROM rtree_grid_geom_rowid") == .integer(4004))
        // The cells meeting a 10 km square near Borlänge, by the index and by a scan. The index
        // keeps 32-bit floats (0.5 m apart at N 6,700,000) rounded outwards, so the square's
        // edges run through the middle of cells, far from any cell's edge.
        let query = "minx <= 515500 AND maxx >= 505500 AND miny <= 6705500 AND maxy >= 6695500"
        let indexed = try database.scalar("SELECT count(*) FROM rtree_grid_geom WHERE \(query)")
        let scanned = grid.features.filter {
            guard let b = $0.geometry?.bounds else { return false }
            return b.minX <= 515_500 && b.maxX >= 505_500 && b.minY <= 6_705_500 && b.maxY >= 6_695_500
        }.count
        #expect(indexed == .integer(Int64(scanned)))
        #expect(scanned >= 5)
    }

    @Test("replacing one layer of GDAL's three-layer file keeps the other two as they were")
    func replaceOneLayer() throws {
        let path = try Self.copyOfDalarna()
        let before = try GeoPackageReaderTests.layer("deso_2025")
        let falun = try Shapefile.read(path: TestData.shared("falun/shp/falun_vard.shp")).reprojected(to: .wgs84)
        #expect(try Self.write(falun, to: path, layer: "vardcentraler_sjukhus", crs: .sweref99TM) == 9)

        #expect(try GeoPackage.layers(path: path).map(\.name).sorted() == ["befolkning_1km_2025", "deso_2025", "vardcentraler_sjukhus"])
        // The care points are now Falun's 9, in SWEREF 99 TM, with Falun's fields.
        let replaced = try LayerReader.read(path: path + "|layername=vardcentraler_sjukhus")
        #expect(replaced.features.count == 9)
        #expect(replaced.fields == falun.fields)
        #expect(replaced.crs == CRS(epsg: 3006))
        // The untouched layers read as before: the 175 DeSO and the 4,004 cells.
        GeoPackageReaderTests.expectSameFeatures(try LayerReader.read(path: path + "|layername=deso_2025"), before)
        #expect(try LayerReader.read(path: path + "|layername=befolkning_1km_2025").features.count == 4004)
        let database = try SQLiteDatabase(path: path, readOnly: true)
        #expect(try database.scalar("PRAGMA integrity_check") == .text("ok"))
        #expect(try database.scalar("SELECT count(*) FROM rtree_vardcentraler_sjukhus_geom") == .integer(9))
        #expect(try database.scalar("SELECT rtreecheck('rtree_vardcentraler_sjukhus_geom')") == .text("ok"))
        // GDAL's XML metadata of the replaced layer went with it; the others keep theirs.
        #expect(try database.scalar("SELECT count(*) FROM gpkg_metadata") == .integer(2))
        #expect(try database.scalar("SELECT count(*) FROM gpkg_metadata_reference WHERE table_name = 'vardcentraler_sjukhus'") == .integer(0))
    }

    @Test("adding municipalities of polygons and multipolygons declares MULTIPOLYGON and promotes the polygons")
    func mixedPolygonsBecomeMultipolygons() throws {
        let path = try Self.copyOfDalarna()
        let kommun = try Shapefile.read(path: TestData.shared("sweden/shp/kommun.shp"))
        // 277 polygons and 13 multipolygons (atlas inspect sweden/shp/kommun.shp).
        #expect(kommun.features.filter { if case .multiPolygon? = $0.geometry { true } else { false } }.count == 13)
        #expect(try kommun.write(to: path + "|layername=kommun", crs: .sweref99TM) == 290)

        let layers = try GeoPackage.layers(path: path)
        #expect(layers.count == 4)
        #expect(layers.first { $0.name == "kommun" }?.geometryType == "MULTIPOLYGON")
        let back = try LayerReader.read(path: path + "|layername=kommun")
        #expect(back.features.allSatisfy { if case .multiPolygon? = $0.geometry { true } else { false } })
        #expect(back.features.map { $0.geometry?.polygons } == kommun.features.map { $0.geometry?.polygons })
        #expect(back.features.map(\.values) == kommun.features.map(\.values))
        let database = try SQLiteDatabase(path: path, readOnly: true)
        #expect(try database.scalar("PRAGMA integrity_check") == .text("ok"))
        #expect(try database.scalar("SELECT count(*) FROM rtree_kommun_geom") == .integer(290))
        #expect(try database.scalar("SELECT rtreecheck('rtree_kommun_geom')") == .text("ok"))
    }

    @Test("every field type, nulls, UTF-8 text, odd names and a field called fid survive the round trip")
    func fieldTypes() throws {
        let fields = [
            Field("fid", .integer), Field("namn", .string), Field("andel", .real), Field("ok", .boolean),
            Field("datum", .date), Field("say \"hi\"", .string),
        ]
        let features = [
            Feature(geometry: .point(Coordinate(15.6, 60.6)), values: [.int(7), .string("Älvdalen"), .double(0.25), .bool(true), .string("2024-12-31"), .string("a")]),
            Feature(geometry: nil, values: [.null, .null, .null, .null, .null, .null]),
            Feature(geometry: .point(Coordinate(-0.5, -45)), values: [.int(-9_007_199_254_740_993), .string(""), .double(-1e-300), .bool(false), .string("1970-01-01"), .string("ø")]),
        ]
        let path = try TestData.temporaryFolder() + "/types.gpkg"
        let writer = try GeoPackageWriter(path: path, fields: fields)
        for f in features { try writer.write(f) }
        #expect(try writer.finish() == 3)
        let back = try LayerReader.read(path: path)
        #expect(back.fields == fields)
        #expect(back.features == features)
        // The table's own key is not the field called fid.
        let database = try SQLiteDatabase(path: path, readOnly: true)
        #expect(try database.scalar("SELECT count(*) FROM pragma_table_info('types') WHERE pk = 1 AND name = 'fid_'") == .integer(1))
    }

    @Test("a layer with no features is still a valid, readable layer")
    func emptyLayer() throws {
        let path = try TestData.temporaryFolder() + "/empty.gpkg"
        let writer = try GeoPackageWriter(path: path, fields: [Field("id", .string)], crs: .sweref99TM)
        #expect(try writer.finish() == 0)
        let back = try LayerReader.read(path: path)
        #expect(back.features.isEmpty && back.fields == [Field("id", .string)] && back.crs == CRS(epsg: 3006))
        #expect(try GeoPackage.layers(path: path).first?.geometryType == "GEOMETRY")
    }

    @Test("a failed write leaves the old file byte for byte and no temporary file")
    func failedWriteKeepsTheOldFile() throws {
        let path = try Self.copyOfDalarna()
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            let writer = try GeoPackageWriter(path: path, layer: "deso_2025", fields: [Field("id", .string)])
            try writer.write(Feature(geometry: .point(Coordinate(15, 60)), values: [.string("a")]))
            let error = try #require(throws: AtlasError.self) {
                try writer.write(Feature(geometry: nil, values: [.string("a"), .int(1)]))
            }
            #expect(error.file == path + "|layername=deso_2025" && error.record == 2)
            #expect(error.message.contains("2 values for 1 fields"))
            // A non-finite coordinate is refused too, naming the record.
            let bad = try #require(throws: AtlasError.self) {
                try writer.write(Feature(geometry: .point(Coordinate(.infinity, 60)), values: [.string("b")]))
            }
            #expect(bad.record == 2 && bad.message.contains("not a finite number"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["dalarna.gpkg"])
    }

    @Test("atlas adds layers only to a GeoPackage: another file of that name stays as it is")
    func refusesToOverwriteOtherFiles() throws {
        let path = try TestData.temporaryFolder() + "/notes.gpkg"
        try "my notes".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: AtlasError.self) { try GeoPackageWriter(path: path, fields: []) }
        #expect(error.message.contains("not an SQLite database"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "my notes")
    }

    @Test("layer names GeoPackage reserves and duplicate column names are refused")
    func badNames() throws {
        let path = try TestData.temporaryFolder() + "/x.gpkg"
        #expect(throws: AtlasError.self) { try GeoPackageWriter(path: path, layer: "gpkg_contents", fields: []) }
        let error = try #require(throws: AtlasError.self) {
            try GeoPackageWriter(path: path, fields: [Field("Namn", .string), Field("namn", .string)])
        }
        #expect(error.field == "namn")
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

@Suite("Layer output paths")
struct LayerOutputPathTests {
    @Test("the extension picks the format; a GeoPackage layer is the stem unless named")
    func parse() throws {
        #expect(try LayerFormat.parse(outputPath: "out/deso.geojson") == ("out/deso.geojson", .geojson))
        #expect(try LayerFormat.parse(outputPath: "deso.JSON").format == .geojson)
        #expect(try LayerFormat.parse(outputPath: "out/atlas.gpkg") == ("out/atlas.gpkg", .geopackage(layer: "atlas")))
        #expect(try LayerFormat.parse(outputPath: "atlas.gpkg|layername=lowincome_deso")
            == ("atlas.gpkg", .geopackage(layer: "lowincome_deso")))
        let error = try #require(throws: AtlasError.self) { try LayerFormat.parse(outputPath: "out/deso.shp") }
        #expect(error.file == "out/deso.shp")
        #expect(error.message.contains("GeoJSON (.geojson, .json) and GeoPackage (.gpkg"))
        #expect(throws: AtlasError.self) { try LayerFormat.parse(outputPath: "deso.geojson|layername=x") }
        #expect(throws: AtlasError.self) { try LayerFormat.parse(outputPath: "atlas.gpkg|layerid=2") }
    }

    @Test("LayerFileWriter writes either format from the path; GeoJSON refuses another CRS")
    func fileWriter() throws {
        let folder = try TestData.temporaryFolder()
        let fields = [Field("namn", .string)]
        let feature = Feature(geometry: .point(Coordinate(15.63, 60.6)), values: [.string("Falun")])
        for path in [folder + "/a.geojson", folder + "/b.gpkg|layername=points"] {
            let writer = try LayerFileWriter(path: path, fields: fields, foreignMembers: [("atlas:run", .object([]))])
            try writer.write(feature)
            #expect(try writer.finish() == 1)
            let back = try LayerReader.read(path: path)
            #expect(back.features == [feature] && back.crs == .wgs84)
        }
        let error = try #require(throws: AtlasError.self) {
            try LayerFileWriter(path: folder + "/c.geojson", fields: fields, crs: .sweref99TM)
        }
        #expect(error.message.contains("GeoJSON is always WGS 84"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["a.geojson", "b.gpkg"])
    }
}
