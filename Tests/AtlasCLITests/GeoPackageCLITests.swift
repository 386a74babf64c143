import Foundation
import Testing

@Suite struct GeoPackageCLITests {
    @Test func inspectListsEveryLayerOfTheDalarnaFile() throws {
        let result = try CLI.run(["inspect", CLI.shared("dalarna/gpkg/dalarna.gpkg")])
        #expect(result.status == 0, "\(result.stderr)")
        for header in ["layer 1 of 3", "layer 2 of 3", "layer 3 of 3"] { #expect(result.stdout.contains(header)) }
        // The counts SOURCES.md gives: 175 DeSO, 4,004 grid cells, 40 care points.
        for line in ["features:   175", "features:   4004", "features:   40", "geometry:   Point 40"] {
            #expect(result.stdout.contains(line), "no '\(line)' in \(result.stdout)")
        }
        #expect(result.stdout.components(separatedBy: "crs:        SWEREF99 TM (EPSG:3006)").count == 4)
        #expect(result.stdout.contains("|layername=vardcentraler_sjukhus"))
    }

    @Test func exportAZippedShapefileToAGeoPackageLayerAndOnToGeoJSON() throws {
        let folder = try CLI.temporaryFolder()
        let gpkg = folder + "/sverige.gpkg"
        let toGpkg = try CLI.run([
            "export", CLI.shared("sweden/kommun_cp1252_shp.zip"), "--out", gpkg + "|layername=kommun", "--out-crs", "EPSG:3006",
        ])
        #expect(toGpkg.status == 0, "\(toGpkg.stderr)")
        #expect(toGpkg.stderr.contains("sverige.gpkg|layername=kommun: 290 features"))
        let inspect = try CLI.run(["inspect", gpkg])
        #expect(inspect.stdout.contains("crs:        SWEREF99 TM (EPSG:3006)"), "\(inspect.stdout)")
        // 277 polygons and 13 multipolygons make a MULTIPOLYGON layer.
        #expect(inspect.stdout.contains("geometry:   MultiPolygon 290"))

        let geojson = folder + "/kommun.geojson"
        let toGeoJSON = try CLI.run(["export", gpkg, "--out", geojson])
        #expect(toGeoJSON.status == 0, "\(toGeoJSON.stderr)")
        let text = try String(contentsOfFile: geojson, encoding: .utf8)
        #expect(text.contains("\"Älvdalen\""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["kommun.geojson", "sverige.gpkg"])
    }

    @Test func exportOneLayerOfTheDalarnaFileByName() throws {
        let folder = try CLI.temporaryFolder()
        let out = folder + "/grid.geojson"
        let source = CLI.shared("dalarna/gpkg/dalarna.gpkg")
        let result = try CLI.run(["export", source + "|layername=befolkning_1km_2025", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        // SOURCES.md: the grid layer has 4,004 cells.
        #expect((root["features"] as? [Any])?.count == 4004)
        // The input is recorded by its file's name and layer, with the file's own size.
        let input = try #require(((root["atlas:run"] as? [String: Any])?["inputs"] as? [[String: Any]])?.first)
        #expect(input["file"] as? String == "dalarna.gpkg|layername=befolkning_1km_2025")
        let size = try FileManager.default.attributesOfItem(atPath: source)[.size] as? Int
        #expect(input["bytes"] as? Int == size)
    }

    @Test func exportToAnUnknownFormatNamesTheFormatsAtlasWrites() throws {
        let folder = try CLI.temporaryFolder()
        let result = try CLI.run(["export", CLI.shared("dalarna/shp/vardcentraler_sjukhus.shp"), "--out", folder + "/x.shp"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("it writes GeoJSON (.geojson, .json) and GeoPackage (.gpkg"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
}
