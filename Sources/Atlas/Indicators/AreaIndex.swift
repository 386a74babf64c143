/// Area polygons behind an STR tree, for point-in-area lookups.
/// A point on a shared boundary goes to the first area in layer order that covers it (GEOS's
/// `covers`: inside or on the boundary).
///
/// Points are placed in pure Swift by `PolygonLocator`, which gives GEOS's answer or none; the
/// few points it leaves (within rounding error of an edge) and areas it cannot take (collections)
/// go to GEOS. The polygons are a `Sendable` value (`Areas`) that threads share, each making
/// its own index over them with its own GEOS context. The index is a class so that a lookup's
/// callback from the tree refers to it rather than copying it.
final class AreaIndex {
    struct Areas: Sendable {
        fileprivate let tree: STRtree
        fileprivate let locators: [PolygonLocator?]
        fileprivate let geometries: [Geometry]
        /// The layer record of each indexed polygon (features without a polygon are left out).
        fileprivate let record: [Int]
    }

    let areas: Areas
    private let context: GEOSContext
    /// GEOS's prepared form of the areas asked so far, made in `context` when first needed.
    private let prepared: PreparedAreas

    convenience init(_ layer: Layer, context: GEOSContext) throws {
        var bounds: [Bounds] = []
        var locators: [PolygonLocator?] = []
        var geometries: [Geometry] = []
        var record: [Int] = []
        for (i, feature) in layer.features.enumerated() {
            guard let geometry = feature.geometry, !geometry.polygons.isEmpty, let b = geometry.bounds else { continue }
            // GEOS checks the rings (closed, four positions or more) as it always has.
            do {
                _ = try GEOSGeometry(geometry, context: context)
            } catch let error as AtlasError {
                throw AtlasError(file: layer.source, record: i + 1, error.message)
            }
            bounds.append(b)
            locators.append(PolygonLocator(geometry))
            geometries.append(geometry)
            record.append(i)
        }
        self.init(Areas(tree: STRtree(bounds), locators: locators, geometries: geometries, record: record), context: context)
    }

    /// An index over areas another thread has indexed, answering in this thread's `context`.
    init(_ areas: Areas, context: GEOSContext) {
        self.areas = areas
        self.context = context
        self.prepared = PreparedAreas(count: areas.geometries.count)
    }

    func area(containing c: Coordinate) throws -> Int? {
        var found: Int?
        try areas.tree.forEach(intersecting: Bounds(minX: c.x, minY: c.y, maxX: c.x, maxY: c.y)) { k in
            let record = areas.record[k]
            if let found, found < record { return }
            if try covers(k, c) { found = record }
        }
        return found
    }

    private func covers(_ k: Int, _ c: Coordinate) throws -> Bool {
        switch areas.locators[k]?.locate(c) {
        case .interior?, .boundary?: return true
        case .exterior?: return false
        case nil: return try prepared.geometry(k, of: areas, context: context).coversPoint(c)
        }
    }
}

/// Prepared GEOS geometries of areas, made one by one as they are needed.
private final class PreparedAreas {
    private var made: [PreparedGeometry?]

    init(count: Int) { made = Array(repeating: nil, count: count) }

    func geometry(_ k: Int, of areas: AreaIndex.Areas, context: GEOSContext) throws -> PreparedGeometry {
        if let prepared = made[k] { return prepared }
        let prepared = try PreparedGeometry(areas.geometries[k], context: context)
        made[k] = prepared
        return prepared
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
                return try geometry.centroid(context: context)
            } catch let error as AtlasError {
                throw AtlasError(file: source, record: i + 1, error.message)
            }
        }
    }
}

extension Geometry {
    /// GEOS's centroid; nil for an empty geometry.
    func centroid(context: GEOSContext) throws -> Coordinate? {
        let centroid = try GEOSGeometry(self, context: context).centroid
        if try centroid.isEmpty { return nil }
        return try centroid.toGeometry().points.first
    }
}
