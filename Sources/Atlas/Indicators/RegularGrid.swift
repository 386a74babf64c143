import Foundation

/// A lattice of square cells in a metric CRS, such as SCB's 250 m and 1 km grids whose cells
/// have corners at multiples of the cell size in SWEREF 99 TM. Cells are numbered row by row
/// from the south-west: index = row × columns + column.
public struct RegularGrid: Sendable, Hashable {
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

    /// The smallest grid aligned to multiples of `cellSize` that covers `bounds`.
    public init(covering bounds: Bounds, cellSize: Double) {
        let minX = (bounds.minX / cellSize).rounded(.down) * cellSize
        let minY = (bounds.minY / cellSize).rounded(.down) * cellSize
        let maxX = (bounds.maxX / cellSize).rounded(.up) * cellSize
        let maxY = (bounds.maxY / cellSize).rounded(.up) * cellSize
        self.init(
            originX: minX, originY: minY, cellSize: cellSize,
            columns: max(1, Int(((maxX - minX) / cellSize).rounded())),
            rows: max(1, Int(((maxY - minY) / cellSize).rounded())))
    }

    public var cellCount: Int { columns * rows }

    public func cellBounds(_ index: Int) -> Bounds {
        let column = index % columns, row = index / columns
        let x = originX + Double(column) * cellSize, y = originY + Double(row) * cellSize
        return Bounds(minX: x, minY: y, maxX: x + cellSize, maxY: y + cellSize)
    }

    public func cellPolygon(_ index: Int) -> Geometry {
        let b = cellBounds(index)
        return .polygon([[
            Coordinate(b.minX, b.minY), Coordinate(b.maxX, b.minY), Coordinate(b.maxX, b.maxY),
            Coordinate(b.minX, b.maxY), Coordinate(b.minX, b.minY),
        ]])
    }

    /// SCB's `rutid`: easting (6 digits) and northing (7 digits) of the cell's south-west corner.
    public func rutid(_ index: Int) -> String {
        let b = cellBounds(index)
        let e = Int(b.minX.rounded()), n = Int(b.minY.rounded())
        return String(format: "%06d%07d", e, n)
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
        guard size > 0 else { return nil }
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
            columns: Int((extent.width / size).rounded()), rows: Int((extent.height / size).rounded()))
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
        let c0 = max(0, Int(((b.minX - originX) / cellSize).rounded(.down)))
        let r0 = max(0, Int(((b.minY - originY) / cellSize).rounded(.down)))
        let c1 = min(columns, Int(((b.maxX - originX) / cellSize).rounded(.up)))
        let r1 = min(rows, Int(((b.maxY - originY) / cellSize).rounded(.up)))
        guard c0 < c1, r0 < r1 else { return [] }
        subdivide(polygons, c0, c1, r0, r1, &result)
        result.sort { $0.cell < $1.cell }
        return result
    }

    private func subdivide(
        _ polygons: [[[Coordinate]]], _ c0: Int, _ c1: Int, _ r0: Int, _ r1: Int,
        _ result: inout [(cell: Int, area: Double)]
    ) {
        let block = Bounds(
            minX: originX + Double(c0) * cellSize, minY: originY + Double(r0) * cellSize,
            maxX: originX + Double(c1) * cellSize, maxY: originY + Double(r1) * cellSize)
        let window = PolygonClip.ConvexWindow(block)
        let cells = (c1 - c0) * (r1 - r0)
        if cells == 1 {
            let a = PolygonClip.area(of: polygons, in: window)
            if a > 0 { result.append((r0 * columns + c0, a)) }
            return
        }
        let inside = PolygonClip.clipped(polygons, to: window)
        guard !inside.isEmpty else { return }
        let area = PolygonClip.area(of: inside, in: window)
        guard area > 0 else { return }
        let blockArea = block.width * block.height
        if area >= blockArea * (1 - 1e-12) {
            let cellArea = cellSize * cellSize
            for r in r0..<r1 { for c in c0..<c1 { result.append((r * columns + c, cellArea)) } }
            return
        }
        if c1 - c0 >= r1 - r0 {
            let mid = (c0 + c1) / 2
            subdivide(inside, c0, mid, r0, r1, &result)
            subdivide(inside, mid, c1, r0, r1, &result)
        } else {
            let mid = (r0 + r1) / 2
            subdivide(inside, c0, c1, r0, mid, &result)
            subdivide(inside, c0, c1, mid, r1, &result)
        }
    }
}
