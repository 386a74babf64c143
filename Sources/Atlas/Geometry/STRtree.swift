/// A packed sort-tile-recursive R-tree over bounding boxes that answers with the indices of the
/// boxes it was built from. Pure Swift and immutable, so unlike GEOS's tree it is `Sendable`:
/// build it once and share it read-only between tasks. Filter its candidates with an exact test
/// (e.g. `PreparedGeometry`), since it only compares boxes.
public struct STRtree: Sendable {
    /// How many boxes were given, including empty ones (which are never returned).
    public let count: Int
    public let nodeCapacity: Int
    /// All entries, level by level from the leaves (the item boxes in tree order) up to the root.
    private let boxes: [Bounds]
    /// For a leaf entry the item index; for a node the position of its first child.
    private let first: [Int]
    /// For a node the position after its last child; unused for leaves.
    private let end: [Int]
    private let leafCount: Int
    private let stackCapacity: Int

    public init(_ bounds: [Bounds], nodeCapacity: Int = 16) {
        precondition(nodeCapacity >= 2, "an R-tree node needs room for two children")
        self.count = bounds.count
        self.nodeCapacity = nodeCapacity
        var level: [Entry] = []
        level.reserveCapacity(bounds.count)
        for (i, b) in bounds.enumerated() where b.minX <= b.maxX && b.minY <= b.maxY {
            level.append(Entry(bounds: b, first: i, end: -1))
        }
        STRtree.tile(&level, nodeCapacity)
        self.leafCount = level.count
        var entries = level
        var levels = 1
        var levelStart = 0
        while level.count > 1 {
            var parents: [Entry] = []
            parents.reserveCapacity((level.count + nodeCapacity - 1) / nodeCapacity)
            for start in stride(from: 0, to: level.count, by: nodeCapacity) {
                let stop = min(start + nodeCapacity, level.count)
                var b = Bounds.empty
                for e in level[start..<stop] { b.extend(e.bounds) }
                parents.append(Entry(bounds: b, first: levelStart + start, end: levelStart + stop))
            }
            levelStart = entries.count
            // Reordering parents keeps each one's children contiguous: they point at them.
            STRtree.tile(&parents, nodeCapacity)
            entries.append(contentsOf: parents)
            level = parents
            levels += 1
        }
        self.boxes = entries.map(\.bounds)
        self.first = entries.map(\.first)
        self.end = entries.map(\.end)
        self.stackCapacity = levels * nodeCapacity + 1
    }

    /// Indices of the boxes that intersect `query` (touching counts), in ascending order.
    public func query(_ query: Bounds) -> [Int] {
        var found: [Int] = []
        forEach(intersecting: query) { found.append($0) }
        return found.sorted()
    }

    /// Calls `body` with the index of each box that intersects `query`, in tree order,
    /// without allocating.
    public func forEach(intersecting query: Bounds, _ body: (Int) throws -> Void) rethrows {
        guard let root = boxes.indices.last else { return }
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: stackCapacity) { stack in
            stack[0] = root
            var top = 1
            while top > 0 {
                top -= 1
                let e = stack[top]
                guard boxes[e].intersects(query) else { continue }
                if e < leafCount {
                    try body(first[e])
                } else {
                    for child in first[e]..<end[e] {
                        stack[top] = child
                        top += 1
                    }
                }
            }
        }
    }

    /// The index of the box nearest to `c` (0 when `c` is inside it) within `maxDistance`,
    /// ties going to the first found. For points this is the nearest point.
    public func nearest(to c: Coordinate, maxDistance: Double = .infinity) -> Int? {
        search(c, maxDistance, refine: false) { _ in 0 }?.index
    }

    /// The nearest item by an exact distance that is never less than the box distance (such as
    /// the distance to the line inside the box), searched best-first so only nearby items are
    /// measured.
    public func nearest(
        to c: Coordinate, maxDistance: Double = .infinity, exactDistance: (Int) throws -> Double
    ) rethrows -> (index: Int, distance: Double)? {
        try search(c, maxDistance, refine: true, exactDistance)
    }

    private func search(
        _ c: Coordinate, _ maxDistance: Double, refine: Bool, _ exactDistance: (Int) throws -> Double
    ) rethrows -> (index: Int, distance: Double)? {
        guard let root = boxes.indices.last else { return nil }
        var queue = MinQueue()
        queue.push(Candidate(distance: boxDistance(c, boxes[root]), entry: root, exact: false))
        while let best = queue.pop() {
            if best.distance > maxDistance { return nil }
            if best.entry >= leafCount {
                for child in first[best.entry]..<end[best.entry] {
                    let d = boxDistance(c, boxes[child])
                    if d <= maxDistance { queue.push(Candidate(distance: d, entry: child, exact: false)) }
                }
            } else if best.exact || !refine {
                return (first[best.entry], best.distance)
            } else {
                queue.push(Candidate(distance: try exactDistance(first[best.entry]), entry: best.entry, exact: true))
            }
        }
        return nil
    }

    private func boxDistance(_ c: Coordinate, _ b: Bounds) -> Double {
        let dx = max(b.minX - c.x, 0, c.x - b.maxX)
        let dy = max(b.minY - c.y, 0, c.y - b.maxY)
        return (dx * dx + dy * dy).squareRoot()
    }

    private struct Candidate {
        var distance: Double
        var entry: Int
        var exact: Bool

        /// Ordered by distance, then by position so that results do not depend on heap order.
        func precedes(_ other: Candidate) -> Bool {
            distance < other.distance || (distance == other.distance && entry < other.entry)
        }
    }

    /// A binary min-heap of search candidates.
    private struct MinQueue {
        private var items: [Candidate] = []

        mutating func push(_ c: Candidate) {
            items.append(c)
            var i = items.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard items[i].precedes(items[parent]) else { break }
                items.swapAt(i, parent)
                i = parent
            }
        }

        mutating func pop() -> Candidate? {
            guard let top = items.first else { return nil }
            let last = items.removeLast()
            if !items.isEmpty {
                items[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var smallest = i
                    if l < items.count, items[l].precedes(items[smallest]) { smallest = l }
                    if r < items.count, items[r].precedes(items[smallest]) { smallest = r }
                    if smallest == i { break }
                    items.swapAt(i, smallest)
                    i = smallest
                }
            }
            return top
        }
    }

    private struct Entry {
        var bounds: Bounds
        var first: Int
        var end: Int
    }

    /// Sort-tile-recursive order: vertical slices by centre x, each sorted by centre y, so that
    /// runs of `capacity` entries are spatially compact.
    private static func tile(_ entries: inout [Entry], _ capacity: Int) {
        let n = entries.count
        guard n > capacity else { return }
        let nodes = (n + capacity - 1) / capacity
        let slices = Int(Double(nodes).squareRoot().rounded(.up))
        let perSlice = ((nodes + slices - 1) / slices) * capacity
        entries.sort { $0.bounds.minX + $0.bounds.maxX < $1.bounds.minX + $1.bounds.maxX }
        for start in stride(from: 0, to: n, by: perSlice) {
            entries[start..<min(start + perSlice, n)].sort {
                $0.bounds.minY + $0.bounds.maxY < $1.bounds.minY + $1.bounds.maxY
            }
        }
    }
}
