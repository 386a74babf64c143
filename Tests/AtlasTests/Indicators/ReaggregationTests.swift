import Foundation
import Testing
@testable import Atlas

@Suite struct ReaggregationTests {
    static func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
        .polygon([[Coordinate(x0, y0), Coordinate(x1, y0), Coordinate(x1, y1), Coordinate(x0, y1), Coordinate(x0, y0)]])
    }

    // Sources A = [0,10]×[0,10] (20 of 100) and B = [10,20]×[0,10] (30 of 50).
    static let sources = [square(0, 0, 10, 10), square(10, 0, 20, 10)]
    static let figures = [AreaFigures(count: 20, total: 100, share: 0.2), AreaFigures(count: 30, total: 50, share: 0.6)]

    /// Re-aggregated figures as expected, with their coverage.
    static func covered(_ count: Double, _ total: Double, coverage: Double) -> AreaFigures {
        var figures = AreaFigures(count: count, total: total, share: count / total)
        figures.coverage = coverage
        return figures
    }

    @Test func byAreaWithATargetThatOnlyPartlyOverlaps() throws {
        // T1 = [5,15]×[0,10] takes half of A and half of B; T2 = [15,25]×[0,10] half of B and
        // nothing for its other half; T3 lies away from every source.
        let targets = [Self.square(5, 0, 15, 10), Self.square(15, 0, 25, 10), Self.square(100, 100, 110, 110)]
        let result = try Reaggregation.apportionment(sources: Self.sources, targets: targets).apply(Self.figures)
        #expect(result[0] == Self.covered(25, 75, coverage: 1))
        // Coverage is over the part of T2 that sources reach: all of it is B's, with figures.
        #expect(result[1] == Self.covered(15, 25, coverage: 1))
        #expect(result[2] == .unknown)
        // Conserved over what the targets cover: A's right half (10 of 50) and all of B (30 of 50).
        #expect(result.compactMap(\.count).reduce(0, +) == 40)
        #expect(result.compactMap(\.total).reduce(0, +) == 100)
    }

    @Test func weightedByPopulationPointsAndCellsWithAreaFallback() throws {
        // C = [0,10]×[10,20] (5 of 8) has nobody in the weights, so it goes by area.
        let sources = Self.sources + [Self.square(0, 10, 10, 20)]
        let figures = Self.figures + [AreaFigures(count: 5, total: 8, share: 5.0 / 8)]
        let targets = [Self.square(5, 0, 15, 10), Self.square(15, 0, 25, 10), Self.square(0, 10, 5, 20)]
        // A: 30 people at (2,5), 10 at (8,5), so 10/40 of A lies in T1.
        // B: a cell [10,14]×[0,4] of 8 inside B∩T1, and a cell [18,22]×[0,10] of 20 whose covered
        // half lies in B∩T2, so all 20 go there: B gives 8/28 to T1 and 20/28 to T2.
        let weights = PopulationWeights(
            geometries: [.point(Coordinate(2, 5)), .point(Coordinate(8, 5)), Self.square(10, 0, 14, 4), Self.square(18, 0, 22, 10)],
            population: [30, 10, 8, 20])
        let apportionment = try Reaggregation.apportionment(sources: sources, targets: targets, weights: weights)
        #expect(apportionment.areaFallbackSources == [2])
        let result = apportionment.apply(figures)
        #expect(abs(result[0].count! - (20 * 0.25 + 30 * 8.0 / 28)) < 1e-9)
        #expect(abs(result[0].total! - (100 * 0.25 + 50 * 8.0 / 28)) < 1e-9)
        #expect(abs(result[0].share! - result[0].count! / result[0].total!) < 1e-15)
        #expect(abs(result[1].count! - 30 * 20.0 / 28) < 1e-9)
        #expect(result[2] == Self.covered(2.5, 4, coverage: 1))
        #expect(DisclosureControl().apply(result[2]).status == .suppressed)

        // Without A's figures, T1's people are 10 in A (the point at (8,5)) and 8 in B (the cell
        // [10,14]×[0,4]): coverage 8/18, below 0.5, so T1 is missing; at 0.4 it is B's part alone.
        let gap = [AreaFigures.unknown] + Array(figures.dropFirst())
        let strict = apportionment.apply(gap)
        #expect(strict[0].status == .missing)
        #expect(abs(strict[0].coverage! - 8.0 / 18) < 1e-12)
        let lenient = apportionment.apply(gap, minimumCoverage: 0.4)
        #expect(abs(lenient[0].count! - 30 * 8.0 / 28) < 1e-9)
        #expect(abs(lenient[0].total! - 50 * 8.0 / 28) < 1e-9)
        #expect(abs(lenient[0].share! - 0.6) < 1e-12)
    }

    @Test func aTargetIsComputedFromItsUsableSourcesWithTheirCoverage() throws {
        // A withheld ('..'): T1 = [5,15]×[0,10] is half A, half B by area, so coverage 0.5 and
        // the figures are B's half alone (15 of 25), not biased towards zero by A's gap.
        let figures = [AreaFigures(count: nil, total: 100, share: nil, suppressed: true), Self.figures[1]]
        let targets = [Self.square(5, 0, 15, 10), Self.square(15, 0, 20, 10)]
        let apportionment = try Reaggregation.apportionment(sources: Self.sources, targets: targets)
        let result = apportionment.apply(figures)
        #expect(result[0] == Self.covered(15, 25, coverage: 0.5))
        #expect(result[1] == Self.covered(15, 25, coverage: 1))
        // Asking for more coverage makes T1 missing (not withheld: atlas withheld nothing there).
        let demanding = apportionment.apply(figures, minimumCoverage: 0.75)
        #expect(demanding[0].status == .missing)
        #expect(demanding[0].coverage == 0.5)
        // The old rule, on request: any material part of a withheld source withholds the target.
        let propagated = apportionment.apply(figures, missing: .propagate)
        #expect(propagated[0] == .withheld)
        #expect(propagated[1] == AreaFigures(count: 15, total: 25, share: 0.6))
    }

    @Test func gridOverlayAgreesWithGEOSOnAnIrregularPolygonWithAHole() throws {
        // A concave polygon with a hole over a 7 m grid: each cell's area from the recursive
        // clipping must equal GEOS's intersection area, and they must add up to the polygon's.
        let polygon = Geometry.polygon([
            [Coordinate(1, 1), Coordinate(40, 3), Coordinate(22, 18), Coordinate(38, 35), Coordinate(3, 30), Coordinate(1, 1)],
            [Coordinate(8, 10), Coordinate(8, 20), Coordinate(15, 20), Coordinate(15, 10), Coordinate(8, 10)],
        ])
        let grid = RegularGrid(covering: polygon.bounds!, cellSize: 7)
        let overlay = grid.overlay(polygon.polygons)
        let context = try GEOSContext()
        let g = try GEOSGeometry(polygon, context: context)
        for (cell, area) in overlay {
            let expected = try g.intersection(GEOSGeometry(grid.cellPolygon(cell), context: context)).area
            #expect(abs(area - expected) < 1e-9)
        }
        var reached = 0
        for cell in 0..<grid.cellCount where try g.intersection(GEOSGeometry(grid.cellPolygon(cell), context: context)).area > 1e-12 {
            reached += 1
        }
        #expect(reached == overlay.count)
        #expect(abs(overlay.reduce(0) { $0 + $1.area } - (try g.area)) < 1e-9)
    }

    @Test func gridTargetsConserveTheSourcesAndUseSCBIds() throws {
        let (apportionment, cells) = try Reaggregation.apportionment(
            sources: [Self.square(500_000, 6_600_000, 500_600, 6_600_300)],
            grid: RegularGrid(covering: Bounds(minX: 500_000, minY: 6_600_000, maxX: 500_600, maxY: 6_600_300), cellSize: 250))
        // 600 m × 300 m over 250 m cells: 3 columns × 2 rows.
        #expect(cells.count == 6)
        let result = apportionment.apply([AreaFigures(count: 18, total: 180, share: 0.1)])
        #expect(abs(result.compactMap(\.total).reduce(0, +) - 180) < 1e-9)
        // The south-west cell is 250 × 250 of 600 × 300.
        #expect(abs(result[0].total! - 180 * 62_500 / 180_000) < 1e-9)
        let grid = RegularGrid(covering: Bounds(minX: 500_000, minY: 6_600_000, maxX: 500_600, maxY: 6_600_300), cellSize: 250)
        #expect(grid.rutid(cells[0]) == "5000006600000")
    }

    @Test func rutidsArePaddedAsSCBWritesThem() {
        // The digits of `String(format: "%06ld%07ld", …)`, wider numbers and signs included.
        let corners: [(Double, Double)] = [(519_250, 6_640_000), (0, 0), (-5, -123), (12_345_678, 99_999_999), (1_000, 250)]
        for (x, y) in corners {
            let grid = RegularGrid(originX: x, originY: y, cellSize: 250, columns: 1, rows: 1)
            #expect(grid.rutid(0) == String(format: "%06ld%07ld", Int(x), Int(y)))
        }
        #expect(RegularGrid(originX: 519_250, originY: 6_640_000, cellSize: 250, columns: 1, rows: 1).rutid(0) == "5192506640000")
    }

    @Test func cellPolygonsTransformedByCornersAreTheCellsTransformed() throws {
        // Cells of a 250 m grid in SWEREF 99 TM: rows with gaps, a row skipped, rows of
        // different spans; each polygon must be its cell transformed on its own, to WGS 84.
        let grid = RegularGrid(originX: 500_000, originY: 6_700_000, cellSize: 250, columns: 10, rows: 6)
        let cells = [0, 1, 2, 5, 9, 13, 14, 31, 32, 33, 34, 35, 48, 52, 53, 59]
        let transformer = try Transformer(from: .sweref99TM, to: .wgs84)
        let polygons = try grid.cellPolygons(cells, transformer: transformer)
        #expect(polygons.count == cells.count)
        for (cell, polygon) in zip(cells, polygons) {
            #expect(polygon == (try transformer.transform(grid.cellPolygon(cell))), "cell \(cell)")
        }
        #expect(try grid.cellPolygons([], transformer: transformer).isEmpty)
        #expect(throws: AtlasError.self) { try grid.cellPolygons([3, 2], transformer: transformer) }
        #expect(throws: AtlasError.self) { try grid.cellPolygons([60], transformer: transformer) }
    }

    @Test func gridCellTargetsTakeTheGridPathWithTheSameResult() throws {
        // Six 7 m cells covering part of two sources; empty weights force the general GEOS path
        // (every source falls back to area), which must agree with the grid overlay.
        let sources = [
            Geometry.polygon([[Coordinate(1, 1), Coordinate(30, 3), Coordinate(12, 18), Coordinate(1, 1)]]),
            Self.square(12, 0, 26, 14),
        ]
        let figures = [AreaFigures(count: 7, total: 70, share: 0.1), AreaFigures(count: 9, total: 30, share: 0.3)]
        let columnsAndRows: [(Int, Int)] = [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (3, 1)]
        let cells: [Geometry] = columnsAndRows.map { (c: Int, r: Int) -> Geometry in
            Self.square(Double(c) * 7, Double(r) * 7, Double(c + 1) * 7, Double(r + 1) * 7)
        }
        #expect(RegularGrid.cells(of: cells)?.cells.count == 6)
        let fast = try Reaggregation.apportionment(sources: sources, targets: cells).apply(figures)
        let general = try Reaggregation.generalApportionment(sources: sources, targets: cells, weights: nil, diagnostics: nil).apply(figures)
        for (a, b) in zip(fast, general) {
            #expect(abs(a.count! - b.count!) < 1e-9)
            #expect(abs(a.total! - b.total!) < 1e-9)
        }
        #expect(fast[3].total! > 0 && fast[5].total! > 0)
    }

    @Test func weightedGridCellsAsComputedOnPaper() throws {
        // Sources A = [0,15]×[0,10] (49 of 490), B = [15,30]×[0,10] (86 of 430) and
        // C = [0,20]×[10,15] (3 of 10). Targets: five cells of a 10 m grid, T0–T2 along
        // [0,30]×[0,10], T3 = [0,10]×[10,20] and T4 = [10,20]×[10,20], given out of grid order.
        let sources = [Self.square(0, 0, 15, 10), Self.square(15, 0, 30, 10), Self.square(0, 10, 20, 15)]
        let figures = [
            AreaFigures(count: 49, total: 490, share: 0.1), AreaFigures(count: 86, total: 430, share: 0.2),
            AreaFigures(count: 3, total: 10, share: 0.3),
        ]
        let cells = [(2, 0), (0, 0), (1, 0), (1, 1), (0, 1)].map { (c: Int, r: Int) -> Geometry in
            Self.square(Double(c) * 10, Double(r) * 10, Double(c + 1) * 10, Double(r + 1) * 10)
        }
        // Weights, none aligned with the grid:
        // - W1 = [5,15]×[0,10], 40 people, all in A: 20 in A∩T0 and 20 in A∩T1.
        // - W2 = [12,22]×[0,10], 30 people: 3 m of its 10 m width lie in A (9 people, in T1),
        //   7 m in B (5 m in T1: 15 people, 2 m in T2: 6).
        // - W3 = [28,38]×[0,10], 10 people: only [28,30] is covered, by B, so all 10 go to B∩T2.
        // - a point of 7 at (25,5), in B∩T2, and one of 5 at (20,5) on the T1|T2 border, which
        //   goes to T2 (cells are half-open, as the even-odd test counts a point on an edge);
        //   a point of 100 outside every source counts nowhere; an L-shaped weight with nobody
        //   in it is ignored, whatever its shape.
        let lShape = Geometry.polygon([[
            Coordinate(0, 0), Coordinate(30, 0), Coordinate(30, 5), Coordinate(5, 5), Coordinate(5, 15), Coordinate(0, 15),
            Coordinate(0, 0),
        ]])
        let weights = PopulationWeights(
            geometries: [
                Self.square(5, 0, 15, 10), Self.square(12, 0, 22, 10), Self.square(28, 0, 38, 10), .point(Coordinate(25, 5)),
                .point(Coordinate(20, 5)), .point(Coordinate(50, 50)), lShape,
            ],
            population: [40, 30, 10, 7, 5, 100, 0])
        // So A holds 40 + 9 = 49 people, 20/49 in T0 and 29/49 in T1; B holds 21 + 10 + 7 + 5 = 43,
        // 15/43 in T1 and 28/43 in T2; C holds nobody and goes by area, half to T3, half to T4.
        // T0: 49·20/49 = 20 of 490·20/49 = 200. T1: 29 + 86·15/43 = 59 of 290 + 430·15/43 = 440.
        // T2: 86·28/43 = 56 of 430·28/43 = 280. T3 and T4: 1.5 of 5.
        // In the order of the targets: T2, T0, T1, T4, T3.
        let expected: [(count: Double, total: Double)] = [(56, 280), (20, 200), (59, 440), (1.5, 5), (1.5, 5)]
        #expect(GridWeights(weights) != nil)
        let grid = try Reaggregation.apportionment(sources: sources, targets: cells, weights: weights)
        let general = try Reaggregation.generalApportionment(sources: sources, targets: cells, weights: weights, diagnostics: nil)
        for apportionment in [grid, general] {
            #expect(apportionment.areaFallbackSources == [2])
            let result = apportionment.apply(figures)
            for (k, (count, total)) in expected.enumerated() {
                #expect(abs(result[k].count! - count) < 1e-9, "target \(k) count")
                #expect(abs(result[k].total! - total) < 1e-9, "target \(k) total")
                #expect(result[k].coverage == 1)
            }
            // Without B's figures, T1 keeps A's part, 29 of its 44 people; T2 has no usable source.
            let gap = apportionment.apply([figures[0], .unknown, figures[2]])
            #expect(abs(gap[2].coverage! - 29.0 / 44) < 1e-12)
            #expect(abs(gap[2].total! - 290) < 1e-9)
            #expect(gap[0].status == .missing && gap[0].coverage == 0)
        }

        // The same figures on the grid laid over the sources, its cells in grid order.
        let (overGrid, reached) = try Reaggregation.apportionment(
            sources: sources, grid: RegularGrid(originX: 0, originY: 0, cellSize: 10, columns: 3, rows: 2), weights: weights)
        #expect(reached == [0, 1, 2, 3, 4])
        let result = overGrid.apply(figures)
        for (k, (count, total)) in [(20.0, 200.0), (59, 440), (56, 280), (1.5, 5), (1.5, 5)].enumerated() {
            #expect(abs(result[k].count! - count) < 1e-9 && abs(result[k].total! - total) < 1e-9, "cell \(k)")
        }
    }

    @Test func aWeightCellOnGridLinesPutsNobodyInItsNeighbours() throws {
        // A large quadrilateral source in SWEREF 99 TM over the 250 m cells of a 1.5 km block,
        // weighted by one SCB 1 km cell of 100 people that is the block's middle 4 × 4 cells
        // exactly: all of the source goes to those 16 cells, a sixteenth each; the 20 cells
        // around them hold no weight population, so no piece reaches them (missing), on both
        // paths: the cell's edges lie on grid lines, and nothing of it may leak across them.
        let sources = [Geometry.polygon([[
            Coordinate(380_000.123, 6_120_000.456), Coordinate(410_000.789, 6_121_000.321),
            Coordinate(409_000.654, 6_150_000.987), Coordinate(381_000.111, 6_149_000.222), Coordinate(380_000.123, 6_120_000.456),
        ]])]
        let grid = RegularGrid(originX: 393_750, originY: 6_134_750, cellSize: 250, columns: 6, rows: 6)
        let cells = (0..<grid.cellCount).map(grid.cellPolygon)
        let weights = PopulationWeights(geometries: [Self.square(394_000, 6_135_000, 395_000, 6_136_000)], population: [100])
        let figures = [AreaFigures(count: 16, total: 160, share: 0.1)]
        let inside = (0..<36).filter { (1...4).contains($0 % 6) && (1...4).contains($0 / 6) }
        for apportionment in [
            try Reaggregation.apportionment(sources: sources, targets: cells, weights: weights),
            try Reaggregation.generalApportionment(sources: sources, targets: cells, weights: weights, diagnostics: nil),
        ] {
            #expect(apportionment.pieces.map { $0.target }.sorted() == inside)
            let result = apportionment.apply(figures)
            for k in inside { #expect(abs(result[k].total! - 10) < 1e-9 && abs(result[k].count! - 1) < 1e-9, "cell \(k)") }
            #expect(result.indices.filter { result[$0].status == FigureStatus.missing }.count == 20)
        }
    }

    @Test func weightsOnlyGEOSCanClipKeepTheGeneralPath() throws {
        // A populated cell with a hole is no convex window: the grid path leaves such weights to
        // GEOS. Source [0,20]×[0,10] (4 of 40) over the cells T0 = [0,10]×[0,10] and
        // T1 = [10,20]×[0,10]; T0's square with a hole [2,8]×[2,8] holds 60 people, [12,20]×[0,10]
        // 20. So 60/80 of the source goes to T0 and 20/80 to T1 (by area it would be half each).
        let holed = Geometry.polygon([
            [Coordinate(0, 0), Coordinate(10, 0), Coordinate(10, 10), Coordinate(0, 10), Coordinate(0, 0)],
            [Coordinate(2, 2), Coordinate(8, 2), Coordinate(8, 8), Coordinate(2, 8), Coordinate(2, 2)],
        ])
        let weights = PopulationWeights(geometries: [holed, Self.square(12, 0, 20, 10)], population: [60, 20])
        #expect(GridWeights(weights) == nil)
        let result = try Reaggregation.apportionment(
            sources: [Self.square(0, 0, 20, 10)], targets: [Self.square(0, 0, 10, 10), Self.square(10, 0, 20, 10)], weights: weights
        ).apply([AreaFigures(count: 4, total: 40, share: 0.1)])
        #expect(abs(result[0].total! - 30) < 1e-9)
        #expect(abs(result[1].total! - 10) < 1e-9)
    }
}
