/// Where each feature of a population layer stands in a metric CRS as one point: what
/// `toMetric` followed by `centroids(context:)` gives (a point as it is, anything else by the
/// centroid GEOS computes for the projected geometry), without building the projected layer.
///
/// The features are taken in ranges on all cores. A range's coordinates are projected in one
/// PROJ batch into a scratch buffer (a ring without its closing repeat, which would project to
/// the same place); a polygon without holes is then placed by `PolygonCentroid`, anything else
/// (holes, several parts, lines, a ring without area) is rebuilt from the buffer and left to GEOS.
enum CellCentroids {
    /// One position per feature: nil for a feature without geometry or with an empty one.
    /// With `transform` false the layer is already in `metric` (perhaps under another name).
    static func compute(_ layer: Layer, metric: CRS, transform: Bool) throws -> [Coordinate?] {
        let source = layer.crs ?? metric
        let outcomes = try ParallelRanges.map(layer.features.count) { context, range in
            Self.place(layer, range, from: source, to: transform ? metric : nil, context: context)
        }
        // The errors the sequential path would meet first: a projection error anywhere, then the
        // first record GEOS fails on.
        if let error = outcomes.lazy.compactMap(\.projectionError).first { throw error }
        if let error = outcomes.lazy.compactMap(\.centroidError).first { throw error }
        return outcomes.flatMap(\.centroids)
    }

    struct Outcome: Sendable {
        var centroids: [Coordinate?] = []
        var projectionError: AtlasError?
        var centroidError: AtlasError?
    }

    /// How a feature's coordinates lie in the scratch buffer.
    private enum Shape {
        case none
        case point
        /// A polygon without holes: its ring's vertices, without the closing repeat.
        case simpleRing
        /// Every coordinate in `forEachCoordinate` order.
        case general
    }

    private static func place(_ layer: Layer, _ range: Range<Int>, from source: CRS, to target: CRS?, context: GEOSContext) -> Outcome {
        var outcome = Outcome()
        var buffer: [Coordinate] = []
        var shapes: [Shape] = []
        var first: [Int] = []
        shapes.reserveCapacity(range.count)
        first.reserveCapacity(range.count + 1)
        for i in range {
            first.append(buffer.count)
            switch layer.features[i].geometry {
            case nil:
                shapes.append(.none)
            case .point(let c)?:
                shapes.append(.point)
                buffer.append(c)
            case .polygon(let rings)? where rings.count == 1 && rings[0].count >= 4 && rings[0].first == rings[0].last:
                shapes.append(.simpleRing)
                buffer.append(contentsOf: rings[0].dropLast())
            case let geometry?:
                shapes.append(.general)
                geometry.forEachCoordinate { buffer.append($0) }
            }
        }
        first.append(buffer.count)
        if let target {
            do {
                let transformer = try Transformer(from: source, to: target, context: PROJContext())
                if let bad = transformer.transformReportingFailure(&buffer, repeated: layer.coordinatesRepeat(in: range)) {
                    var error = transformer.failure("cannot be transformed from \(source.label) to \(target.label)")
                    error.file = layer.source
                    error.record = range.lowerBound + (first.lastIndex { $0 <= bad } ?? 0) + 1
                    outcome.projectionError = error
                    return outcome
                }
            } catch {
                outcome.projectionError = error as? AtlasError ?? AtlasError("\(error)")
                return outcome
            }
        }
        outcome.centroids.reserveCapacity(range.count)
        buffer.withUnsafeBufferPointer { projected in
            for (k, i) in range.enumerated() {
                let coordinates = UnsafeBufferPointer(rebasing: projected[first[k]..<first[k + 1]])
                switch shapes[k] {
                case .none:
                    outcome.centroids.append(nil)
                    continue
                case .point:
                    outcome.centroids.append(coordinates[0])
                    continue
                case .simpleRing:
                    if let c = PolygonCentroid.ofRing(vertices: coordinates) {
                        outcome.centroids.append(c)
                        continue
                    }
                case .general:
                    break
                }
                do {
                    let projected = projectedGeometry(layer.features[i].geometry, coordinates, shapes[k])
                    outcome.centroids.append(try projected.centroid(context: context))
                } catch {
                    outcome.centroidError = AtlasError(file: layer.source, record: i + 1, (error as? AtlasError)?.message ?? "\(error)")
                    return
                }
            }
        }
        return outcome
    }

    /// The feature's geometry with the projected coordinates from the buffer.
    private static func projectedGeometry(_ geometry: Geometry?, _ projected: UnsafeBufferPointer<Coordinate>, _ shape: Shape) -> Geometry {
        if case .simpleRing = shape { return .polygon([Array(projected) + [projected[0]]]) }
        var next = 0
        return geometry?.mapCoordinates { _ in
            defer { next += 1 }
            return projected[next]
        } ?? .collection([])
    }
}
