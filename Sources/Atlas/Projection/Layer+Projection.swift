extension Layer {
    /// The layer with every geometry transformed to `target`: the features in ranges on all
    /// cores, each range's coordinates in one PROJ batch with a PROJ context of its worker's
    /// (`context` serves a layer small enough for one range).
    /// A layer read without a CRS (a shapefile without `.prj`) cannot be reprojected.
    public func reprojected(to target: CRS, context: PROJContext? = nil) throws -> Layer {
        let crs = try requireCRS()
        if crs == target { return self }
        var geometries: [Geometry?] = []
        if features.count < 2 * Self.reprojectedRange {
            geometries = try reprojected(features.indices, Transformer(from: crs, to: target, context: context))
        } else {
            let ranges = try ParallelRanges.map(features.count, minimumSize: Self.reprojectedRange) { _, range in
                Result { try reprojected(range, Transformer(from: crs, to: target, context: PROJContext())) }
            }
            geometries.reserveCapacity(features.count)
            for range in ranges { geometries += try range.get() }
        }
        var copy = self
        for i in copy.features.indices { copy.features[i].geometry = geometries[i] }
        copy.crs = target
        return copy
    }

    /// The fewest features `reprojected` gives a worker of its own.
    private static let reprojectedRange = 32_768

    /// The geometries of the features in `range`, transformed in one batch; the error names the
    /// record of the first coordinate PROJ could not transform.
    private func reprojected(_ range: Range<Int>, _ transformer: Transformer) throws -> [Geometry?] {
        var coordinates: [Coordinate] = []
        var firstCoordinate: [Int] = []
        firstCoordinate.reserveCapacity(range.count + 1)
        for feature in features[range] {
            firstCoordinate.append(coordinates.count)
            feature.geometry?.forEachCoordinate { coordinates.append($0) }
        }
        firstCoordinate.append(coordinates.count)
        if let bad = transformer.transformReportingFailure(&coordinates, repeated: coordinatesRepeat(in: range)) {
            var error = transformer.failure("cannot be transformed from \(transformer.source.label) to \(transformer.target.label)")
            error.file = source
            error.record = range.lowerBound + (firstCoordinate.lastIndex { $0 <= bad } ?? 0) + 1
            throw error
        }
        var next = 0
        return features[range].map { feature in
            feature.geometry?.mapCoordinates { _ in
                defer { next += 1 }
                return coordinates[next]
            }
        }
    }

    /// Whether the features in `range` are likely to share coordinates, so that transforming
    /// each distinct one once pays: polygons and lines share their corners and edges with their
    /// neighbours, points seldom repeat.
    func coordinatesRepeat(in range: Range<Int>) -> Bool {
        features[range].contains { feature in
            switch feature.geometry {
            case .point?, .multiPoint?, nil: false
            default: true
            }
        }
    }

    /// The layer in the metric CRS `MetricCRS` picks for its extent: SWEREF 99 TM in Sweden,
    /// else the UTM zone of its centre.
    public func toMetric(context: PROJContext? = nil) throws -> Layer {
        let context = try context ?? PROJContext()
        let metric = try metricCRS(context: context)
        guard metric.transform else {
            var copy = self
            copy.crs = metric.crs
            return copy
        }
        return try reprojected(to: metric.crs, context: context)
    }

    /// The metric CRS `toMetric` moves the layer to, and whether its coordinates must be
    /// transformed to get there (not when the layer is already in that CRS, perhaps by another name).
    public func metricCRS(context: PROJContext? = nil) throws -> (crs: CRS, transform: Bool) {
        let context = try context ?? PROJContext()
        let crs = try requireCRS()
        let extent: Bounds?
        do {
            extent = try lonLatBounds(context: context)
        } catch let error as AtlasError {
            throw featureOffEarth(context: context) ?? error
        }
        guard let extent else {
            throw AtlasError(file: source, "no geometries to choose a metric CRS from")
        }
        // A metric CRS is chosen by where the data lies: a coordinate that is nowhere on Earth
        // (a longitude of 1e300) is an error naming its record, not a zone. PROJ's transform of
        // a box passes over points it cannot transform, so the corners are also taken one by one.
        let onEarth = try MetricCRS.isOnEarth(extent) && cornersTransform(context: context)
        if !onEarth, let error = featureOffEarth(context: context) { throw error }
        let metric = MetricCRS.choose(forLonLatBounds: extent)
        let info: CRSInfo
        do { info = try crs.info(context: context) } catch let error as AtlasError { throw error.inFile(source) }
        return (metric, info.epsg != metric.literalEPSG)
    }

    /// The extent in WGS 84 lon/lat, nil when the layer has no coordinates.
    public func lonLatBounds(context: PROJContext? = nil) throws -> Bounds? {
        let crs = try requireCRS()
        guard let extent = bounds else { return nil }
        if crs == .wgs84 { return extent }
        do {
            return try Transformer(from: crs, to: .wgs84, context: context).transform(extent)
        } catch let error as AtlasError {
            throw error.inFile(source)
        }
    }

    /// Whether each corner of the extent transforms to a longitude/latitude on Earth.
    private func cornersTransform(context: PROJContext) throws -> Bool {
        guard let crs, crs != .wgs84, let b = bounds else { return true }
        let transformer = try Transformer(from: crs, to: .wgs84, context: context)
        for corner in [Coordinate(b.minX, b.minY), Coordinate(b.maxX, b.minY), Coordinate(b.maxX, b.maxY), Coordinate(b.minX, b.maxY)] {
            guard let c = try? transformer.transform(corner), MetricCRS.isOnEarth(Bounds(minX: c.x, minY: c.y, maxX: c.x, maxY: c.y))
            else { return false }
        }
        return true
    }

    /// The first feature with a coordinate that is not a longitude/latitude on Earth, or that
    /// PROJ cannot take there, as an error naming its record.
    func featureOffEarth(context: PROJContext) -> AtlasError? {
        let lonLat: Layer
        do {
            lonLat = try reprojected(to: .wgs84, context: context)
        } catch let error as AtlasError {
            return error
        } catch {
            return nil
        }
        for (i, feature) in lonLat.features.enumerated() {
            var off: Coordinate?
            feature.geometry?.forEachCoordinate { c in
                if off == nil, !(c.x >= -180 && c.x <= 180 && c.y >= -90 && c.y <= 90) { off = c }
            }
            if let off {
                return AtlasError(
                    file: source, record: i + 1,
                    "the position (\(off.x), \(off.y)) is outside longitude −180…180, latitude −90…90")
            }
        }
        return nil
    }

    func requireCRS() throws -> CRS {
        guard let crs else {
            let guess = bounds.flatMap { CoordinateFit.guess(extent: $0) }
            throw AtlasError(
                file: source,
                "the layer has no coordinate reference system (no .prj); give one with --crs"
                    + (guess.map { ": the coordinates look like \($0.description)" } ?? ""))
        }
        return crs
    }
}
