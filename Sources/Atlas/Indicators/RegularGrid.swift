import Foundation

/// A lattice of square cells in a metric CRS, such as SCB's 250 m and 1 km grids whose cells
/// have corners at multiples of the cell size in SWEREF 99 TM. Cells are numbered row by row
/// from the south-west: index = row × columns + column.
///
/// Any numbers make a grid value, but only one that passes `validate()` (cells of 1 m to
/// 1,000 km, at most 100 million of them) is worked with: a cell size of 10⁻³⁰⁰ m over a
/// municipality is more cells than there are atoms in it.
public struct RegularGrid: Sendable, Hashable {
    public static let cellSizeRange: ClosedRange<Double> = 1...1_000_000
    public static let maximumCellCount = 100_000_000

    public var originX: Double
    public var originY: Double
    public var cellSize: Double
    public var columns: Int
    public var rows: Int

    public init(originX: Double, originY: Double, cellSize: Double, columns: Int, rows: Int) {
        self.originX = originX
        self.originY = originY
        self.cellSize = cellSize
        self.columns = columns
        self.rows = rows
    }

    /// The smallest grid aligned to multiples of `cellSize` that covers `bounds`. Counts too
    /// large for an Int are saturated; `validate()` refuses such a grid.
    public init(covering bounds: Bounds, cellSize: Double) {
        let minX = (bounds.minX / cellSize).rounded(.down) * cellSize
        let minY = (bounds.minY / cellSize).rounded(.down) * cellSize
        let maxX = (bounds.maxX / cellSize).rounded(.up) * cellSize
        let maxY = (bounds.maxY / cellSize).rounded(.up) * cellSize
        self.init(
            originX: minX, originY: minY, cellSize: cellSize,
            columns: max(1, Self.saturated(((maxX - minX) / cellSize).rounded())),
            rows: max(1, Self.saturated(((maxY - minY) / cellSize).rounded())))
    }

    /// The grid covering `bounds`, or an error when its cell size or cell count is beyond what
    /// atlas works with.
    public static func covering(_ bounds: Bounds, cellSize: Double) throws -> RegularGrid {
        try checkCellSize(cellSize)
        let grid = RegularGrid(covering: bounds, cellSize: cellSize)
        try grid.validate()
        return grid
    }

    /// Throws unless the cell size, origin and cell count are ones atlas can work with.
    public func validate() throws {
        try Self.checkCellSize(cellSize)
        guard originX.isFinite, originY.isFinite, abs(originX) < 1e12, abs(originY) < 1e12 else {
            throw AtlasError("the grid's origin (\(originX), \(originY)) is not a position in a metric CRS")
        }
        let (count, overflow) = columns.multipliedReportingOverflow(by: rows)
        guard columns >= 1, rows >= 1, !overflow, count <= Self.maximumCellCount else {
            throw AtlasError(
                "a grid of \(cellSize) m cells over this extent has \(columns) × \(rows) cells; atlas makes at most"
                    + " \(Self.maximumCellCount / 1_000_000) million: choose larger cells")
        }
    }

    private static func checkCellSize(_ size: Double) throws {
        guard cellSizeRange.contains(size) else {
            throw AtlasError("the grid cell size must be from 1 m to 1,000 km, not \(size) m")
        }
    }

    /// `d` as an Int, Int.max for anything larger (or not a number).
    private static func saturated(_ d: Double) -> Int {
        guard d.isFinite else { return Int.max }
        return d >= 9.2e18 ? Int.max : d <= -9.2e18 ? Int.min : Int(d)
    }

    public var cellCount: Int {
        let (count, overflow) = columns.multipliedReportingOverflow(by: rows)
        return overflow ? Int.max : count
    }

    /// A cell's corners are lattice points, so neighbouring cells share them exactly.
    public func cellBounds(_ index: Int) -> Bounds {
        let column = index % columns, row = index / columns
        let a = corner(column, row), b = corner(column + 1, row + 1)
        return Bounds(minX: a.x, minY: a.y, maxX: b.x, maxY: b.y)
    }

    /// The lattice point at the south-west corner of column `column`, row `row`.
    func corner(_ column: Int, _ row: Int) -> Coordinate {
        Coordinate(originX + Double(column) * cellSize, originY + Double(row) * cellSize)
    }

    /// The cell a point lies in, nil outside the grid. Cells are half-open, [minX, maxX) ×
    /// [minY, maxY), as the even-odd test counts a point on a shared edge: a point on a cell
    /// border belongs to exactly one cell.
    public func cell(containing p: Coordinate) -> Int? {
        let column = ((p.x - originX) / cellSize).rounded(.down), row = ((p.y - originY) / cellSize).rounded(.down)
        guard column >= 0, row >= 0, column < Double(columns), row < Double(rows) else { return nil }
        let (start, overflow) = Int(row).multipliedReportingOverflow(by: columns)
        return overflow ? nil : start + Int(column)
    }

