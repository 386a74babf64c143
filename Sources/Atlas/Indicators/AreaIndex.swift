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

extension Layer {
    /// Where each feature stands as one point: a point as it is, anything else by its centroid;
    /// nil for a feature without geometry or with an empty one.
    func centroids(context: GEOSContext) throws -> [Coordinate?] {
        try features.enumerated().map { i, feature in
            guard let geometry = feature.geometry else { return nil }
            if case .point(let c) = geometry { return c }
            do {
                let centroid = try GEOSGeometry(geometry, context: context).centroid
                if try centroid.isEmpty { return nil }
                return try centroid.toGeometry().points.first
            } catch let error as AtlasError {
                throw AtlasError(file: source, record: i + 1, error.message)
            }
        }
    }
}
