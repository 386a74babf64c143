import Foundation
import Testing
@testable import Atlas

@Suite struct SmallLayerTests {
    // Rounding to significant digits, by hand: 1682.46733084311 → 1682 (4 digits); 0.07368617 →
    // 0.07369; 123456.7 → 123500 (the digits beyond the fourth become zeros); −0.000123449 →
    // −0.0001234; 0.5 stays 0.5 and 0 stays 0.
    @Test func realsAreWrittenWithTheSignificantDigitsAsked() throws {
        let folder = try TestData.temporaryFolder()
        let path = folder + "/digits.geojson"
        let writer = try GeoJSONWriter(
            path: path, fields: [Field("v", .real), Field("n", .integer)], precision: 5, significantDigits: 4)
        for (v, n) in [(1682.46733084311, 1_234_567), (0.07368617, 7), (123456.7, 0), (-0.000123449, -3), (0.5, 1), (0, 0)] {
            try writer.write(Feature(geometry: .point(Coordinate(15.123456789, 60.5)), values: [.double(v), .int(n)]))
        }
        try writer.finish()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for expected in [
            #""v":1682,"n":1234567"#, #""v":0.07369,"n":7"#, #""v":123500,"n":0"#, #""v":-0.0001234,"n":-3"#,
            #""v":0.5,"n":1"#, #""v":0,"n":0"#,
        ] {
            #expect(text.contains(expected), "\(expected) in \(text)")
        }
        #expect(text.contains("[15.12346,60.5]"))
        #expect(throws: AtlasError(file: folder + "/bad.geojson", "significant digits must be between 1 and 17, got 0")) {
            _ = try GeoJSONWriter(path: folder + "/bad.geojson", fields: [], significantDigits: 0)
        }
    }

    @Test func emptyFeaturesAreNullZeroOrBlank() throws {
        let values: [Value] = [.null, .int(0), .double(0), .string("0,0"), .string(" "), .int(3), .string("2,5"), .bool(false)]
        let layer = Layer(
            source: "t.geojson", format: "GeoJSON", crs: .wgs84, fields: [Field("id", .integer), Field("total", .real), Field("x", .string)],
            features: values.enumerated().map { Feature(geometry: nil, values: [.int($0.offset), $0.element, .string("x\($0.offset)")]) })
        let kept = try layer.droppingEmpty("total")
        #expect(try kept.values(of: "id") == [.int(5), .int(6), .int(7)])
        let narrow = try kept.keepingFields(["x", "ID"])
        #expect(narrow.fields == [Field("x", .string), Field("id", .integer)])
        #expect(narrow.features.map(\.values) == [[.string("x5"), .int(5)], [.string("x6"), .int(6)], [.string("x7"), .int(7)]])
        #expect(throws: AtlasError(file: "t.geojson", field: "pop", "no such field; the layer has: id, total, x")) {
            try layer.keepingFields(["pop"])
        }
    }
}
