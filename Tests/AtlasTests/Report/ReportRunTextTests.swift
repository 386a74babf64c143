import Foundation
import Testing
@testable import Atlas

/// The report says what the run did: its sentences come from the layer's `"atlas:run"`, the
/// names from the layer's name field, the classes from its `"atlas:classes"`, and withheld and
/// missing areas are told apart.
@Suite struct ReportRunTextTests {
    /// Runs a request, writes its areas layer and reads it back as the report will.
    static func written<Request: IndicatorRequest>(_ request: Request, out: String) throws -> Layer {
        let session = try Session()
        try request.validate(in: session)
        let result = try request.run(in: session)
        try request.write(result, in: session)
        return try GeoJSONReader.read(path: out)
    }

    static func html(_ sections: [ReportSection], language: ReportLanguage = .swedish) -> String {
        AreaReport(title: "T", place: "P", language: language, sections: sections, generatedAt: ReportTests.fixedDate).html()
    }

    /// The visible text of a report: tags and the `<style>` block removed.
    static func prose(_ html: String) -> String {
        var text = html
        if let style = text.range(of: "<style>"), let end = text.range(of: "</style>") {
            text.removeSubrange(style.lowerBound..<end.upperBound)
        }
        return text.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
    }

    static func falunTransit(radius: Double) throws -> Layer {
        let out = try TestData.temporaryFolder() + "/near.geojson"
        var request = TransitRequest.falun(out: out)
        request.areaAssignment = .areal
        request.radius = radius
        return try written(request, out: out)
    }

    @Test func aTransitRunWithARadiusOf400MetresIsDescribedAs400NeverAs500() throws {
        let layer = try Self.falunTransit(radius: 400)
        // No value or id field given: the layer's "atlas:run" names share_near and desokod.
        let section = try ReportSection.forLayer(layer)
        #expect(section.valueField == "share_near" && section.idField == "desokod")
        let text = Self.prose(Self.html([section]))
        #expect(section.title == "Kollektivtrafiknära läge, 400 m")
        #expect(text.contains("inom 400 meter fågelvägen från en hållplats med minst 14 avgångar per dag enligt fältet ”genomsnitt_veckodag_avgangar” i falun_hallplatser_avgangar.geojson"))
        #expect(text.contains("Hållplatslägen med samma ”parent_station” räknas som en hållplats."))
        #expect(text.contains("fördelas på områdena efter hur stor del av rutans yta"))
        #expect(text.range(of: #"(?<![0-9 ])500\s?(m\b|meter|metres)"#, options: .regularExpression) == nil)
        // A stops layer counts departures per day; the GTFS wording of one departure an hour is not claimed.
        #expect(!text.contains("i timmen") && !text.contains("06–20"))

        let english = Self.prose(Self.html([try ReportSection.forLayer(layer, language: .english)], language: .english))
        #expect(english.contains("within 400 metres in a straight line of a stop with at least 14 departures a day"))
        #expect(english.range(of: #"(?<![0-9,])500\s?(m\b|metres)"#, options: .regularExpression) == nil)
    }

