import Foundation
import Testing
@testable import Atlas

@Suite struct GeoJSONTests {
    @Test func dalarnaDeSOHas175AreasAndTheirPopulation() throws {
        let layer = try GeoJSONReader.read(path: TestData.shared("dalarna/deso_2025_dalarna.geojson"))
        #expect(layer.features.count == 175)
        #expect(layer.crs == CRS(epsg: 4326))
        // Sum of befolkning_2024 over the 175 features, computed with Python's json module.
        let population = try layer.values(of: "befolkning_2024").compactMap(\.number).reduce(0, +)
        #expect(population == 286_546)
        #expect(layer.fields.first?.name == "objectid")
        #expect(layer.fields[try layer.fieldIndex("desokod")].type == .string)
        #expect(layer.fields[try layer.fieldIndex("andel_65_plus_2024")].type == .real)
        #expect(layer.features.allSatisfy { !$0.geometry!.polygons.isEmpty })
    }

    @Test func unknownFieldNamesTheFieldsThatExist() throws {
        let layer = try GeoJSONReader.read(path: TestData.shared("falun/falun_vard.geojson"))
        #expect(throws: AtlasError.self) { try layer.fieldIndex("no_such_field") }
        do {
            _ = try layer.fieldIndex("no_such_field")
        } catch let error as AtlasError {
            #expect(error.field == "no_such_field")
            #expect(error.description.contains("the layer has:"))
        }
    }

    @Test func mixedPropertyTypesBecomeAStringFieldKeepingTheirValues() throws {
        let json = #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"a":1,"b":1}},{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2,3]},"properties":{"a":"x","b":2.5,"c":{"k":[1,2]}}}]}"#
        let layer = try GeoJSONReader.parse(JSONParser.parse(Array(json.utf8)), source: "mixed.geojson")
        #expect(layer.fields.map(\.name) == ["a", "b", "c"])
        #expect(layer.fields.map(\.type) == [.string, .real, .string])
        #expect(layer.features[0].values == [.int(1), .int(1), .null])
        #expect(layer.features[1].values == [.string("x"), .double(2.5), .string(#"{"k":[1,2]}"#)])
        #expect(layer.features[1].geometry == .point(Coordinate(1, 2)))
    }

    @Test(arguments: [
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{}}]}"#, "no \"geometry\" member"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1]},"properties":{}}]}"#, "2 or 3 numbers, found 1"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2,3,4]},"properties":{}}]}"#, "2 or 3 numbers, found 4"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]},"properties":{}}]}"#, "not closed"),
        (#"{"type":"FeatureCollection","features":{}}"#, "\"features\" array"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{}}"#, "unexpected end of file"),
        (#"[1,2]"#, "not GeoJSON"),
    ])
    func badInputIsRejectedWithTheRecord(json: String, expected: String) throws {
        let path = try TestData.temporaryFolder() + "/bad.geojson"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try GeoJSONReader.read(path: path)
            Issue.record("expected an error for \(json)")
        } catch let error as AtlasError {
            #expect(error.file == path)
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test func writerOrientsRingsRoundsAndKeepsFieldOrder() throws {
        let folder = try TestData.temporaryFolder()
        let path = folder + "/out.geojson"
        // Exterior given clockwise, hole given counter-clockwise: both must be flipped.
        let exterior = [Coordinate(0, 0), Coordinate(0, 10), Coordinate(10, 10), Coordinate(10, 0), Coordinate(0, 0)]
        let hole = [Coordinate(2, 2), Coordinate(4, 2), Coordinate(4, 4), Coordinate(2, 4), Coordinate(2, 2)]
        let writer = try GeoJSONWriter(
            path: path, fields: [Field("name", .string), Field("share", .real)], precision: 3,
            foreignMembers: [("breaks", .array([.double(0.1), .double(0.2)]))])
        try writer.write(Feature(geometry: .polygon([exterior, hole]), values: [.string("Å \"quoted\""), .double(0.12236)]))
        try writer.write(Feature(geometry: .point(Coordinate(15.123456789, -0.0004)), values: [.null, .null]))
        #expect(try writer.finish() == 2)

        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#""properties":{"name":"Å \"quoted\"","share":0.12236}"#))
        #expect(text.contains("[15.123,-0]") == false)
        #expect(text.contains("[15.123,0]"))
        #expect(text.contains(#""breaks":[0.1,0.2]"#))
        let layer = try GeoJSONReader.read(path: path)
        guard case .polygon(let rings)? = layer.features[0].geometry else {
            Issue.record("expected a polygon")
            return
        }
        #expect(Ring.isCounterClockwise(rings[0]))
        #expect(!Ring.isCounterClockwise(rings[1]))
    }

    @Test func aFailedWriteLeavesNoFile() throws {
        let folder = try TestData.temporaryFolder()
        let path = folder + "/out.geojson"
        do {
            let writer = try GeoJSONWriter(path: path, fields: [])
            try writer.write(Feature(geometry: .point(Coordinate(.nan, 1)), values: []))
            try writer.finish()
            Issue.record("a NaN coordinate must not be written")
        } catch let error as AtlasError {
            #expect(error.record == 1)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
}
