import Foundation
import Testing
@testable import Atlas

/// `atlas join` against independent computations: the CSV read plainly, sums by code, and
/// area-weighted means from GEOS intersections taken pair by pair.
@Suite struct JoinTests {
    static let deso = TestData.shared("dalarna/deso_2025_dalarna.geojson")
    static let table = TestData.shared("dalarna/deso_befolkning_2024.csv")

    /// The CSV's rows by DeSO code, read without atlas's table reader.
    static func rows() throws -> [String: [String]] {
        let text = try String(contentsOfFile: table, encoding: .utf8).replacingOccurrences(of: "\u{FEFF}", with: "")
        var rows: [String: [String]] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            rows[cells[0]] = cells
        }
        return rows
    }

    func run(_ request: JoinRequest) throws -> Layer {
        let session = try Session()
        try request.validate(in: session)
        return try request.run(in: session).areas.layer
    }

    @Test func aPlainJoinWritesTheTablesNumbersAsNumbers() throws {
        let layer = try run(JoinRequest(
            areas: LayerSource(Self.deso), areaID: "desokod", stats: Self.table, statsID: "desokod",
            values: ["befolkning_2024", "andel_65_plus_2024"]))
        let rows = try Self.rows()
        #expect(layer.features.count == 175)
        #expect(Array(layer.fields.map(\.name).prefix(3)) == ["desokod", "befolkning_2024", "andel_65_plus_2024"])
        for feature in layer.features {
            let row = try #require(rows[feature.values[0].text!])
            #expect(feature.values[1] == .double(Double(row[1])!))
            #expect(feature.values[2] == .double(Double(row[3])!))
        }
    }

    @Test func throughAKeyCountsAreSummedPerCode() throws {
        let rows = try Self.rows()
        let key = try TestData.temporaryFolder() + "/key.csv"
        try (["deso,kommun"] + rows.values.map { "\($0[0]),\($0[4])" }).joined(separator: "\n").write(toFile: key, atomically: true, encoding: .utf8)
        var request = JoinRequest(
            areas: LayerSource(TestData.shared("sweden/kommun_wgs84.geojson")), areaID: "kommun_kod", stats: Self.table,
            statsID: "desokod", values: ["befolkning_2024"])
        request.key = key
        request.keyFrom = "deso"
        request.keyTo = "kommun"
        request.extensive = ["befolkning_2024"]
        let layer = try run(request)
        var expected: [String: Double] = [:]
        for row in rows.values { expected[row[4], default: 0] += Double(row[1])! }
        var checked = 0
        for feature in layer.features {
            guard let sum = expected[feature.values[0].text!] else {
                #expect(feature.values[1] == .null)
                continue
            }
            #expect(feature.values[1] == .double(sum))
            checked += 1
        }
        #expect(checked == 15)
    }

    @Test func intensiveValuesAreAreaWeightedMeansAndExtensiveValuesApportionedSums() throws {
        var request = JoinRequest(
            areas: LayerSource(Self.deso), areaID: "desokod", stats: Self.table, statsID: "desokod",
            values: ["andel_65_plus_2024", "befolkning_2024"])
        request.target = LayerSource(TestData.shared("sweden/kommun_wgs84.geojson"))
        request.targetID = "kommun_kod"
        request.intensive = ["andel_65_plus_2024"]
        request.extensive = ["befolkning_2024"]
        let layer = try run(request)

        // Pair by pair with GEOS: mean = Σ area(d ∩ k) · v_d / Σ area(d ∩ k); sum = Σ n_d · area(d ∩ k) / area(d).
        let session = try Session()
        let rows = try Self.rows()
        let deso = try GeoJSONReader.read(path: Self.deso).toMetric(context: session.proj)
        let kommun = try GeoJSONReader.read(path: TestData.shared("sweden/kommun_wgs84.geojson")).reprojected(to: deso.crs!, context: session.proj)
        let desoIDs = try deso.values(of: "desokod").map { $0.text! }
        let sources = try deso.features.map { try GEOSGeometry($0.geometry!, context: session.geos) }
        var checked = 0
        for (k, feature) in kommun.features.enumerated() where feature.values[0].text!.hasPrefix("20") {
            let target = try GEOSGeometry(feature.geometry!, context: session.geos)
            var weighted = 0.0, area = 0.0, sum = 0.0
            for (d, source) in sources.enumerated() {
                let piece = try source.intersection(target).area
                guard piece > 0 else { continue }
                weighted += piece * Double(rows[desoIDs[d]]![3])!
                area += piece
                sum += Double(rows[desoIDs[d]]![1])! * piece / (try source.area)
            }
            let out = try #require(layer.features.first { $0.values[0] == kommun.features[k].values[0] })
            #expect(abs(out.values[1].number! - weighted / area) < 1e-12, "\(feature.values[0])")
            #expect(abs(out.values[2].number! - sum) < 1e-9 * sum, "\(feature.values[0])")
            checked += 1
        }
        #expect(checked == 15)
    }

    @Test func reaggregatingAColumnNeedsToKnowWhatItIs() throws {
        var request = JoinRequest(
            areas: LayerSource(Self.deso), areaID: "desokod", stats: Self.table, statsID: "desokod", values: ["andel_65_plus_2024"])
        request.target = LayerSource(TestData.shared("sweden/kommun_wgs84.geojson"))
        request.targetID = "kommun_kod"
        let error = #expect(throws: OptionError.self) { try request.validate(in: try Session()) }
        #expect(error?.option == "value")
    }
}