    /// A cell as a counter-clockwise square, closed.
    public func cellPolygon(_ index: Int) -> Geometry {
        let b = cellBounds(index)
        return Self.square(Coordinate(b.minX, b.minY), Coordinate(b.maxX, b.minY), Coordinate(b.maxX, b.maxY), Coordinate(b.minX, b.maxY))
    }

    private static func square(_ sw: Coordinate, _ se: Coordinate, _ ne: Coordinate, _ nw: Coordinate) -> Geometry {
        .polygon([[sw, se, ne, nw, sw]])
    }

    /// The polygons of `cells` (grid indices in ascending order) in the CRS `transformer` gives:
    /// the coordinates of `cellPolygon` transformed, each lattice corner once for all the cells
    /// that share it (a national 250 m grid has millions of cells and five times as many
    /// polygon vertices). The corners are transformed a row of the lattice at a time, over the
    /// columns the cells on either side of the row span.
    public func cellPolygons(_ cells: [Int], transformer: Transformer) throws -> [Geometry] {
        if cells.isEmpty { return [] }
        guard zip(cells, cells.dropFirst()).allSatisfy({ $0 < $1 }), let lowest = cells.first, lowest >= 0,
            let highest = cells.last, highest < cellCount
        else { throw AtlasError("grid cells must be given once each, in ascending order, within the grid") }
        // The cells of each row, as the range of `cells` they take.
        var rowRanges: [Range<Int>] = []
        var start = 0
        for k in 1...cells.count where k == cells.count || cells[k] / columns != cells[start] / columns {
            rowRanges.append(start..<k)
            start = k
        }
        func row(_ range: Range<Int>) -> Int { cells[range.lowerBound] / columns }
        func columnSpan(_ range: Range<Int>) -> ClosedRange<Int> {
            (cells[range.lowerBound] % columns)...(cells[range.upperBound - 1] % columns + 1)
        }
        func latticeRow(_ r: Int, _ span: ClosedRange<Int>) throws -> (first: Int, corners: [Coordinate]) {
            var corners = span.map { corner($0, r) }
            try transformer.transform(&corners)
            return (span.lowerBound, corners)
        }
        var polygons: [Geometry] = []
        polygons.reserveCapacity(cells.count)
        var below = try latticeRow(row(rowRanges[0]), columnSpan(rowRanges[0]))
        for (k, range) in rowRanges.enumerated() {
            let r = row(range)
            if k > 0 && row(rowRanges[k - 1]) != r - 1 { below = try latticeRow(r, columnSpan(range)) }
            // The lattice row above serves the cells of the next row too.
            var span = columnSpan(range)
            if k + 1 < rowRanges.count, row(rowRanges[k + 1]) == r + 1 {
                let next = columnSpan(rowRanges[k + 1])
                span = min(span.lowerBound, next.lowerBound)...max(span.upperBound, next.upperBound)
            }
            let above = try latticeRow(r + 1, span)
            for cell in cells[range] {
                let c = cell % columns
                polygons.append(Self.square(
                    below.corners[c - below.first], below.corners[c + 1 - below.first],
                    above.corners[c + 1 - above.first], above.corners[c - above.first]))
            }
            below = above
        }
        return polygons
    }

    /// SCB's `rutid`: easting (6 digits) and northing (7 digits) of the cell's south-west corner,
    /// zero-padded, as `%06ld%07ld` writes them (wider when a number needs more digits). Written
    /// digit by digit: a national grid has millions of cells, and `String(format:)` is slow.
    public func rutid(_ index: Int) -> String {
        let b = cellBounds(index)
        var digits: [UInt8] = []
        digits.reserveCapacity(13)
        Self.appendPadded(Self.saturated(b.minX.rounded()), width: 6, to: &digits)
        Self.appendPadded(Self.saturated(b.minY.rounded()), width: 7, to: &digits)
        return String(decoding: digits, as: UTF8.self)
    }

