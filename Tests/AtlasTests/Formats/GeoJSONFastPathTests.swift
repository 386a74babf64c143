import Foundation
import Testing
@testable import Atlas

/// The GeoJSON reader scans usual features straight from the bytes and the writer makes its
/// text in chunks on several threads: both must give what the general ways give.
@Suite struct GeoJSONFastPathTests {
    /// The layer read through the JSON tree, feature by feature (`GeoJSONReader.parse`).
    private func readThroughTree(_ path: String) throws -> Layer {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        return try GeoJSONReader.parse(JSONParser.parse(bytes), source: path)
    }

    /// Every coordinate's bits in order, so that -0.0 and 0.0 differ.
    private func bits(_ geometry: Geometry?) -> [UInt64] {
        var out: [UInt64] = []
        _ = geometry?.mapCoordinates { c in
            out += [c.x.bitPattern, c.y.bitPattern]
            return c
        }
        return out
    }

    /// The same fields, features, coordinates and values, doubles compared bit for bit.
    private func expectIdentical(_ a: Layer, _ b: Layer) {
        #expect(a.fields == b.fields)
        #expect(a.crs == b.crs)
        #expect(a.metadata == b.metadata)
        #expect(a.features.count == b.features.count)
        for (k, (x, y)) in zip(a.features, b.features).enumerated() {
            #expect(x.geometry == y.geometry, "feature \(k + 1)")
            #expect(bits(x.geometry) == bits(y.geometry), "feature \(k + 1)")
            #expect(x.values == y.values, "feature \(k + 1)")
            for (u, v) in zip(x.values, y.values) {
                if case .double(let p) = u, case .double(let q) = v { #expect(p.bitPattern == q.bitPattern) }
            }
        }
    }

    @Test(arguments: [
        "dalarna/deso_2025_dalarna.geojson", "dalarna/befolkning_1km_2025_dalarna.geojson",
        "dalarna/vardcentraler_sjukhus.geojson", "sweden/kommun_wgs84.geojson",
        "sweden/health_facilities_osm_2020.geojson", "porto-alegre/poa_hexgrid.geojson",
    ])
    func realLayersReadAsThroughTheJSONTree(file: String) throws {
        let path = TestData.shared(file)
        let layer = try GeoJSONReader.read(path: path)
        expectIdentical(layer, try readThroughTree(path))
        // Every feature of these files takes the fast path, so the two ways were both taken.
        #expect(try scannedFeatures(path) == layer.features.count)
    }

    /// How many elements of the features array `JSONParser.scanFeature` reads by itself.
    private func scannedFeatures(_ path: String) throws -> Int {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var collector = GeoJSONReader.FeatureCollector(source: path)
        var scanned = 0
        _ = try bytes.withUnsafeBytes { buffer in
            try JSONParser.parse(buffer, streaming: "features") { (parser: inout JSONParser) in
                let start = parser.i
                if parser.scanFeature(into: &collector) != nil {
                    scanned += 1
                } else {
                    parser.i = start
                    _ = try parser.parseValue()
                }
                collector.pending.removeAll()
                collector.newNames.removeAll()
            }
        }
        return scanned
    }

    @Test(arguments: [
        (#"{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[1,2]}}"#, true),
        (#"{"geometry":null,"type":"Feature"}"#, true),
        (#"{"type":"Feature","geometry":{"coordinates":[[1,2],[3,4]],"type":"LineString"},"properties":null}"#, true),
        // A GeometryCollection, an escaped member name, a repeated member, a string geometry
        // type with an escape, a third coordinate that is not a number, no geometry at all.
        (#"{"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[]}}"#, false),
        (#"{"typ\u0065":"Feature","properties":{},"geometry":null}"#, false),
        (#"{"type":"Feature","type":"Feature","geometry":null}"#, false),
        (#"{"type":"Feature","geometry":{"type":"Poin\u0074","coordinates":[1,2]}}"#, false),
        (#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2,"z"]}}"#, false),
        (#"{"type":"Feature","properties":{}}"#, false),
    ])
    func theFastPathTakesUsualFeaturesOnly(json: String, scanned: Bool) {
        var collector = GeoJSONReader.FeatureCollector(source: "f.geojson")
        let result = Array(json.utf8).withUnsafeBytes { buffer in
            var parser = JSONParser(bytes: buffer)
            return parser.scanFeature(into: &collector) != nil
        }
        #expect(result == scanned)
    }

    @Test(arguments: ["dalarna/befolkning_1km_2025_dalarna.geojson", "porto-alegre/poa_hexgrid.geojson"])
    func featuresScannedAheadAreTakenOverInOrder(file: String) throws {
        let path = TestData.shared(file)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let plain = try GeoJSONReader.read(bytes: data, source: path, splitting: .none)
        #expect(plain.adopted == 0)
        for pieces in [2, 5] {
            let split = try GeoJSONReader.read(bytes: data, source: path, splitting: .init(pieces: pieces, minimumBytes: 0))
            expectIdentical(split.layer, plain.layer)
            // The cuts found features: the workers' features were taken over, not read again.
            #expect(split.adopted > 0 && split.adopted < plain.layer.features.count, "\(pieces) pieces")
        }
    }

    @Test func aCutInsideAPropertyHoldingFeaturesIsNotTakenOver() throws {
        // The second feature's property holds 300 Feature objects, most of the bytes: the cut at
        // half the file lands among them, after a comma, where a worker scans them as features.
        // The reading in order never starts an element there, so they stay one string property.
        let nested = (1...300).map { #"{"type":"Feature","properties":{"k":\#($0)},"geometry":null}"# }.joined(separator: ",")
        let json = """
            {"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"name":"a"},"geometry":{"type":"Point","coordinates":[1,2]}},
            {"type":"Feature","properties":{"name":"b","nested":[\(nested)]},"geometry":null},
            {"type":"Feature","properties":{"name":"c"},"geometry":{"type":"Point","coordinates":[3,4]}},
            {"type":"Feature","properties":{"name":"d"},"geometry":{"type":"Point","coordinates":[5,6]}}
            ]}
            """
        let data = Data(json.utf8)
        let plain = try GeoJSONReader.read(bytes: data, source: "nested.geojson", splitting: .none)
        let split = try GeoJSONReader.read(bytes: data, source: "nested.geojson", splitting: .init(pieces: 2, minimumBytes: 0))
        expectIdentical(split.layer, plain.layer)
        #expect(split.adopted == 0)
        #expect(split.layer.features.count == 4)
        #expect(split.layer.fields.map(\.name) == ["name", "nested"])
        #expect(split.layer.features[1].values[1] == .string("[" + nested + "]"))
    }

    @Test func unusualFeaturesReadAsThroughTheJSONTree() throws {
        // Members in any order, coordinates before the type, a bbox, an escaped member name
        // ("na\u006de" is "name"), a nested property, a name given twice (the last value
        // counts), null and missing properties, a GeometryCollection, 3D positions and "-0".
        let json = #"""
            {"type":"FeatureCollection","features":[
            {"type":"Feature","id":7,"properties":{"name":"Falun","pop":59747,"share":0.25},"geometry":{"type":"Point","coordinates":[15.6,60.6]}},
            {"geometry":{"coordinates":[[[0,0],[0,1e0],[1,1],[1,0],[0,0]],[[0.2,0.2],[0.4,0.2],[0.4,0.4],[0.2,0.2]]],"bbox":[0,0,1,1],"type":"Polygon"},"properties":{"share":1,"na\u006de":"B\u00e5tsk\u00e4r","extra":[1,{"k":null}],"pop":null},"type":"Feature"},
            {"type":"Feature","properties":null,"geometry":null},
            {"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]},"properties":{"pop":3,"pop":4}},
            {"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[[[1,2,3],[-0,4.5e-1]],[[ 5 , 6 ],[7,8]]]}}
            ]}
            """#
        let path = try TestData.temporaryFolder() + "/unusual.geojson"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        let layer = try GeoJSONReader.read(path: path)
        expectIdentical(layer, try readThroughTree(path))

        // Fields in order of first appearance; share mixes 0.25 and 1 (real), pop holds integers.
        #expect(layer.fields == [Field("name", .string), Field("pop", .integer), Field("share", .real), Field("extra", .string)])
        #expect(layer.features.map(\.values) == [
            [.string("Falun"), .int(59747), .double(0.25), .null],
            [.string("Båtskär"), .null, .int(1), .string(#"[1,{"k":null}]"#)],
            [.null, .null, .null, .null],
            [.null, .int(4), .null, .null],
            [.null, .null, .null, .null],
        ])
        let square = [Coordinate(0, 0), Coordinate(0, 1), Coordinate(1, 1), Coordinate(1, 0), Coordinate(0, 0)]
        let hole = [Coordinate(0.2, 0.2), Coordinate(0.4, 0.2), Coordinate(0.4, 0.4), Coordinate(0.2, 0.2)]
        #expect(layer.features.map(\.geometry) == [
            .point(Coordinate(15.6, 60.6)), .polygon([square, hole]), nil, .collection([.point(Coordinate(1, 2))]),
            .multiLineString([[Coordinate(1, 2), Coordinate(0, 0.45)], [Coordinate(5, 6), Coordinate(7, 8)]]),
        ])
        // "-0" is the integer 0, so +0.0 as a coordinate.
        if case .multiLineString(let lines)? = layer.features[4].geometry { #expect(lines[0][1].x.sign == .plus) }
    }

    @Test func errorsAfterScannedFeaturesNameTheirRecordAndLine() throws {
        let folder = try TestData.temporaryFolder()
        let cases: [(String, Int?, String)] = [
            // The second feature's ring is not closed.
            (#"""
            {"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[1,2]}},
            {"type":"Feature","properties":{"a":2},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]}
            """#, 2, "not closed"),
            // A trailing comma on line 4, in the third feature.
            (#"""
            {"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[3,4]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[5,6,]}}]}
            """#, nil, "invalid JSON at line 4"),
        ]
        for (k, (json, record, message)) in cases.enumerated() {
            let path = folder + "/bad\(k).geojson"
            try json.write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try GeoJSONReader.read(path: path)
                Issue.record("expected an error for case \(k)")
            } catch let error as AtlasError {
                #expect(error.record == record)
                #expect(error.description.contains(message), "\(error)")
            }
        }
    }

    @discardableResult
    private func write(_ layer: Layer, to path: String) throws -> Int {
        let writer = try GeoJSONWriter(path: path, fields: layer.fields)
        for feature in layer.features { try writer.write(feature) }
        return try writer.finish()
    }

    /// The text a writer makes one feature after another on this thread, head and tail included.
    private func sequentialText(_ layer: Layer, precision: Int = 6) throws -> [UInt8] {
        let text = FeatureText(path: "x.geojson", fields: layer.fields, precision: precision, significantDigits: nil)
        var out = ByteBuffer()
        out.append("{\"type\":\"FeatureCollection\",\"features\":[\n")
        for (k, feature) in layer.features.enumerated() { try text.append(feature, record: k + 1, to: &out) }
        out.append("\n]}\n")
        return out.bytes
    }

    @Test func theDalarnaGridIsWrittenInChunksAsItIsOneFeatureAfterAnother() throws {
        let layer = try GeoJSONReader.read(path: TestData.shared("dalarna/befolkning_1km_2025_dalarna.geojson"))
        let path = try TestData.temporaryFolder() + "/grid.geojson"
        // 4,004 features: two chunks of 2,048 or fewer, made at once when there are two cores.
        #expect(try write(layer, to: path) == 4004)
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written == (try sequentialText(layer)))

        // Read back: coordinates rounded to 6 decimals (x · 10^6 to the nearest whole, as the
        // writer rounds), rings as they were or reversed into RFC 7946 order; the properties,
        // with at most 10 significant digits in this file, exactly (whole reals such as the
        // easting 581500.0 are written as integers).
        let back = try GeoJSONReader.read(path: path)
        #expect(back.fields.map(\.name) == layer.fields.map(\.name))
        for (original, copy) in zip(layer.features, back.features) {
            #expect(copy.values.map { $0.number ?? .nan }.map(\.bitPattern) == original.values.map { $0.number ?? .nan }.map(\.bitPattern))
            #expect(copy.values.map(\.text) == original.values.map(\.text))
            guard case .polygon(let rings)? = original.geometry, case .polygon(let copied)? = copy.geometry else {
                Issue.record("expected polygons")
                continue
            }
            let rounded = rings[0].map { Coordinate(($0.x * 1e6).rounded() / 1e6, ($0.y * 1e6).rounded() / 1e6) }
            #expect(copied[0] == rounded || copied[0] == rounded.reversed())
            #expect(Ring.isCounterClockwise(copied[0]))
        }
    }

    @Test func manySmallFeaturesKeepTheirOrderAcrossChunks() throws {
        // 10,000 squares of 0.001°: batches of chunks on all cores, then a last short batch.
        let fields = [Field("id", .integer), Field("name", .string), Field("share", .real)]
        let features = (1...10_000).map { k -> Feature in
            let x = Double(k % 100) / 1000, y = Double(k / 100) / 1000
            let ring = [Coordinate(x, y), Coordinate(x + 0.001, y), Coordinate(x + 0.001, y + 0.001), Coordinate(x, y + 0.001), Coordinate(x, y)]
            return Feature(geometry: .polygon([ring]), values: [.int(k), .string("cell \(k)"), .double((Double(k) + 0.5) / 8)])
        }
        let layer = Layer(source: "cells", format: "GeoJSON", crs: .wgs84, fields: fields, features: features)
        let path = try TestData.temporaryFolder() + "/cells.geojson"
        try write(layer, to: path)
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written == (try sequentialText(layer)))
        let text = String(decoding: written, as: UTF8.self)
        // Feature 1 is at (0.001, 0), its share 1.5 / 8; feature 10,000 at (0, 0.1), its share 10000.5 / 8.
        #expect(text.contains(#"{"type":"Feature","properties":{"id":1,"name":"cell 1","share":0.1875},"geometry":{"type":"Polygon","coordinates":[[[0.001,0],[0.002,0],[0.002,0.001],[0.001,0.001],[0.001,0]]]}},"#))
        #expect(text.hasSuffix(#"{"type":"Feature","properties":{"id":10000,"name":"cell 10000","share":1250.0625},"geometry":{"type":"Polygon","coordinates":[[[0,0.1],[0.001,0.1],[0.001,0.101],[0,0.101],[0,0.1]]]}}"# + "\n]}\n"))
        #expect(try GeoJSONReader.read(path: path).features.map(\.values) == features.map(\.values))

        // Three features one by one, then the rest at once: the same text.
        let together = try TestData.temporaryFolder() + "/together.geojson"
        let writer = try GeoJSONWriter(path: together, fields: fields)
        for feature in features.prefix(3) { try writer.write(feature) }
        try writer.write(contentsOf: Array(features.dropFirst(3)))
        #expect(try writer.finish() == 10_000)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: together))) == written)
    }

    @Test(arguments: [
        // An infinite coordinate in the third chunk; a feature with two values for one field
        // after a whole batch (two chunks of 2,048 on two cores) was written.
        (4500, Feature(geometry: .point(Coordinate(.infinity, 2)), values: [.int(4500)]), "not a finite number"),
        (6000, Feature(geometry: .point(Coordinate(1, 2)), values: [.int(6000), .null]), "2 values for 1 fields"),
    ])
    func aBadFeatureAmongManyWrittenAtOnceNamesItsRecordAndLeavesNoFile(record: Int, bad: Feature, problem: String) throws {
        let folder = try TestData.temporaryFolder()
        var features = (1...8000).map { k in Feature(geometry: .point(Coordinate(1, 2)), values: [.int(k)]) }
        features[record - 1] = bad
        var countAfterTheError: Int?
        do {
            let writer = try GeoJSONWriter(path: folder + "/out.geojson", fields: [Field("k", .integer)])
            do {
                try writer.write(contentsOf: features)
                try writer.finish()
                Issue.record("feature \(record) must not be written")
            } catch let error as AtlasError {
                #expect(error.record == record)
                #expect(error.description.contains(problem))
                countAfterTheError = writer.count
            }
        }
        #expect(countAfterTheError == record - 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func aBadCoordinateInALaterChunkNamesItsRecordAndLeavesNoFile() throws {
        let folder = try TestData.temporaryFolder()
        var countAfterTheError: Int?
        do {
            let writer = try GeoJSONWriter(path: folder + "/out.geojson", fields: [Field("k", .integer)])
            do {
                for k in 1...5000 {
                    try writer.write(Feature(geometry: .point(Coordinate(k == 4500 ? .infinity : 1, 2)), values: [.int(k)]))
                }
                try writer.finish()
                Issue.record("an infinite coordinate must not be written")
            } catch let error as AtlasError {
                #expect(error.record == 4500)
                #expect(error.description.contains("not a finite number"))
                countAfterTheError = writer.count
            }
        }
        #expect(countAfterTheError == 4499)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
}
