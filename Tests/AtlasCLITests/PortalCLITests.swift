import Atlas
import Foundation
import Testing

@Suite struct PortalCLITests {
    /// The share aged 65+ per Dalarna DeSO as an indicator layer in five Jenks classes; DeSO with
    /// fewer than 1,500 residents are withheld, so some areas have no value.
    static func agedLayer(in folder: String) throws -> String {
        let out = folder + "/aged_deso.geojson"
        let result = try CLI.run([
            "lowincome", "--areas", CLI.shared("dalarna/deso_2025_dalarna.geojson"), "--area-id", "desokod",
            "--stats", CLI.shared("dalarna/deso_befolkning_2024.csv"), "--stats-id", "desokod",
            "--count", "befolkning_65_plus_2024", "--total", "befolkning_2024", "--min-total", "1500",
            "--classes", "5", "--scheme", "jenks", "--out", out, "--quiet",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        return out
    }

    /// DeSO in the table with fewer than 1,500 residents in 2024, counted from the CSV.
    static func smallDeSO() throws -> Int {
        let lines = try String(contentsOfFile: CLI.shared("dalarna/deso_befolkning_2024.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst()
        return lines.filter { line in (Double(line.split(separator: ",")[1]) ?? 0) < 1500 }.count
    }

    @Test func exportMakesAPortalSizedLayer() throws {
        let folder = try CLI.temporaryFolder()
        let deso = CLI.shared("dalarna/deso_2025_dalarna.geojson")
        let plain = folder + "/plain.geojson", small = folder + "/small.geojson"
        #expect(try CLI.run(["export", deso, "--out", plain, "--quiet"]).status == 0)
        let result = try CLI.run([
            "export", deso, "--out", small, "--simplify", "25", "--fields", "desokod,befolkning_2024,andel_65_plus_2024",
            "--drop-empty", "befolkning_2024", "--digits", "3", "--precision", "5",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("simplified to 25 m: 107673 → "), "\(result.stderr)")
        #expect(result.stderr.contains("left out 0 of 175 features"))
        let size = { (path: String) in ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
        #expect(size(small) * 5 < size(plain), "\(size(small)) of \(size(plain)) bytes")
        let layer = try GeoJSONReader.read(path: small)
        #expect(layer.fields.map(\.name) == ["desokod", "befolkning_2024", "andel_65_plus_2024"])
        #expect(layer.features.count == 175)
        // 2080C1190 has 0.302096 aged 65+ in the file: 0.302 with three significant digits.
        let first = layer.features.first { $0.values[0] == .string("2080C1190") }
        #expect(first?.values[2] == .double(0.302))
        let run = layer.metadata["atlas:run"]
        #expect(run?["parameters"]?["simplify"]?.number == 25)
        #expect(run?["parameters"]?["drop-empty"]?.string == "befolkning_2024")
    }

    @Test func exportRefusesToSimplifyPoints() throws {
        let folder = try CLI.temporaryFolder()
        let out = folder + "/points.geojson"
        let result = try CLI.run(["export", CLI.shared("dalarna/vardcentraler_sjukhus.geojson"), "--out", out, "--simplify", "10"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("vardcentraler_sjukhus.geojson"))
        #expect(result.stderr.contains("record 1"))
        #expect(result.stderr.contains("polygon layers"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func styleWritesAQGISStyleAndAnOrigoSnippetThatNamesTheLayer() throws {
        let folder = try CLI.temporaryFolder()
        let layer = try Self.agedLayer(in: folder)
        try FileManager.default.createDirectory(atPath: folder + "/styles", withIntermediateDirectories: true)
        let qml = try CLI.run(["style", layer, "--value", "share", "--out", folder + "/styles/aged.qml"])
        #expect(qml.status == 0, "\(qml.stderr)")
        #expect(qml.stderr.contains("5 classes of share (the layer's atlas:classes)"))
        #expect(try String(contentsOfFile: folder + "/styles/aged.qml", encoding: .utf8).contains("type=\"graduatedSymbol\""))

        let json = try CLI.run(["style", layer, "--value", "share", "--title", "Andel 65+", "--out", folder + "/styles/origo.json"])
        #expect(json.status == 0, "\(json.stderr)")
        let snippet = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/styles/origo.json"))) as? [String: Any]
        let entry = try #require((snippet?["layers"] as? [[String: Any]])?.first)
        let source = try #require(entry["source"] as? String)
        #expect(source == "../aged_deso.geojson")
        #expect(FileManager.default.fileExists(atPath: folder + "/styles/" + source))
        #expect(entry["title"] as? String == "Andel 65+")
        let rules = try #require((snippet?["styles"] as? [String: Any])?["aged_deso"] as? [[[String: Any]]])
        #expect(rules.count == 6)  // five classes and the withheld areas
        #expect(rules.last?.first?["filter"] as? String == "[share] == 'null'")

        let bad = try CLI.run(["style", layer, "--value", "share", "--out", folder + "/style.txt"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains(".qml"))
    }

    @Test func mapNeedsLeaflet() throws {
        let folder = try CLI.temporaryFolder()
        let out = folder + "/map.html"
        let result = try CLI.run(
            ["map", CLI.shared("falun/falun_deso_2025_pop2024.geojson"), "--value", "andel_65_plus_2024", "--out", out],
            environment: ["ATLAS_LEAFLET_DIR": folder])
        #expect(result.status != 0)
        #expect(result.stderr.contains("libjs-leaflet"), "\(result.stderr)")
        #expect(result.stderr.contains(folder + "/leaflet.js"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    static var leafletInstalled: Bool { FileManager.default.fileExists(atPath: LeafletAssets.debianFolder + "/leaflet.js") }

    @Test(.enabled(if: Chromium.available && PortalCLITests.leafletInstalled, "needs chromium and libjs-leaflet: apt-get install chromium libjs-leaflet"))
    func theMapPageDrawsEveryAreaInABrowserWithoutTheNetwork() throws {
        let folder = try CLI.temporaryFolder()
        let aged = try Self.agedLayer(in: folder)
        let page = folder + "/map.html"
        let result = try CLI.run([
            "map", aged, CLI.shared("falun/falun_deso_2025_pop2024.geojson"),
            "--value", "share", "--value", "andel_65_plus_2024", "--title", "Dalarna", "--out", page,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        for external in ["<script src", "<link", "url(http", "@import", "sourceMappingURL"] {
            #expect(!html.contains(external), "\(external)")
        }

        // What the page should show, from the layer itself.
        let layer = try GeoJSONReader.read(path: aged)
        let style = try LayerStyle(layer: layer, source: "aged_deso.geojson", field: "share")
        let withheld = try Self.smallDeSO()
        #expect(style.missingCount == withheld)
        #expect(withheld > 0)

        // The document without its scripts, whose text mentions the same class names.
        var dom = try Chromium.dumpDOM(page)
        while let open = dom.range(of: "<script"), let close = dom.range(of: "</script>", range: open.upperBound..<dom.endIndex) {
            dom.removeSubrange(open.lowerBound..<close.upperBound)
        }
        #expect(dom.contains("data-atlas-ready=\"true\""), "the page's script did not finish")
        func count(_ needle: String) -> Int { dom.components(separatedBy: needle).count - 1 }
        // One SVG path per DeSO of the layer shown first, coloured by its class.
        #expect(count("<path class=\"atlas-area ") == 175)
        for (k, c) in style.classes.enumerated() {
            #expect(count("<path class=\"atlas-area atlas-class-\(k) ") == c.count, "class \(k)")
            #expect(dom.contains("<span class=\"atlas-legend-label\">\(c.label)</span>"), "legend \(c.label)")
        }
        #expect(count("<path class=\"atlas-area atlas-missing ") == withheld)
        #expect(count("fill=\"url(#atlas-missing)\"") >= withheld)
        #expect(count("class=\"atlas-legend-item") == 6)
        #expect(dom.contains("Ej publicerat eller uppgift saknas"))
        // The layer switcher offers both layers.
        #expect(count("class=\"leaflet-control-layers-selector\"") == 2)

        let png = folder + "/map.png"
        try Chromium.screenshot(page, to: png)
        let image = try PNGImage(path: png)
        #expect(image.width == 1000 && image.height == 800)
        #expect(image.distinctColors > 20)
        for c in style.classes { #expect(image.count(of: c.color) > 50, "colour \(c.color) of \(c.label)") }
        // The hatch of the withheld areas: light grey with darker stripes.
        #expect(image.count(of: "#eeeeee") > 50)
        #expect(image.count(of: "#9e9e9e") > 20)
    }

    @Test func buildWritesStylesAnOrigoSnippetAndAMapBesideTheLayers() throws {
        let folder = try CLI.temporaryFolder()
        let out = folder + "/out"
        let geoData = CLI.repositoryRoot.appendingPathComponent("GeoData").path
        let result = try CLI.run(["build", geoData + "/demo.yml", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        for layer in ["lowincome_lan", "transit_falun_deso", "access_poa_districts", "access_transit_poa_districts"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(layer).qml"), "\(layer).qml")
        }
        let snippet = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/origo.json"))) as? [String: Any]
        let layers = try #require(snippet?["layers"] as? [[String: Any]])
        // One per areas layer: counties, Falun DeSO, Porto Alegre by car and by public transport.
        #expect(layers.count == 4)
        for layer in layers {
            let source = try #require(layer["source"] as? String)
            #expect(FileManager.default.fileExists(atPath: out + "/" + source), "\(source)")
            #expect((snippet?["styles"] as? [String: Any])?[layer["style"] as? String ?? ""] != nil)
        }
        #expect(layers.first?["title"] as? String == "Barn och unga i ekonomiskt utsatta hushåll 2007–2021")
        if Self.leafletInstalled { #expect(FileManager.default.fileExists(atPath: out + "/map.html")) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".atlas-staging") }
        #expect(leftovers.isEmpty)
    }
}