    @Test func aGTFSRunIsDescribedByItsRuleWindowDateAndModes() throws {
        // The provenance a GTFS run records (the effective window and minimum filled in as
        // `run` does), from the request's own encoding.
        var request = TransitRequest()
        request.gtfs = TestData.shared("sweden/gtfs_klt_kalmar_minified.zip")
        request.date = ServiceDate(iso: "2024-11-12")
        request.window = TimeWindow(argument: "07:00-19:00")
        request.minPerHour = 2
        request.rule = .average
        request.groupStops = StopGrouping.none
        request.modes = [.bus, .rail]
        request.radius = 400
        let provenance = try Provenance(request, session: try Session(), warnings: [])
        var layer = ReportIndicatorSectionTests.layer(
            [Field("id", .string), Field("share_near", .real)], [[.string("A"), .double(0.5)]])
        layer.metadata["atlas:run"] = provenance.json(role: "areas", primary: "share_near", idField: "id")
        let section = try ReportSection.forLayer(layer)
        #expect(section.definition.hasPrefix(
            "Andel av befolkningen som bor inom 400 meter fågelvägen från en hållplats med i genomsnitt minst 2 avgångar i timmen 07:00–19:00 den 2024-11-12 enligt tidtabellen gtfs_klt_kalmar_minified.zip. Bara buss och tåg räknas. Varje hållplatsläge räknas för sig."))
        #expect(section.sources.hasPrefix("Tidtabell gtfs_klt_kalmar_minified.zip (GTFS)"))
        request.rule = .everyHour
        request.modes = nil
        layer.metadata["atlas:run"] = try Provenance(request, session: try Session(), warnings: [])
            .json(role: "areas", primary: "share_near", idField: "id")
        let english = try ReportSection.forLayer(layer, language: .english)
        #expect(english.definition.contains("with at least 2 departures in every hour 07:00–19:00 on 2024-11-12"))
        #expect(english.definition.contains("Every mode counts."))
    }

    @Test func aTransitAccessRunNamesTheModesItRode() throws {
        func description(_ parameters: String) throws -> String {
            var layer = Layer(source: "a.geojson", format: "GeoJSON", crs: .wgs84, fields: [Field("mean_minutes", .real)], features: [])
            layer.metadata["atlas:run"] = try JSONParser.parse(Array(#"{"indicator": "access", "layer": "areas", "parameters": \#(parameters)}"#.utf8))
            return RunDescription.describe(run: LayerRun(layer), layer: layer, valueField: "mean_minutes", language: .swedish, label: nil).definition
        }
        #expect(try description(#"{"mode": "transit", "modes": ["rail", "tram"]}"#).contains("med kollektivtrafik (bara tåg och spårvagn), från"))
        #expect(try description(#"{"mode": "transit"}"#).contains("med kollektivtrafik, från"))
    }

    @Test func aWalkRunNeverMentionsCarsOrAKindOfDestinationItCannotKnow() throws {
        let poa = TestData.geoData("porto-alegre") + "/"
        let out = try TestData.temporaryFolder() + "/walk.geojson"
        var request = AccessRequest(
            network: LayerSource(poa + "poa_osm.pbf"), destinations: LayerSource(poa + "poa_healthcare.geojson"),
            origins: LayerSource(poa + "poa_hexgrid.geojson"), populationField: "population")
        request.destinationID = "hex_id"
        request.originID = "id"
        request.areas = LayerSource(poa + "poa_districts.geojson")
        request.areaID = "district"
        request.mode = .walk
        request.out = out
        let layer = try Self.written(request, out: out)

        let section = try ReportSection.forLayer(layer)
        let text = Self.prose(Self.html([section])).lowercased()
        #expect(text.contains("till fots i 5 km/h"))
        #expect(section.title == "Restid till närmaste målpunkt")
        for word in ["bil", "bilar", "hastighetsgräns", "hastighetsgränserna", "maxspeed", "vårdcentral"] {
            #expect(text.range(of: "\\b\(word)\\b", options: .regularExpression) == nil, "\(word)")
        }
        // PIPOS is a car and bicycle method; only the map's classes are PIPOS's time limits.
        #expect(!section.definition.contains("PIPOS"))
        let english = Self.prose(Self.html([try ReportSection.forLayer(layer, language: .english)], language: .english)).lowercased()
        #expect(english.contains("on foot at 5 km/h"))
        for word in ["car", "cars", "speed limits", "primary care"] {
            #expect(english.range(of: "\\b\(word)\\b", options: .regularExpression) == nil, "\(word)")
        }
        // The user's label names the destinations.
        let labelled = try ReportSection.forLayer(layer, label: "vårdinrättning")
        #expect(labelled.title == "Restid till närmaste vårdinrättning")
        #expect(labelled.definition.contains("till närmaste vårdinrättning (poa_healthcare.geojson)"))
        // PIPOS's 5/10/30 minute classes; on foot the slowest district's mean is 54.7 minutes, so a
        // fourth class runs from 30 to it. 3 of the 44 districts have no mean: two whose 558 and 49
        // people reach no destination on foot, one with nobody living there.
        #expect(section.breaks.count == 4 && section.breaks.prefix(3) == [5, 10, 30])
        #expect(abs(section.breaks[3] - 54.66) < 0.01)
        #expect(section.count(.missing) == 3)
        #expect(section.classOrigin == .thresholds([5, 10, 30]))
    }

    @Test func theDestinationsKindComesFromTheFilterWhenAtlasCanReadOne() {
        let sv = RunWords(language: .swedish), en = RunWords(language: .english)
        #expect(sv.destinationKind(["amenity=hospital"]) == "sjukhus")
        #expect(en.destinationKind(["amenity=school"]) == "school")
        #expect(sv.destinationKind(["typ=Vårdcentral", "typ=Sjukhus"]) == "vårdcentral eller sjukhus")
        // A field that names no kind, or filters on two fields, say nothing about the kind.
        #expect(sv.destinationKind(["namn=Falu lasarett"]) == nil)
        #expect(sv.destinationKind(["typ=Vårdcentral", "regi=Offentlig"]) == nil)
        #expect(sv.destinationKind([]) == nil)
    }

    @Test func aLowIncomeRunIsDescribedByItsOwnColumnsAndFilters() throws {
        let out = try TestData.temporaryFolder() + "/lan.geojson"
        var request = LowIncomeRequest(areas: LayerSource(TestData.geoData("sweden/lan_wgs84.geojson")), areaID: "lan_kod")
        request.stats = TestData.geoData("sweden/kolada_N02904_lan_2007-2021.csv")
        request.statsID = "municipality_id"
        request.filters = [StatisticsFilter(column: "year", value: "2021")]
        request.share = "value"
        request.out = out
        let layer = try Self.written(request, out: out)
        let section = try ReportSection.forLayer(layer)
        #expect(section.definition.hasPrefix("Andelen är kolumnen ”value” i tabellen kolada_N02904_lan_2007-2021.csv, rader där year = 2021, där den anges i procent."))
        // Kolada's N02904 is ages 0–19 and economically vulnerable households: nothing about 0–17,
        // the national norm or a low income standard is claimed.
        for claim in ["0–17", "0-17", "riksnorm", "inkomststandard", "baskonsumtion", "SCB"] {
            #expect(!section.definition.contains(claim) && !section.sources.contains(claim), "\(claim)")
        }
        #expect(section.sources == "Tabell kolada_N02904_lan_2007-2021.csv; områden lan_wgs84.geojson.")
        // A share without a total has no min-total rule to state.
        #expect(!section.definition.contains("under 10"))
        let labelled = try ReportSection.forLayer(layer, label: "Barn och unga 0–19 år i ekonomiskt utsatta hushåll")
        #expect(labelled.title == "Barn och unga 0–19 år i ekonomiskt utsatta hushåll")
    }

    @Test func aLayerWithoutARunGetsNeutralText() throws {
        var layer = ReportIndicatorSectionTests.layer(
            [Field("deso", .string), Field("count", .integer), Field("total", .integer), Field("share", .real)],
            [[.string("A"), .int(41), .int(250), .double(0.164)]])
        layer.source = "/data/foreign.geojson"
        let section = try ReportSection.forLayer(layer, valueField: "share", idField: "deso")
        #expect(section.title == "share")
        #expect(section.definition == "Kartan och tabellen visar fältet ”share” i foreign.geojson.")
        #expect(section.sources.isEmpty)
        #expect(throws: AtlasError.self) { try ReportSection.forLayer(layer) }
    }

    @Test func namesAreFoundByThemselvesAndShownWithTheCodeBeside() throws {
        let (section, _) = try ReportTests.countySection(nameField: nil)
        #expect(section.nameField == "lan")
        let html = Self.html([section])
        // Table rows, cards and map labels show names; the code sits small beside them.
        #expect(html.contains("<td class=\"name\">Södermanlands län <span class=\"id\">04</span></td>"))
        #expect(html.contains("<span class=\"where\">Södermanlands län <span class=\"id\">04</span></span>"))
        #expect(html.contains(">Norrbottens län</text>"))
        #expect(!html.contains("<td class=\"name\">04"))
        // "" turns names off.
        let codes = try ReportTests.countySection(nameField: "")
        #expect(codes.0.nameField == nil)
        #expect(Self.html([codes.0]).contains("<td class=\"name\">04</td>"))
    }

    @Test func nameFieldsByTheirUsualNames() {
        func layer(_ names: [String]) -> Layer {
            Layer(
                source: "x.geojson", format: "GeoJSON", crs: .wgs84, fields: names.map { Field($0, .string) },
                features: [Feature(geometry: nil, values: names.map { .string("\($0)-value") })])
        }
        #expect(AreaNames.field(in: layer(["kommun_kod", "kommun"]), idField: "kommun_kod") == "kommun")
        #expect(AreaNames.field(in: layer(["lan_kod", "lan"]), idField: "lan_kod") == "lan")
        #expect(AreaNames.field(in: layer(["id", "typ", "Namn"]), idField: "id") == "Namn")
        #expect(AreaNames.field(in: layer(["regsokod", "regsonamn"]), idField: "regsokod") == "regsonamn")
        #expect(AreaNames.field(in: layer(["deso", "lan_namn"]), idField: "deso") == "lan_namn")
        // DeSO layers have codes only: kommunkod is not a name.
        #expect(AreaNames.field(in: layer(["desokod", "regsokod", "kommunkod", "version"]), idField: "desokod") == nil)
    }

    @Test func withheldAndMissingAreasAreTwoCategoriesWithTheirCounts() throws {
        // A real run: Dalarna's DeSO table with every third row withheld ("..") and every seventh
        // left out, so the layer has both statuses.
        let (table, withheld, absent) = try MissingFiguresTests.gappyTable()
        let out = try TestData.temporaryFolder() + "/gaps.geojson"
        var request = LowIncomeRequest(areas: LayerSource(TestData.shared("dalarna/deso_2025_dalarna.geojson")), areaID: "desokod")
        request.stats = table
        request.statsID = "desokod"
        request.count = "befolkning_65_plus_2024"
        request.total = "befolkning_2024"
        request.out = out
        let layer = try Self.written(request, out: out)
        let section = try ReportSection.forLayer(layer)
        let ids = Set(section.areas.map(\.id))
        let expectedWithheld = withheld.intersection(ids).subtracting(absent).count
        let expectedMissing = absent.intersection(ids).count
        #expect(expectedWithheld > 0 && expectedMissing > 0)
        #expect(section.count(.withheld) == expectedWithheld)
        #expect(section.count(.missing) == expectedMissing)

        let html = Self.html([section])
        #expect(html.contains("<path class=\"withheld\" fill=\"url(#m1-hatch)\""))
        #expect(html.contains("<path class=\"missing\" fill=\"url(#m1-dots)\""))
        #expect(html.contains(">Ej publicerat (\(expectedWithheld))</text>"))
        #expect(html.contains(">Uppgift saknas (\(expectedMissing))</text>"))
        #expect(html.contains("\(ids.count) områden · \(expectedWithheld) ej publicerade · \(expectedMissing) utan uppgift"))
        #expect(ReportFixtures.count("<span class=\"swatch hatch\"></span>Ej publicerat</td>", in: html) == expectedWithheld)
        #expect(ReportFixtures.count("<span class=\"swatch dots\"></span>Uppgift saknas</td>", in: html) == expectedMissing)
        // Withheld before missing at the foot of the table.
        let lastWithheld = try #require(html.range(of: "Ej publicerat</td>", options: .backwards))
        let firstMissing = try #require(html.range(of: "Uppgift saknas</td>"))
        #expect(lastWithheld.lowerBound < firstMissing.lowerBound)
    }

    @Test func anOlderLayerWithOnlySuppressedStillTellsWithheldFromMissing() throws {
        let layer = ReportIndicatorSectionTests.layer(
            [Field("id", .string), Field("share", .real), Field("suppressed", .boolean)],
            [
                [.string("A"), .double(0.2), .bool(false)], [.string("B"), .null, .bool(true)],
                [.string("C"), .null, .bool(false)],
            ])
        let section = try ReportSection(
            title: "T", definition: "", sources: "", layer: layer, idField: "id", valueField: "share", format: .percent)
        #expect(section.areas.map(\.status) == [.ok, .withheld, .missing])
    }

    @Test func theLayersOwnClassesAndSchemeAreKept() throws {
        let out = try TestData.temporaryFolder() + "/lan.geojson"
        var request = LowIncomeRequest(areas: LayerSource(TestData.geoData("sweden/lan_wgs84.geojson")), areaID: "lan_kod")
        request.stats = TestData.geoData("sweden/kolada_N02904_lan_2007-2021.csv")
        request.statsID = "municipality_id"
        request.filters = [StatisticsFilter(column: "year", value: "2021")]
        request.share = "value"
        request.classes = 4
        request.scheme = .jenks
        request.out = out
        let layer = try Self.written(request, out: out)
        let classes = try #require(try LayerClasses(layer))
        let section = try ReportSection.forLayer(layer)
        #expect(section.breaks == classes.breaks)
        #expect(section.classCount == 4)
        #expect(Self.html([section]).contains("Klassindelning: naturliga brytpunkter (Jenks), 4 klasser, som i lagret."))
        // A scheme the reader asks for wins over the layer's.
        let asked = try ReportSection.forLayer(layer, classing: .scheme(.quantile, classes: 5))
        #expect(asked.classCount == 5)
        #expect(Self.html([asked]).contains("Klassindelning: kvantiler"))
    }

    @Test func aPointLayerIsDrawnAsDots() throws {
        let out = try TestData.temporaryFolder() + "/near.geojson"
        let stopsOut = try TestData.temporaryFolder() + "/stops.geojson"
        var request = TransitRequest.falun(out: out)
        request.stopsOut = stopsOut
        _ = try Self.written(request, out: out)
        let stops = try GeoJSONReader.read(path: stopsOut)
        let section = try ReportSection.forLayer(stops)
        #expect(section.valueField == "departures")
        let svg = ReportFixtures.svg(section)
        // One dot per platform: a group of platforms under one parent station is a MultiPoint.
        let platforms = stops.features.map { $0.geometry?.points.count ?? 0 }.reduce(0, +)
        #expect(stops.features.count == 505 && platforms > 505)
        #expect(ReportFixtures.count("<circle class=", in: svg) == platforms)
        #expect(!svg.contains("<path class="))
    }
}
