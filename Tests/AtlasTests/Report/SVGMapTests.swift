import Foundation
import Testing
@testable import Atlas

/// Hand-made layers in WGS 84 for the map tests.
enum ReportFixtures {
    static func square(_ lon: Double, _ lat: Double, _ size: Double) -> Geometry {
        .polygon([[
            Coordinate(lon, lat), Coordinate(lon + size, lat), Coordinate(lon + size, lat + size),
            Coordinate(lon, lat + size), Coordinate(lon, lat),
        ]])
    }

    /// Areas with an id, a name, a share (nil = null) and a `suppressed` flag when asked for.
    static func layer(_ areas: [(id: String, name: String, share: Double?, geometry: Geometry)], suppression: Bool = false)
        -> Layer
    {
        var fields = [Field("id", .string), Field("name", .string), Field("share", .real)]
        if suppression { fields.append(Field("suppressed", .boolean)) }
        let features = areas.map { area in
            var values: [Value] = [.string(area.id), .string(area.name), area.share.map(Value.double) ?? .null]
            if suppression { values.append(.bool(area.share == nil)) }
            return Feature(geometry: area.geometry, values: values)
        }
        return Layer(source: "fixture.geojson", format: "GeoJSON", crs: .wgs84, fields: fields, features: features)
    }

    static func section(_ layer: Layer, title: String = "Andel", classing: ReportClassing = .standard) throws
        -> ReportSection
    {
        try ReportSection(
            title: title, definition: "Definition.", sources: "Källa.", layer: layer, idField: "id",
            nameField: "name", valueField: "share", format: .percent, classing: classing)
    }

    static func svg(_ section: ReportSection, language: ReportLanguage = .swedish) -> String {
        let report = AreaReport(title: "T", place: "P", language: language, sections: [section])
        return ReportHTML(report: report).map(section, prefix: "m1").svg()
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }
}

@Suite struct SVGMapTests {
    @Test func twoSquaresGetTheirClassColoursAndTheLegendShowsTheBreaks() throws {
        let layer = ReportFixtures.layer([
            ("A", "Västra", 0.10, ReportFixtures.square(16.0, 59.0, 0.1)),
            ("B", "Östra", 0.30, ReportFixtures.square(16.1, 59.0, 0.1)),
        ])
        let section = try ReportFixtures.section(layer)
        let svg = ReportFixtures.svg(section)
        #expect(ReportFixtures.count("<path", in: svg) == 2)
        // Quantile breaks of {0.10, 0.30} interpolate linearly: 0.10 + 0.20·p for p = 0.2…1.0,
        // so A (the minimum) is in the first class and B (the maximum) in the fifth.
        #expect(section.breaks.map { ($0 * 1000).rounded() / 1000 } == [0.14, 0.18, 0.22, 0.26, 0.30])
        #expect(svg.contains(##"<path class="c1" fill="#ffffb2""##))
        #expect(svg.contains(##"<path class="c5" fill="#bd0026""##))
        for bound in ["10,0 %", "14,0 %", "18,0 %", "22,0 %", "26,0 %", "30,0 %"] {
            #expect(svg.contains(">\(bound)</text>"), "legend bound \(bound)")
        }
        #expect(!svg.contains("hatch\")\" stroke"), "no missing-value legend entry without missing values")
    }

    @Test func labelsAppearOnlyWhereTheyFit() throws {
        // A 1° square and a 0.004° square (under 3 px at this scale) a degree apart.
        let layer = ReportFixtures.layer([
            ("A", "Storby", 0.2, ReportFixtures.square(15.0, 60.0, 1.0)),
            ("B", "Lillby", 0.1, ReportFixtures.square(17.0, 60.5, 0.004)),
        ])
        let svg = ReportFixtures.svg(try ReportFixtures.section(layer))
        #expect(svg.contains(">Storby</text>"))
        #expect(!svg.contains(">Lillby</text>"))
        #expect(ReportFixtures.count("<path", in: svg) == 2)
    }

