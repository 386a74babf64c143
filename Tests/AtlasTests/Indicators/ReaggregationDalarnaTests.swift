import Foundation
import Testing
@testable import Atlas

@Suite struct ReaggregationDalarnaTests {
    // (kommun_kod, weighted count, weighted total, by-area count, by-area total), printed by
    // Scripts/reaggregate_crosscheck.py: geopandas overlays for the 1 km grid weighting and
    // tobler.area_weighted.area_interpolate (allocate_total=False) for the by-area apportioning.
    static let expected: [(String, Double, Double, Double, Double)] = [
        ("2021", 1869.059205, 6738.377002, 1861.707143, 6709.979854),
        ("2023", 2823.472429, 10229.201466, 2793.827003, 10138.489281),
        ("2026", 2741.449759, 10312.000069, 2733.353978, 10270.356172),
        ("2029", 4801.196202, 16022.931292, 4632.371952, 15553.647634),
        ("2031", 3455.340734, 10114.027525, 3251.768798, 9595.241844),
        ("2034", 1936.776929, 6742.243817, 1927.900037, 6709.321129),
        ("2039", 2058.614749, 6880.936268, 2039.421121, 6823.247231),
        ("2061", 3192.916148, 10619.982100, 3294.348547, 11095.055628),
        ("2062", 5733.051236, 19973.476845, 5199.250527, 18156.557888),
        ("2080", 14166.484448, 59693.132638, 14217.556473, 59877.716005),
        ("2081", 11030.425363, 51480.526757, 10982.297489, 51283.221356),
        ("2082", 3126.486489, 11262.587557, 3152.566412, 11380.358972),
        ("2083", 4279.856371, 15356.072898, 4274.859043, 15333.599899),
        ("2084", 6100.604052, 22322.396835, 5973.355511, 21866.236715),
        ("2085", 6366.872763, 25437.709079, 6160.039241, 24589.048268),
    ]

    struct Inputs {
        var deso: [Geometry]
        var figures: [AreaFigures]
        var municipalities: [Geometry]
        var codes: [String]
        var weights: PopulationWeights
    }

    static func inputs() throws -> Inputs {
        let desoLayer = try GeoJSONReader.read(path: TestData.shared("dalarna/deso_2025_dalarna.geojson")).toMetric()
        #expect(desoLayer.crs == .sweref99TM)
        let kommun = try GeoJSONReader.read(path: TestData.shared("sweden/kommun_wgs84.geojson")).reprojected(to: .sweref99TM)
        let codeIndex = try kommun.fieldIndex("kommun_kod")
        let dalarna = kommun.features.filter { $0.values[codeIndex].text!.hasPrefix("20") }
        let grid = try GeoJSONReader.read(path: TestData.shared("dalarna/befolkning_1km_2025_dalarna.geojson")).reprojected(to: .sweref99TM)
        return Inputs(
            deso: desoLayer.features.map { $0.geometry! },
            figures: try LowIncome.figures(
                fromLayer: desoLayer, measure: .counts(count: "befolkning_65_plus_2024", total: "befolkning_2024")),
            municipalities: dalarna.map { $0.geometry! },
            codes: dalarna.map { $0.values[codeIndex].text! },
            weights: PopulationWeights(
                geometries: grid.features.map { $0.geometry! }, population: try grid.values(of: "befolkning_2025").map { $0.number! }))
    }

    static func close(_ a: Double?, _ b: Double) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= 1e-6 * abs(b)
    }

    @Test func weightedByThe1kmGridMatchesGeopandas() throws {
        let inputs = try Self.inputs()
        let apportionment = try Reaggregation.apportionment(sources: inputs.deso, targets: inputs.municipalities, weights: inputs.weights)
        #expect(apportionment.areaFallbackSources.isEmpty)
        let result = apportionment.apply(inputs.figures)
        #expect(inputs.codes == Self.expected.map(\.0))
        for (k, (code, count, total, _, _)) in Self.expected.enumerated() {
            #expect(Self.close(result[k].count, count), "\(code) count")
            #expect(Self.close(result[k].total, total), "\(code) total")
            #expect(Self.close(result[k].share, count / total), "\(code) share")
        }
    }

    @Test func byAreaMatchesTobler() throws {
        let inputs = try Self.inputs()
        let result = try Reaggregation.apportionment(sources: inputs.deso, targets: inputs.municipalities).apply(inputs.figures)
        for (k, (code, _, _, count, total)) in Self.expected.enumerated() {
            #expect(Self.close(result[k].count, count), "\(code) count")
            #expect(Self.close(result[k].total, total), "\(code) total")
        }
    }

    @Test func targetsCoveringEverySourceConserveTheTotal() throws {
        let inputs = try Self.inputs()
        // The generalised municipalities leave part of the DeSO's grid population uncovered
        // (the script finds 283,185.6 of 286,546 inside Dalarna's 15), so conservation is checked
        // against targets that cover the DeSO whole: two halves of their bounding box.
        var extent = Bounds.empty
        for g in inputs.deso { extent.extend(g.bounds!) }
        let midX = extent.center.x
        func rectangle(_ x0: Double, _ x1: Double) -> Geometry {
            .polygon([[Coordinate(x0, extent.minY - 1), Coordinate(x1, extent.minY - 1), Coordinate(x1, extent.maxY + 1),
                       Coordinate(x0, extent.maxY + 1), Coordinate(x0, extent.minY - 1)]])
        }
        let halves = [rectangle(extent.minX - 1, midX), rectangle(midX, extent.maxX + 1)]
        let result = try Reaggregation.apportionment(sources: inputs.deso, targets: halves, weights: inputs.weights).apply(inputs.figures)
        // 286,546 people and 74,684 aged 65+ in the DeSO layer (sums over its features).
        #expect(abs(result.compactMap(\.total).reduce(0, +) - 286_546) < 1e-6)
        #expect(abs(result.compactMap(\.count).reduce(0, +) - 74_684) < 1e-6)
        #expect(result.allSatisfy { $0.total! > 0 })
    }

    @Test func a250mGridOverDalarnaConservesTheTotal() throws {
        let inputs = try Self.inputs()
        var extent = Bounds.empty
        for g in inputs.deso { extent.extend(g.bounds!) }
        let grid = RegularGrid(covering: extent, cellSize: 250)
        let (apportionment, cells) = try Reaggregation.apportionment(sources: inputs.deso, grid: grid)
        let result = apportionment.apply(inputs.figures)
        #expect(abs(result.compactMap(\.total).reduce(0, +) - 286_546) < 1e-9 * 286_546)
        #expect(cells.count == result.count)
        // Dalarna is about 30,000 km² with its lakes: at 16 cells per km², on the order of 480,000 cells.
        #expect(cells.count > 400_000 && cells.count < 600_000)
    }
}
