import Foundation
import FoundationXML
import Testing
@testable import Atlas

@Suite struct LayerStyleTests {
    /// Eight squares with the values 1…8 and one without a value.
    static func numbered() -> Layer {
        let values: [Value] = (1...8).map { .double(Double($0)) } + [.null]
        return Layer(
            source: "numbered.geojson", format: "GeoJSON", crs: .wgs84,
            fields: [Field("namn", .string), Field("share", .real)],
            features: values.enumerated().map { k, v in
                let x = Double(k)
                return Feature(
                    geometry: .polygon([[Coordinate(x, 0), Coordinate(x + 1, 0), Coordinate(x + 1, 1), Coordinate(x, 1), Coordinate(x, 0)]]),
                    values: [.string("område \(k + 1)"), v])
            })
    }

    // numpy's percentile of 1…8 at 25, 50, 75, 100 %: positions 1.75, 3.5, 5.25, 7 of the sorted
    // values, so 2.75, 4.5, 6.25 and 8; the classes hold 2, 2, 2 and 2 values.
    @Test func computedBreaksAreQuantilesOfTheValues() throws {
        let style = try LayerStyle(layer: Self.numbered(), source: "numbered.geojson", field: "share", classes: 4, scheme: .quantile)
        #expect(style.classes.map(\.upper) == [2.75, 4.5, 6.25, 8])
        #expect(style.classes.map(\.lower) == [1, 2.75, 4.5, 6.25])
        #expect(style.classes.map(\.count) == [2, 2, 2, 2])
        #expect(style.classes.map(\.color) == ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"])
        #expect(style.missingCount == 1)
        #expect(style.nameField == "namn")
        #expect(style.breakSource == .computed(.quantile))
        #expect(style.classes.map(\.label) == ["1,0–2,8", "2,8–4,5", "4,5–6,3", "6,3–8,0"])
    }

    /// The demo's Kolada layer: child poverty per county in 2021 in five Jenks classes, with the
    /// breaks in `"atlas:classes"`.
    static func counties() throws -> Layer {
        let folder = try TestData.temporaryFolder()
        // Decoded from the command's option names, as a project file gives them.
        let options: [String: Any] = [
            "areas": TestData.shared("sweden/lan_wgs84.geojson"), "area-id": "lan_kod",
            "stats": TestData.shared("sweden/kolada_N02904_lan_2007-2021.csv"), "stats-id": "municipality_id",
            "where": "year=2021", "share": "value", "share-unit": "percent", "classes": 5, "scheme": "jenks",
            "out": folder + "/lan.geojson",
        ]
        let request = try JSONDecoder().decode(LowIncomeRequest.self, from: try JSONSerialization.data(withJSONObject: options))
        let session = try Session()
        try request.validate(in: session)
        try request.write(try request.run(in: session), in: session)
        return try GeoJSONReader.read(path: folder + "/lan.geojson")
    }

    @Test func theLayersOwnBreaksAreUsedForItsField() throws {
        let layer = try Self.counties()
        guard case .array(let given)? = layer.metadata["atlas:classes"]?["breaks"] else {
            Issue.record("no atlas:classes")
            return
        }
        let style = try LayerStyle(layer: layer, source: "lan.geojson", field: "share")
        #expect(style.classes.map(\.upper) == given.compactMap(\.number))
        #expect(style.breakSource == .layer(.jenks))
        // Kolada's lowest 2021 share is 4.245511 % and Södermanland's 12.236147 % the highest.
        #expect(style.classes.first?.lower == 0.04245511)
        #expect(style.classes.last?.upper == 0.12236147)
        #expect(style.classes.map(\.count).reduce(0, +) == 21)
        #expect(style.classes.last?.label == "10,5–12,2 %")
        // Labels from the meaning of each property in "atlas:run".
        #expect(style.attributes.first { $0.name == "share" }?.label == "Count / total, 0–1")
        #expect(style.attributes.first { $0.name == "suppressed" }?.label == "True when the figures are withheld")
        #expect(style.nameField == "lan")
        // Other classes asked for: computed, not the layer's.
        let three = try LayerStyle(layer: layer, source: "lan.geojson", field: "share", classes: 3)
        #expect(three.breakSource == .computed(.quantile))
        #expect(three.classes.count == 3)
    }

