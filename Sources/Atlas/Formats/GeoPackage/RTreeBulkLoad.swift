import Foundation

/// Fills an SQLite R*Tree virtual table (`CREATE VIRTUAL TABLE … USING rtree(id, minx, maxx,
/// miny, maxy)`) in one pass by writing its shadow tables (`_node`, `_rowid`, `_parent`)
/// directly, packed sort-tile-recursive, as GDAL does for GeoPackage indexes: inserting row by
/// row costs SQLite a choose-subtree and split per entry, several times the whole rest of a
/// layer's write.
///
/// The node format is SQLite's (ext/rtree/rtree.c): a node is a blob of the table's node size;
/// 2 bytes of tree depth (read from the root, node 1), 2 bytes of cell count, then cells of an
/// 8-byte id (a row id in a leaf, a child node number above) and the box as four 32-bit floats
/// in column order, all big-endian, minima rounded down and maxima up. SQLite's
/// `rtreecheck()` confirms the result in the tests.
enum RTreeBulkLoad {
    struct Entry {
        var id: Int64
        var minX: Float, maxX: Float, minY: Float, maxY: Float

        init(id: Int64, bounds: Bounds) {
            self.id = id
            minX = Self.down(bounds.minX)
            maxX = Self.up(bounds.maxX)
            minY = Self.down(bounds.minY)
            maxY = Self.up(bounds.maxY)
        }

        init(id: Int64, covering cells: ArraySlice<Entry>) {
            self.id = id
            minX = cells.map(\.minX).min()!
            maxX = cells.map(\.maxX).max()!
            minY = cells.map(\.minY).min()!
            maxY = cells.map(\.maxY).max()!
        }

        /// The largest float not above `d` (SQLite stores boxes as 32-bit floats, rounded outwards).
        static func down(_ d: Double) -> Float {
            let f = Float(d)
            return Double(f) > d ? f.nextDown : f
        }

        static func up(_ d: Double) -> Float {
            let f = Float(d)
            return Double(f) < d ? f.nextUp : f
        }

        var centerX: Float { minX / 2 + maxX / 2 }
        var centerY: Float { minY / 2 + maxY / 2 }
    }

    /// Replaces the content of the (freshly created, empty) R-tree `name` with `entries`.
    static func load(_ entries: [Entry], into name: String, in database: SQLiteDatabase) throws {
        let nodeTable = SQL.identifier(name + "_node")
        guard case .integer(let size)? = try database.scalar("SELECT length(data) FROM \(nodeTable) WHERE nodeno = 1"),
            size >= 4 + 24 * 2
        else { throw AtlasError(file: database.name, "the R-tree \(name) has no root node to replace") }
        let nodeSize = Int(size)
        let capacity = (nodeSize - 4) / 24

        let writeNode = try database.prepare("INSERT OR REPLACE INTO \(nodeTable) (nodeno, data) VALUES (?, ?)")
        let writeRow = try database.prepare("INSERT INTO \(SQL.identifier(name + "_rowid")) (rowid, nodeno) VALUES (?, ?)")
        let writeParent = try database.prepare("INSERT INTO \(SQL.identifier(name + "_parent")) (nodeno, parentnode) VALUES (?, ?)")
        var nextNode: Int64 = 2
        var level = entries
        var depth = 0
        var leaves = true
        // Each pass packs one level into nodes; the pass that fits in one node writes the root.
        while true {
            let groups = level.count <= capacity ? [level[...]] : pack(level, capacity: capacity)
            let isRoot = groups.count == 1
            var parents: [Entry] = []
            parents.reserveCapacity(groups.count)
            for group in groups {
                let node: Int64
                if isRoot {
                    node = 1
                } else {
                    node = nextNode
                    nextNode += 1
                }
                try writeNode.bind(1, .integer(node))
                try writeNode.bind(2, blob: blob(group, depth: isRoot ? depth : 0, size: nodeSize))
                try writeNode.run()
                for cell in group {
                    let link = leaves ? writeRow : writeParent
                    try link.bind(1, .integer(cell.id))
                    try link.bind(2, .integer(node))
                    try link.run()
                }
                if !isRoot, !group.isEmpty { parents.append(Entry(id: node, covering: group)) }
            }
            if isRoot { return }
            // The child-to-parent rows of this level are written when the parents get numbers.
            level = parents
            depth += 1
            leaves = false
        }
    }

    /// Sort-tile-recursive: the cells sorted by x into vertical slices of about √(nodes) nodes
    /// each, every slice sorted by y and cut into nodes of `capacity` cells.
    static func pack(_ cells: [Entry], capacity: Int) -> [ArraySlice<Entry>] {
        let nodes = (cells.count + capacity - 1) / capacity
        let slices = Int(Double(nodes).squareRoot().rounded(.up))
        let perSlice = slices * capacity
        let byX = cells.sorted { $0.centerX < $1.centerX }
        var groups: [ArraySlice<Entry>] = []
        groups.reserveCapacity(nodes)
        var start = 0
        while start < byX.count {
            let slice = byX[start..<min(start + perSlice, byX.count)].sorted { $0.centerY < $1.centerY }
            var k = 0
            while k < slice.count {
                groups.append(slice[k..<min(k + capacity, slice.count)])
                k += capacity
            }
            start += perSlice
        }
        return groups
    }

    static func blob(_ cells: ArraySlice<Entry>, depth: Int, size: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        func append16(_ v: Int) {
            bytes.append(UInt8(truncatingIfNeeded: v >> 8))
            bytes.append(UInt8(truncatingIfNeeded: v))
        }
        append16(depth)
        append16(cells.count)
        for cell in cells {
            withUnsafeBytes(of: cell.id.bigEndian) { bytes.append(contentsOf: $0) }
            for v in [cell.minX, cell.maxX, cell.minY, cell.maxY] {
                withUnsafeBytes(of: v.bitPattern.bigEndian) { bytes.append(contentsOf: $0) }
            }
        }
        bytes.append(contentsOf: repeatElement(0, count: size - bytes.count))
        return bytes
    }
}