    /// `n` in decimal, a minus sign first when negative, zero-padded to `width` characters.
    private static func appendPadded(_ n: Int, width: Int, to out: inout [UInt8]) {
        var reversed: [UInt8] = []
        var magnitude = n.magnitude
        repeat {
            reversed.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        if n < 0 { out.append(UInt8(ascii: "-")) }
        let padding = width - reversed.count - (n < 0 ? 1 : 0)
        if padding > 0 { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: padding)) }
        out.append(contentsOf: reversed.reversed())
    }

    /// The grid whose cells the geometries are, when every one is an axis-aligned square of one
    /// size on one lattice and no two are the same cell: the grid and cell index → geometry index.
    public static func cells(of geometries: [Geometry]) -> (grid: RegularGrid, cells: [Int: Int])? {
        var squares: [Bounds] = []
        squares.reserveCapacity(geometries.count)
        for g in geometries {
            guard case .polygon(let rings) = g, rings.count == 1, rings[0].count == 5 || rings[0].count == 4,
                let b = g.bounds
            else { return nil }
            // Every vertex a corner of the bounds: an axis-aligned rectangle.
            guard rings[0].allSatisfy({ ($0.x == b.minX || $0.x == b.maxX) && ($0.y == b.minY || $0.y == b.maxY) }) else { return nil }
            squares.append(b)
        }
        guard let first = squares.first else { return nil }
        let size = first.width
        guard cellSizeRange.contains(size) else { return nil }
        let tolerance = size * 1e-9
        var extent = Bounds.empty
        for b in squares {
            guard abs(b.width - size) <= tolerance, abs(b.height - size) <= tolerance else { return nil }
            extent.extend(b)
        }
        let grid = RegularGrid(
            originX: first.minX - ((first.minX - extent.minX) / size).rounded() * size,
            originY: first.minY - ((first.minY - extent.minY) / size).rounded() * size,
            cellSize: size,
            columns: saturated((extent.width / size).rounded()), rows: saturated((extent.height / size).rounded()))
        // Cells far apart make a lattice too large to index; the general overlay takes them.
        guard (try? grid.validate()) != nil else { return nil }
        var cells: [Int: Int] = [:]
        cells.reserveCapacity(squares.count)
        for (k, b) in squares.enumerated() {
            let column = (b.minX - grid.originX) / size, row = (b.minY - grid.originY) / size
            let c = column.rounded(), r = row.rounded()
            guard abs(column - c) * size <= tolerance * 1e3, abs(row - r) * size <= tolerance * 1e3 else { return nil }
            let index = Int(r) * grid.columns + Int(c)
            guard cells.updateValue(k, forKey: index) == nil else { return nil }
        }
        return (grid, cells)
    }

    /// Area of `polygons` in each cell it touches, as (cell index, area) in index order.
    ///
    /// Recursive: the polygon is clipped to a block of cells; a block it misses is skipped, a
    /// block it covers whole gives every cell its full area, and any other block is halved. The
    /// clipped rings shrink with the blocks, so the cost follows the polygon's boundary, not its
    /// bounding box.
    public func overlay(_ polygons: [[[Coordinate]]]) -> [(cell: Int, area: Double)] {
        var result: [(cell: Int, area: Double)] = []
        var b = Bounds.empty
        for rings in polygons { if let first = rings.first { for c in first { b.extend(c) } } }
        guard !b.isEmpty else { return [] }
        // Clamped to the grid as Doubles first: a polygon far outside must not overflow an Int.
        func index(_ d: Double, _ upper: Int) -> Int { d.isNaN || d <= 0 ? 0 : d >= Double(upper) ? upper : Int(d) }
        let c0 = index(((b.minX - originX) / cellSize).rounded(.down), columns)
        let r0 = index(((b.minY - originY) / cellSize).rounded(.down), rows)
        let c1 = index(((b.maxX - originX) / cellSize).rounded(.up), columns)
        let r1 = index(((b.maxY - originY) / cellSize).rounded(.up), rows)
        guard c0 < c1, r0 < r1 else { return [] }
        subdivide(PolygonClip.clipped(polygons, to: PolygonClip.ConvexWindow(blockBounds(c0, c1, r0, r1))), c0, c1, r0, r1, &result)
        result.sort { $0.cell < $1.cell }
        return result
    }

    private func blockBounds(_ c0: Int, _ c1: Int, _ r0: Int, _ r1: Int) -> Bounds {
        Bounds(
            minX: originX + Double(c0) * cellSize, minY: originY + Double(r0) * cellSize,
            maxX: originX + Double(c1) * cellSize, maxY: originY + Double(r1) * cellSize)
    }

    /// The cells of the block c0..<c1 × r0..<r1 that `inside` (rings already clipped to the
    /// block) covers, with their areas. A block is halved along its longer side, each half
    /// clipped by the one line between them.
    private func subdivide(
        _ inside: [[[Coordinate]]], _ c0: Int, _ c1: Int, _ r0: Int, _ r1: Int,
        _ result: inout [(cell: Int, area: Double)]
    ) {
        guard !inside.isEmpty else { return }
        let area = PolygonClip.area(of: inside)
        guard area > 0 else { return }
        if (c1 - c0) * (r1 - r0) == 1 {
            result.append((r0 * columns + c0, area))
            return
        }
        let block = blockBounds(c0, c1, r0, r1)
        if area >= block.width * block.height * (1 - 1e-12) {
            let cellArea = cellSize * cellSize
            for r in r0..<r1 { for c in c0..<c1 { result.append((r * columns + c, cellArea)) } }
            return
        }
        if c1 - c0 >= r1 - r0 {
            let mid = (c0 + c1) / 2, x = originX + Double(mid) * cellSize
            subdivide(PolygonClip.clipped(inside, to: .init(vertical: true, value: x, below: true)), c0, mid, r0, r1, &result)
            subdivide(PolygonClip.clipped(inside, to: .init(vertical: true, value: x, below: false)), mid, c1, r0, r1, &result)
        } else {
            let mid = (r0 + r1) / 2, y = originY + Double(mid) * cellSize
            subdivide(PolygonClip.clipped(inside, to: .init(vertical: false, value: y, below: true)), c0, c1, r0, mid, &result)
            subdivide(PolygonClip.clipped(inside, to: .init(vertical: false, value: y, below: false)), c0, c1, mid, r1, &result)
        }
    }
}