    @Test func theQMLHasTheStructureQGISWrites() throws {
        let style = try LayerStyle(layer: try Self.counties(), source: "lan.geojson", field: "share")
        let document = try XMLDocument(xmlString: QGISStyle.qml(style))
        func nodes(_ path: String) throws -> [XMLElement] { try document.nodes(forXPath: path).compactMap { $0 as? XMLElement } }
        let renderer = try #require(try nodes("/qgis/renderer-v2").first)
        #expect(renderer.attribute(forName: "type")?.stringValue == "graduatedSymbol")
        #expect(renderer.attribute(forName: "attr")?.stringValue == "share")
        #expect(renderer.attribute(forName: "graduatedMethod")?.stringValue == "GraduatedColor")
        let ranges = try nodes("/qgis/renderer-v2/ranges/range")
        #expect(ranges.count == 5)
        for (k, range) in ranges.enumerated() {
            #expect(range.attribute(forName: "symbol")?.stringValue == "\(k)")
            #expect(Double(range.attribute(forName: "upper")?.stringValue ?? "") == style.classes[k].upper)
            #expect(Double(range.attribute(forName: "lower")?.stringValue ?? "") == style.classes[k].lower)
            #expect(range.attribute(forName: "label")?.stringValue == style.classes[k].label)
        }
        let symbols = try nodes("/qgis/renderer-v2/symbols/symbol")
        #expect(symbols.map { $0.attribute(forName: "name")?.stringValue } == ["0", "1", "2", "3", "4"])
        #expect(symbols.allSatisfy { $0.attribute(forName: "type")?.stringValue == "fill" })
        let fills = try nodes("/qgis/renderer-v2/symbols/symbol/layer[@class='SimpleFill']/prop[@k='color']")
        // #ffffb2 is 255,255,178; #bd0026 is 189,0,38.
        #expect(fills.first?.attribute(forName: "v")?.stringValue == "255,255,178,255")
        #expect(fills.last?.attribute(forName: "v")?.stringValue == "189,0,38,255")
        #expect(try nodes("/qgis/renderer-v2/source-symbol/symbol").count == 1)
        #expect(try nodes("/qgis/renderer-v2/classificationMethod").first?.attribute(forName: "id")?.stringValue == "Jenks")
        #expect(try nodes("/qgis/aliases/alias[@field='share']").first?.attribute(forName: "name")?.stringValue == "Count / total, 0–1")
        #expect(try nodes("/qgis/layerGeometryType").first?.stringValue == "2")
    }

    @Test func theOrigoSnippetHasARulePerClassAndOneForMissingValues() throws {
        let style = try LayerStyle(layer: Self.numbered(), source: "data/numbered.geojson", field: "share", classes: 4, scheme: .quantile)
        let parsed = try JSONSerialization.jsonObject(with: Data(OrigoConfig.snippet([style]).serialized.utf8)) as? [String: Any]
        let layers = try #require(parsed?["layers"] as? [[String: Any]])
        #expect(layers.count == 1)
        #expect(layers[0]["name"] as? String == "numbered")
        #expect(layers[0]["source"] as? String == "data/numbered.geojson")
        #expect(layers[0]["type"] as? String == "GEOJSON")
        #expect(layers[0]["style"] as? String == "numbered")
        let attributes = try #require(layers[0]["attributes"] as? [[String: String]])
        #expect(attributes.map { $0["name"] } == ["namn", "share"])
        let rules = try #require((parsed?["styles"] as? [String: Any])?["numbered"] as? [[[String: Any]]])
        #expect(rules.map { $0[0]["filter"] as? String } == [
            "[share] >= 1 AND [share] <= 2.75", "[share] > 2.75 AND [share] <= 4.5", "[share] > 4.5 AND [share] <= 6.25",
            "[share] > 6.25 AND [share] <= 8", "[share] == 'null'",
        ])
        #expect((rules[0][0]["fill"] as? [String: Any])?["color"] as? String == "rgba(255,255,178,1)")
        #expect(rules[4][0]["label"] as? String == "Uppgift saknas")
    }

    @Test func aFieldWithoutNumbersIsAnError() throws {
        #expect(throws: AtlasError(file: "numbered.geojson", record: 1, field: "namn", "'område 1' is not a number to map")) {
            try LayerStyle(layer: Self.numbered(), source: "numbered.geojson", field: "namn")
        }
    }
}