    @Test func aLabelGoesInsideAConcavePolygon() throws {
        // A U shape whose centroid lies in the notch: the label must sit in one of the arms or the base.
        let u: Geometry = .polygon([[
            Coordinate(0, 0), Coordinate(3, 0), Coordinate(3, 3), Coordinate(2, 3), Coordinate(2, 1),
            Coordinate(1, 1), Coordinate(1, 3), Coordinate(0, 3), Coordinate(0, 0),
        ]])
        let layer = ReportFixtures.layer([("U", "U", 0.5, u)])
        let section = try ReportFixtures.section(layer)
        let map = ReportHTML(report: AreaReport(title: "", place: "", sections: [section])).map(section, prefix: "m")
        let projection = FittedProjection([u], maxWidth: map.width, maxHeight: map.maxMapHeight, padding: map.padding)
        let rings = u.polygons[0].map { projection.pixels($0) }
        let centroid = try #require(LabelPlacement.centroid(rings[0]))
        #expect(!LabelPlacement.contains(rings, centroid))
        let box = try #require(LabelPlacement.place("U", in: [rings], fontSize: 10))
        #expect(LabelPlacement.contains(rings, box.center))
    }

    @Test func aSuppressedValueIsHatchedAndNamedInTheLegend() throws {
        let layer = ReportFixtures.layer(
            [
                ("A", "Norr", 0.12, ReportFixtures.square(16.0, 59.1, 0.1)),
                ("B", "Mitt", 0.08, ReportFixtures.square(16.0, 59.0, 0.1)),
                ("C", "Söder", nil, ReportFixtures.square(16.0, 58.9, 0.1)),
            ], suppression: true)
        let section = try ReportFixtures.section(layer)
        let svg = ReportFixtures.svg(section)
        #expect(svg.contains(##"<path class="withheld" fill="url(#m1-hatch)""##))
        #expect(svg.contains("<title>Söder (C): Ej publicerat</title>"))
        #expect(svg.contains(">Ej publicerat (1)</text>"))
        #expect(ReportFixtures.svg(section, language: .english).contains(">Withheld (1)</text>"))
        // Without a `suppressed` field a null is missing data, not withheld, and dotted.
        let plain = ReportFixtures.layer([("C", "Söder", nil, ReportFixtures.square(16.0, 58.9, 0.1))])
        let dotted = ReportFixtures.svg(try ReportFixtures.section(plain))
        #expect(dotted.contains(">Uppgift saknas (1)</text>"))
        #expect(dotted.contains(##"<path class="missing" fill="url(#m1-dots)""##))
    }

    @Test func pathsAreRoundedToATenthOfAPixelWithoutRepeatedPoints() {
        // The second point rounds onto the first and the closing point repeats the start.
        let ring = [
            PixelPoint(x: 0, y: 0), PixelPoint(x: 0.01, y: 0.02), PixelPoint(x: 10, y: 0),
            PixelPoint(x: 10, y: 10.04), PixelPoint(x: 0, y: 10), PixelPoint(x: 0, y: 0),
        ]
        #expect(SVGMap.pathData([[ring]]) == "M0 0l10 0 0 10-10 0z")
        // A ring that shrinks to under three distinct points disappears.
        #expect(SVGMap.pathData([[[PixelPoint(x: 1, y: 1), PixelPoint(x: 1.02, y: 1), PixelPoint(x: 1, y: 1.03)]]]) == "")
        #expect(SVGMap.tenths(123) == "12.3" && SVGMap.tenths(-5) == "-.5" && SVGMap.tenths(-120) == "-12")
    }

    @Test func valuesBeyondAnyDrawingDoNotTrap() {
        // 1e300 × 10 is far past Int.max; it is held at 10⁹ pixels (10¹⁰ tenths), NaN at 0.
        #expect(SVGMap.number(1e300) == "1000000000")
        #expect(SVGMap.number(-.infinity) == "-1000000000")
        #expect(SVGMap.number(.nan) == "0")
        #expect(SVGMap.number(12.34) == "12.3")
    }

    @Test func theProjectionKeepsShapesAtHighLatitude() throws {
        // At 60° N a degree of longitude is half a degree of latitude on the ground, so a
        // 1° × 0.5° cell is drawn square.
        let cell: Geometry = .polygon([[
            Coordinate(15, 59.75), Coordinate(16, 59.75), Coordinate(16, 60.25), Coordinate(15, 60.25),
            Coordinate(15, 59.75),
        ]])
        let projection = FittedProjection([cell], maxWidth: 640, maxHeight: 600, padding: 6)
        let a = projection.pixel(Coordinate(15, 59.75)), b = projection.pixel(Coordinate(16, 60.25))
        let aspect = abs(b.x - a.x) / abs(b.y - a.y)
        #expect(abs(aspect - 1) < 0.001)
    }
}
