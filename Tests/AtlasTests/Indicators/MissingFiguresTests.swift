import Foundation
import Testing
@testable import Atlas

/// Missing is not withheld, and one gap does not blank a whole area: Dalarna's DeSO with a table
/// that has `..` in some rows and no row at all for others, re-aggregated to its municipalities.
@Suite struct MissingFiguresTests {
    /// The Dalarna DeSO table with every third row withheld and every seventh row left out.
    static func gappyTable() throws -> (path: String, withheld: Set<String>, absent: Set<String>) {
        let text = try String(contentsOfFile: TestData.shared("dalarna/deso_befolkning_2024.csv"), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var withheld: Set<String> = [], absent: Set<String> = []
        var kept = [lines.removeFirst()]
        for (k, line) in lines.enumerated() where !line.isEmpty {
            var cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if k % 7 == 3 {
                absent.insert(cells[0])
                continue
            }
            if k % 3 == 0 {
                withheld.insert(cells[0])
                cells[2] = ".."
            }
            kept.append(cells.joined(separator: ","))
        }
        let path = try TestData.temporaryFolder() + "/gaps.csv"
        try kept.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return (path, withheld, absent)
    }

    @Test func areasWithoutARowAreMissingAndAreasWithDotsAreWithheld() throws {
        let (table, withheld, absent) = try Self.gappyTable()
        var request = LowIncomeRequest(areas: LayerSource(TestData.shared("dalarna/deso_2025_dalarna.geojson")), areaID: "desokod")
        request.stats = table
        request.statsID = "desokod"
        request.count = "befolkning_65_plus_2024"
        request.total = "befolkning_2024"
        let session = try Session()
        try request.validate(in: session)
        let result = try request.run(in: session).figures
        let ids = result.ids.map { $0.text! }
        for (id, figures) in zip(ids, result.figures) {
            let expected: FigureStatus = absent.contains(id) ? .missing : withheld.contains(id) ? .suppressed : .ok
            #expect(figures.status == expected, "\(id)")
            #expect(figures.suppressed == (expected == .suppressed))
        }
        #expect(result.figures.filter { $0.status == .missing }.count == absent.count)
        #expect(!absent.isEmpty && !withheld.isEmpty)
    }

    @Test func municipalitiesAreComputedFromTheirUsableDeSOWithTheCoverageWorkedOutByHand() throws {
        let (table, withheld, absent) = try Self.gappyTable()
        let kommunPath = TestData.shared("sweden/kommun_wgs84.geojson")
        var request = LowIncomeRequest(areas: LayerSource(TestData.shared("dalarna/deso_2025_dalarna.geojson")), areaID: "desokod")
        request.stats = table
        request.statsID = "desokod"
        request.count = "befolkning_65_plus_2024"
        request.total = "befolkning_2024"
        request.target = LayerSource(kommunPath)
        request.targetID = "kommun_kod"
        request.minTotal = 0
        let session = try Session()
        let result = try request.run(in: session).figures

        // Independently: every DeSO ∩ kommun by GEOS, pair by pair, without the apportionment code.
        // By area, a kommun's coverage is the area of its usable DeSO parts over the area of all
        // its DeSO parts; its count is Σ count × area(DeSO ∩ kommun) / area(DeSO) over usable DeSO.
        let geos = session.geos
        let deso = try GeoJSONReader.read(path: TestData.shared("dalarna/deso_2025_dalarna.geojson")).toMetric(context: session.proj)
        let kommun = try GeoJSONReader.read(path: kommunPath).reprojected(to: deso.crs!, context: session.proj)
        let rows = try CSVTable.read(path: TestData.shared("dalarna/deso_befolkning_2024.csv"))
        let idColumn = try rows.column("desokod"), countColumn = try rows.column("befolkning_65_plus_2024")
        var count: [String: Double] = [:]
        for row in rows.rows { count[row[idColumn]] = Double(row[countColumn]) }
        let desoIDs = try deso.values(of: "desokod").map { $0.text! }
        let desoGeometries = try deso.features.map { try GEOSGeometry($0.geometry!, context: geos) }
        let kommunIDs = try kommun.values(of: "kommun_kod").map { $0.text! }
        var checked = 0
        for (k, feature) in kommun.features.enumerated() where kommunIDs[k].hasPrefix("20") {
            let target = try GEOSGeometry(feature.geometry!, context: geos)
            var all = 0.0, usable = 0.0, expectedCount = 0.0
            for (d, source) in desoGeometries.enumerated() {
                let piece = try source.intersection(target).area
                guard piece > 0 else { continue }
                all += piece
                guard !withheld.contains(desoIDs[d]), !absent.contains(desoIDs[d]) else { continue }
                usable += piece
                expectedCount += count[desoIDs[d]]! * piece / (try source.area)
            }
            let t = try #require(result.ids.firstIndex(of: .string(kommunIDs[k])))
            let figures = result.figures[t]
            #expect(abs(figures.coverage! - usable / all) < 1e-9, "\(kommunIDs[k])")
            if usable / all >= 0.5 {
                #expect(figures.status == .ok)
                #expect(abs(figures.count! - expectedCount) <= 1e-9 * expectedCount, "\(kommunIDs[k])")
            } else {
                #expect(figures.status == .missing)
            }
            checked += 1
        }
        #expect(checked == 15)
        // Under the old rule every kommun holding a gap is blank.
        request.missing = .propagate
        let propagated = try request.run(in: session).figures
        #expect(propagated.figures.filter { $0.share != nil }.count < result.figures.filter { $0.share != nil }.count)
    }
}
