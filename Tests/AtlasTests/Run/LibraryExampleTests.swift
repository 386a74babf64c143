import Atlas
import Foundation
import Testing

/// The example in the README ("Using atlas from Swift"), kept here so that it compiles and runs.
@Suite struct LibraryExampleTests {
    @Test func theReadmeExampleRunsAnIndicatorFromCode() throws {
        let falun = TestData.geoData("falun") + "/"
        let out = try TestData.temporaryFolder() + "/near.geojson"

        // README example begins
        var request = TransitRequest()
        request.stops = LayerSource(falun + "falun_hallplatser_avgangar.geojson")
        request.departuresField = "genomsnitt_veckodag_avgangar"
        request.population = LayerSource(falun + "falun_befolkning_1km_2025.geojson")
        request.populationField = "befolkning_2025"
        request.areas = LayerSource(falun + "falun_deso_2025_pop2024.geojson")
        request.areaID = "desokod"
        request.radius = 400
        request.out = out

        let session = try Session(diagnostics: .collecting())
        try request.validate(in: session)           // opens the inputs, checks fields and options
        let result = try request.run(in: session)   // computes; nothing is written yet
        let near = result.proximity!.populationNear
        try request.write(result, in: session)      // every output the request names
        // README example ends

        // Within 400 m of a stop: fewer people than within the national indicator's 500 m.
        var wider = request
        wider.radius = 500
        wider.out = nil
        wider.stopsOut = out + ".stops.geojson"
        let near500 = try wider.run(in: session).proximity
        #expect(near500 == nil)
        wider.out = out + ".500.geojson"
        let within500 = try wider.run(in: session).proximity!.populationNear
        #expect(near > 0 && near < within500)
        #expect(session.diagnostics.messages.contains(.info("wrote \(out): 37 areas")))
        let written = try GeoJSONReader.read(path: out)
        #expect(written.features.count == 37)
        let parameters = try #require(written.metadata["atlas:run"]?["parameters"])
        #expect(parameters["radius"] == .int(400))
    }

    @Test func aRequestDecodesFromTheSameKeysAsAProjectFileRun() throws {
        let json = """
            {"areas": "deso.shp", "area-id": "desokod", "stats": "t.csv", "stats-id": "region",
             "count": "n", "total": "all", "where": "year=2023", "min-total": 20, "out": "x.geojson"}
            """
        let request = try JSONDecoder().decode(LowIncomeRequest.self, from: Data(json.utf8))
        #expect(request.areas.path == "deso.shp")
        #expect(request.filters == [StatisticsFilter(column: "year", value: "2023")])
        #expect(request.minTotal == 20)
        // Unnamed options keep their defaults.
        #expect(request.scheme == .quantile)
        #expect(request.precision == 6)
        #expect(try request.measure() == .counts(count: "n", total: "all"))
    }

    @Test func shaOfKnownTexts() throws {
        // FIPS 180-4 examples: "abc" and the 448-bit two-block message.
        var abc = SHA256()
        abc.update(Array("abc".utf8))
        #expect(abc.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var two = SHA256()
        two.update(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        #expect(two.finalizeHex() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var empty = SHA256()
        #expect(empty.finalizeHex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // A copy goes on from where the hash was, on its own: "ab" + "c" is "abc", and "ab" +
        // "d" is what `printf abd | sha256sum` gives.
        var ab = SHA256()
        ab.update(Array("ab".utf8))
        var copy = ab
        copy.update(Array("c".utf8))
        ab.update(Array("d".utf8))
        #expect(copy.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ab.finalizeHex() == "a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9")
    }
}

@Suite struct ReadersFromBytesTests {
    @Test func geoJSONAndCSVReadFromBytesAsFromTheirFiles() throws {
        let path = TestData.geoData("falun/falun_vard.geojson")
        let fromFile = try GeoJSONReader.read(path: path)
        let fromBytes = try GeoJSONReader.read(bytes: try Data(contentsOf: URL(fileURLWithPath: path)), source: path)
        #expect(fromBytes.features == fromFile.features)
        #expect(fromBytes.fields == fromFile.fields)

        let csv = Data("kod,ort,x,y\n1,Göteborg,319000,6400000\n".utf8)
        let table = try CSVTable.read(bytes: csv, source: "orter.csv")
        let layer = try LayerReader.layer(csv: table, options: LayerOptions(crs: .sweref99TM))
        #expect(layer.features.count == 1)
        #expect(layer.features[0].values[1] == .string("Göteborg"))
        #expect(layer.features[0].geometry == .point(Coordinate(319_000, 6_400_000)))
        let error = #expect(throws: AtlasError.self) { try GeoJSONReader.read(bytes: Data("{\"type\":".utf8), source: "cut.geojson") }
        #expect(error?.file == "cut.geojson")
    }
}
