/// Area polygons behind an STRtree with prepared geometries, for point-in-area lookups.
/// A point on a shared boundary goes to the first area in layer order that covers it.
struct AreaIndex {
    private let tree: STRtree
    private let prepared: [PreparedGeometry]
    /// The layer record of each indexed polygon (features without a polygon are left out).
    private let record: [Int]

    init(_ layer: Layer, context: GEOSContext) throws {
        var bounds: [Bounds] = []
        var prepared: [PreparedGeometry] = []
        var record: [Int] = []
        for (i, feature) in layer.features.enumerated() {
            guard let geometry = feature.geometry, !geometry.polygons.isEmpty, let b = geometry.bounds else { continue }
            do {
                prepared.append(try PreparedGeometry(geometry, context: context))
            } catch let error as AtlasError {
                throw AtlasError(file: layer.source, record: i + 1, error.message)
            }
            bounds.append(b)
            record.append(i)
        }
        tree = STRtree(bounds)
        self.prepared = prepared
        self.record = record
    }

    func area(containing c: Coordinate) throws -> Int? {
        var found: Int?
        try tree.forEach(intersecting: Bounds(minX: c.x, minY: c.y, maxX: c.x, maxY: c.y)) { k in
            guard try prepared[k].coversPoint(c) else { return }
            if found == nil || record[k] < found! { found = record[k] }
        }
        return found
    }
}
