import Foundation
import Testing
@testable import Atlas

/// Layers whose coordinates cannot be in the CRS they are read in are refused when read, with
/// the extent found and the CRS they look like; every real layer of the test data passes.
@Suite struct CoordinateFitTests {
    let context: PROJContext

    init() throws { context = try PROJContext() }

    /// The 40 Dalarna care points as a shapefile without `.prj` (SWEREF 99 TM coordinates).
    static func careShapefileWithoutPrj() throws -> String {
        let folder = try TestData.temporaryFolder()
        for ext in ["shp", "shx", "dbf", "cpg"] {
            try FileManager.default.copyItem(
                atPath: TestData.shared("dalarna/shp/vardcentraler_sjukhus.\(ext)"), toPath: folder + "/vard.\(ext)")
        }
        return folder + "/vard.shp"
    }

    static func message(of body: () throws -> Void) -> AtlasError? {
        do {
            try body()
            return nil
        } catch let error as AtlasError {
            return error
        } catch {
            return AtlasError("\(error)")
        }
    }

    @Test func swerefMetresReadAsWGS84AreRefusedWithTheExtentAndAGuess() throws {
        let path = try Self.careShapefileWithoutPrj()
        let error = try #require(Self.message { _ = try LayerReader.read(path: path, options: LayerOptions(crs: .wgs84)) })
        #expect(error == AtlasError(
            file: path,
            "the coordinates do not fit WGS 84 (EPSG:4326): the extent 400792, 6667744 – 566690, 6841226 is not longitude and latitude, which lie within ±180 and ±90; the coordinates look like SWEREF 99 TM (EPSG:3006): pass --crs EPSG:3006"))
        // Following the advice reads all 40 points.
        #expect(try LayerReader.read(path: path, options: LayerOptions(crs: .sweref99TM)).features.count == 40)
    }

    @Test func aGeoJSONWithoutCrsHoldingProjectedCoordinatesIsRefusedAndInspectWarns() throws {
        // The DeSO shapefile's SWEREF 99 TM coordinates written as they are, with no "crs" member.
        let deso = try Shapefile.read(path: TestData.shared("dalarna/shp/deso_2025_dalarna.shp"))
        #expect(deso.crs.map { try? $0.info(context: context).epsg } == 3006)
        let path = try TestData.temporaryFolder() + "/deso_metres.geojson"
        let writer = try GeoJSONWriter(path: path, fields: deso.fields, precision: 1)
        for feature in deso.features { try writer.write(feature) }
        try writer.finish()
        #expect(try !String(contentsOfFile: path, encoding: .utf8).contains("\"crs\""))

        let error = try #require(Self.message { _ = try LayerReader.read(path: path) })
        #expect(error.file == path)
        #expect(error.message.hasPrefix("the coordinates do not fit WGS 84 (EPSG:4326): the extent "))
        #expect(error.message.hasSuffix("the coordinates look like SWEREF 99 TM (EPSG:3006): pass --crs EPSG:3006"))

        var unchecked = LayerOptions()
        unchecked.checksCoordinates = false
        let inspection = try LayerInspection(layer: try LayerReader.read(path: path, options: unchecked))
        #expect(inspection.crsWarning == error.message)
        #expect(inspection.report.contains("warning:    the coordinates do not fit WGS 84"))

        // --crs overrides what the GeoJSON implies: 175 DeSO in Dalarna.
        let read = try LayerReader.read(path: path, options: LayerOptions(crs: .sweref99TM))
        #expect(read.features.count == 175)
        let lonLat = try #require(try read.lonLatBounds(context: context))
        #expect(lonLat.minX > 12 && lonLat.maxX < 17 && lonLat.minY > 59.8 && lonLat.maxY < 62.3)
    }

    @Test func degreesDeclaredAsSwerefLieOutsideSwedenAndLookLikeWGS84() throws {
        let path = TestData.shared("dalarna/vardcentraler_sjukhus.geojson")
        let error = try #require(Self.message { _ = try LayerReader.read(path: path, options: LayerOptions(crs: .sweref99TM)) })
        #expect(error == AtlasError(
            file: path,
            "the coordinates do not fit SWEREF 99 TM (EPSG:3006): the extent 13.1247, 60.1412 – 16.2008, 61.6913 lies at lon/lat 10.5114, 0.0005 – 10.5114, 0.0006, outside the area of use of the CRS (Sweden - onshore and offshore: lon/lat 10.0300, 54.9600 – 24.1700, 69.0700); the coordinates look like WGS 84 longitude/latitude (EPSG:4326): pass --crs EPSG:4326"))
    }

    @Test func swerefReadAsRT90OrALocalZoneIsRefusedAndSwerefIsGuessed() throws {
        let path = try Self.careShapefileWithoutPrj()
        for wrong in [3021, 3013] {
            let error = try #require(Self.message { _ = try LayerReader.read(path: path, options: LayerOptions(crs: CRS(epsg: wrong))) })
            #expect(error.message.contains("(EPSG:\(wrong)): the extent 400792, 6667744 – 566690, 6841226 lies at lon/lat "), "\(error)")
            #expect(error.message.contains("outside the area of use of the CRS"))
            #expect(error.message.hasSuffix("pass --crs EPSG:3006"))
        }
    }

    @Test func webMercatorAndRT90MetresAreGuessedAsSuch() throws {
        let deso = try GeoJSONReader.read(path: TestData.shared("dalarna/deso_2025_dalarna.geojson"))
        for (code, name) in [(3857, "WGS 84 / Pseudo-Mercator"), (3021, "RT90 2.5 gon V")] {
            let extent = try #require(try deso.reprojected(to: CRS(epsg: code), context: context).bounds)
            let guess = try #require(CoordinateFit.guess(extent: extent, context: context))
            #expect(guess.code == "EPSG:\(code)")
            #expect(guess.name == name)
        }
        // A UTM zone only shows its hemisphere: Porto Alegre in zone 22 south reads as SWEREF-like
        // numbers north of the equator, so take the southern-hemisphere-only northings of 22S here.
        let poa = try GeoJSONReader.read(path: TestData.shared("porto-alegre/poa_districts.geojson"))
        let utm = try #require(try poa.reprojected(to: CRS(epsg: 32722), context: context).bounds)
        #expect(CoordinateFit.guess(extent: utm, context: context)?.code == "EPSG:3006")
        let tropical = Bounds(minX: 400_000, minY: 9_000_000, maxX: 500_000, maxY: 9_100_000)
        #expect(CoordinateFit.guess(extent: tropical, context: context)?.code == "EPSG:326NN")
    }

    @Test func everyRealLayerFitsItsCRS() throws {
        let layers = [
            "dalarna/befolkning_1km_2025_dalarna.csv", "dalarna/befolkning_1km_2025_dalarna.geojson",
            "dalarna/deso_2025_dalarna.geojson", "dalarna/vardcentraler_sjukhus.geojson",
            "dalarna/shp/befolkning_1km_2025.shp", "dalarna/shp/deso_2025_dalarna.shp", "dalarna/shp/vardcentraler_sjukhus.shp",
            "falun/falun_befolkning_1km_2025.geojson", "falun/falun_deso_2025_pop2024.geojson",
            "falun/falun_hallplatser_avgangar.geojson", "falun/falun_vard.geojson",
            "falun/shp/falun_befolkning_1km_2025.shp", "falun/shp/falun_deso_2025_pop2024.shp",
            "falun/shp/falun_hallplatser_avgangar.shp", "falun/shp/falun_vard.shp",
            "porto-alegre/poa_districts.geojson", "porto-alegre/poa_healthcare.geojson",
            "porto-alegre/poa_hexgrid.csv", "porto-alegre/poa_hexgrid.geojson", "porto-alegre/poa_points_of_interest.csv",
            "sweden/health_facilities_osm_2020.geojson", "sweden/kommun_wgs84.geojson", "sweden/lan_wgs84.geojson",
            "sweden/shp/kommun.shp", "sweden/shp/kommun_cp1252.shp", "sweden/sormland_kommun_wgs84.geojson",
        ]
        for relative in layers {
            let layer = try LayerReader.read(path: TestData.shared(relative))
            #expect(try layer.crsMismatch(context: context) == nil, "\(relative)")
        }
        // In their metric CRSs too: Porto Alegre in UTM 22S, and all of Sweden in UTM 33N, which
        // reaches 6° past the zone's 12–18 °E (the margin is for such use).
        let poa = try GeoJSONReader.read(path: TestData.shared("porto-alegre/poa_hexgrid.geojson")).toMetric(context: context)
        #expect(poa.crs == CRS(epsg: 32722))
        #expect(try poa.crsMismatch(context: context) == nil)
        let sweden = try GeoJSONReader.read(path: TestData.shared("sweden/kommun_wgs84.geojson"))
        for code in [3006, 32633, 3021, 3857] {
            #expect(try sweden.reprojected(to: CRS(epsg: code), context: context).crsMismatch(context: context) == nil, "EPSG:\(code)")
        }
    }
}
