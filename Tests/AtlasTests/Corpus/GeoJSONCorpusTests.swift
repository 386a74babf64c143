import Foundation
import Testing

@testable import Atlas

/// Broken GeoJSON beyond the cases in the format tests (missing geometry, 1 or 4 numbers,
/// unclosed rings, a features object, a cut-off file).
@Suite("Corpus: GeoJSON")
struct GeoJSONCorpusTests {
    private func readError(_ json: String) throws -> (path: String, error: AtlasError?) {
        let path = try CorpusFiles.write(json, name: "bad.geojson")
        return (path, CorpusFiles.error { _ = try GeoJSONReader.read(path: path) })
    }

    private func feature(_ geometry: String) -> String {
        #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":1},"geometry":{"type":"Point","coordinates":[15,60]}},{"type":"Feature","properties":{"id":2},"geometry":"#
            + geometry + "}]}"
    }

    @Test("nesting deeper than 512 levels stops the parser before the stack does")
    func deepNesting() throws {
        let (path, error) = try readError(String(repeating: "[", count: 100_000))
        #expect(error?.file == path)
        #expect(error?.message == "invalid JSON at line 1: nesting deeper than 512 levels")
    }

    @Test("a number too large for a double")
    func hugeNumber() throws {
        let (_, error) = try readError(feature(#"{"type":"Point","coordinates":[1e999,60]}"#))
        #expect(error?.message == "invalid JSON at line 1: invalid number '1e999'")
    }

    @Test("text after the top-level value")
    func trailingText() throws {
        let (_, error) = try readError(feature(#"{"type":"Point","coordinates":[15,60]}"#) + "\n,{}")
        #expect(error?.message == "invalid JSON at line 2: unexpected text after the JSON value")
    }

    @Test("a polygon nested one level too shallow")
    func polygonTooShallow() throws {
        let (_, error) = try readError(feature(#"{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}"#))
        #expect(error?.record == 2)
        #expect(error?.message == "expected an array of coordinates, found a number")
    }

    @Test("a multipolygon nested one level too deep")
    func multiPolygonTooDeep() throws {
        let (_, error) = try readError(feature(#"{"type":"MultiPolygon","coordinates":[[[[[0,0],[1,0],[1,1],[0,0]]]]]}"#))
        #expect(error?.record == 2)
        // The extra level makes a ring of four positions look like one position of four values.
        #expect(error?.message == "a position needs 2 or 3 numbers, found 4")
    }

    @Test("coordinates given as strings")
    func stringCoordinates() throws {
        let (_, error) = try readError(feature(#"{"type":"Point","coordinates":["15","60"]}"#))
        #expect(error?.record == 2)
        #expect(error?.message == "a position must hold numbers")
    }

    @Test("an unknown geometry type")
    func unknownGeometryType() throws {
        let (_, error) = try readError(feature(#"{"type":"Circle","coordinates":[15,60]}"#))
        #expect(error?.record == 2)
        #expect(error?.message == "unknown geometry type \"Circle\"")
    }

    @Test("a bare geometry inside the features array")
    func geometryAsFeature() throws {
        let json = #"{"type":"FeatureCollection","features":[{"type":"Point","coordinates":[15,60]}]}"#
        let (_, error) = try readError(json)
        #expect(error?.record == 1)
        #expect(error?.message == "expected a Feature object")
    }

    @Test("a line with one position")
    func oneLinePosition() throws {
        let (_, error) = try readError(feature(#"{"type":"LineString","coordinates":[[15,60]]}"#))
        #expect(error?.message == "a LineString needs at least 2 positions, found 1")
    }

    @Test("a raw line break inside a string")
    func controlCharacter() throws {
        let (_, error) = try readError("{\"type\":\"Feature\",\"properties\":{\"namn\":\"Fa\nlun\"},\"geometry\":null}")
        #expect(error?.message == "invalid JSON at line 1: control character inside a string")
    }

    @Test("NaN is not JSON")
    func notANumber() throws {
        let (_, error) = try readError(feature(#"{"type":"Point","coordinates":[NaN,60]}"#))
        #expect(error?.message == "invalid JSON at line 1: unexpected character 'N'")
    }
}
