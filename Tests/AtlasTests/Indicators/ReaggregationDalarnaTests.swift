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

    // The grid path against the general GEOS path on the real DeSO: the 250 m cells of a 6 km
    // block over Falun (576 cells, 24 DeSO), with the weights that reach the block, so that the
    // general path stays quick. Sources that reach the block with nobody in those
    // weights go by area on both paths.
    static let block = Bounds(minX: 533_000, minY: 6_717_000, maxX: 539_000, maxY: 6_723_000)

    /// The block's cells, given in reverse grid order (the targets need not follow the grid).
    static func blockCells() -> (grid: RegularGrid, cells: [Geometry]) {
        let grid = RegularGrid(covering: block, cellSize: 250)
        return (grid, (0..<grid.cellCount).reversed().map(grid.cellPolygon))
    }

    static func weights(_ all: PopulationWeights, reaching bounds: Bounds) -> PopulationWeights {
        let kept = all.geometries.indices.filter { all.geometries[$0].bounds!.intersects(bounds) }
        return PopulationWeights(geometries: kept.map { all.geometries[$0] }, population: kept.map { all.population[$0] })
    }

    /// 250 m squares offset by 100 m east and north from the SCB lattice, 16 for each 1 km cell,
    /// holding 0–4 tenths of its population by position (some empty): weights not aligned with
    /// the target grid.
    static func offsetQuarterCells(_ cells: PopulationWeights) -> PopulationWeights {
        var geometries: [Geometry] = [], population: [Double] = []
        for (cell, people) in zip(cells.geometries, cells.population) {
            // The reprojected cell's south-west corner is the SCB corner to within centimetres.
            let b = cell.bounds!
            let corner = Coordinate((b.minX / 1000).rounded() * 1000, (b.minY / 1000).rounded() * 1000)
            for i in 0..<4 {
                for j in 0..<4 {
                    let x = corner.x + 100 + Double(i) * 250, y = corner.y + 100 + Double(j) * 250
                    geometries.append(ReaggregationTests.square(x, y, x + 250, y + 250))
                    population.append(people * Double((i + 2 * j) % 5) / 10)
                }
            }
        }
        return PopulationWeights(geometries: geometries, population: population)
    }

    /// Both paths' figures for the block, target by target: count and total within 1e-9 relative,
    /// the same coverage, status and area-fallback sources, and at least `compared` targets with
    /// figures. Below one person the difference is held to 1e-9 people instead: slivers along
    /// the DeSO borders give some cells a millionth of a person, whose few mm² the two clippings
    /// (GEOS's and Sutherland–Hodgman's crossing points, each exact to ~1e-10 m) measure alike
    /// in absolute but not in relative terms.
    static func expectSameFigures(
        _ grid: Apportionment, _ general: Apportionment, _ figures: [AreaFigures], compared minimum: Int = 400
    ) {
        #expect(grid.areaFallbackSources == general.areaFallbackSources)
        let a = grid.apply(figures), b = general.apply(figures)
        #expect(a.count == b.count)
        var compared = 0
        for (k, (x, y)) in zip(a, b).enumerated() {
            #expect(x.status == y.status, "target \(k)")
            guard let count = y.count, let total = y.total else {
                #expect(x.count == nil && x.total == nil, "target \(k)")
                continue
            }
            compared += 1
            #expect(abs(x.count! - count) <= 1e-9 * max(abs(count), 1), "target \(k) count \(x.count!) vs \(count)")
            #expect(abs(x.total! - total) <= 1e-9 * max(abs(total), 1), "target \(k) total \(x.total!) vs \(total)")
            #expect(abs((x.coverage ?? -1) - (y.coverage ?? -1)) <= 1e-9, "target \(k) coverage")
        }
        #expect(compared >= minimum)
    }

    @Test func gridPathMatchesTheGeneralPathWeightedByThe1kmGrid() throws {
        let inputs = try Self.inputs()
        // The 1 km cells as read from WGS 84 GeoJSON: quadrilaterals close to, not exactly, squares.
        let weights = Self.weights(inputs.weights, reaching: Self.block)
        #expect(GridWeights(weights) != nil)
        let (grid, cells) = Self.blockCells()
        let general = try Reaggregation.generalApportionment(sources: inputs.deso, targets: cells, weights: weights, diagnostics: nil)
        let fast = try Reaggregation.apportionment(sources: inputs.deso, targets: cells, weights: weights)
        Self.expectSameFigures(fast, general, inputs.figures)

        // The grid laid over the block: its reached cells, in grid order, as general targets.
        let (overGrid, reached) = try Reaggregation.apportionment(sources: inputs.deso, grid: grid, weights: weights)
        let generalReached = try Reaggregation.generalApportionment(
            sources: inputs.deso, targets: reached.map(grid.cellPolygon), weights: weights, diagnostics: nil)
        Self.expectSameFigures(overGrid, generalReached, inputs.figures)
    }

    @Test func gridPathMatchesTheGeneralPathWithOffset250mWeights() throws {
        let inputs = try Self.inputs()
        let weights = Self.weights(Self.offsetQuarterCells(Self.weights(inputs.weights, reaching: Self.block)), reaching: Self.block)
        let cells = Self.blockCells().cells
        let general = try Reaggregation.generalApportionment(sources: inputs.deso, targets: cells, weights: weights, diagnostics: nil)
        Self.expectSameFigures(
            try Reaggregation.apportionment(sources: inputs.deso, targets: cells, weights: weights), general, inputs.figures)
    }

    @Test func gridPathMatchesTheGeneralPathWithPopulationPoints() throws {
        let inputs = try Self.inputs()
        // A point per 1 km cell, off its centre so that none lies on a 250 m cell border.
        let cells = Self.weights(inputs.weights, reaching: Self.block)
        let points = PopulationWeights(
            geometries: cells.geometries.map { g in
                let b = g.bounds!
                return .point(Coordinate(b.minX + 537, b.minY + 461))
            },
            population: cells.population)
        let targets = Self.blockCells().cells
        let general = try Reaggregation.generalApportionment(sources: inputs.deso, targets: targets, weights: points, diagnostics: nil)
        // Only the cells with a point in them (and those of sources that go by area) get figures.
        Self.expectSameFigures(
            try Reaggregation.apportionment(sources: inputs.deso, targets: targets, weights: points), general, inputs.figures,
            compared: 100)
    }
}
