import Foundation

/// Where a road network comes from: an OSM PBF file or a line layer, read into a `RoadGraph`
/// in a metric CRS (SWEREF 99 TM in Sweden, the UTM zone elsewhere).
public enum RoadNetworkFormat: String, Sendable, CaseIterable {
    case pbf, lines

    /// `.pbf` files are OSM; anything else is read as a line layer.
    public static func guess(path: String) -> RoadNetworkFormat {
        path.lowercased().hasSuffix(".pbf") ? .pbf : .lines
    }
}

extension RoadGraph {
    /// Reads an OSM PBF file for `mode` and projects it to the metric CRS of its extent; the
    /// nodes are numbered in `order` (see `NodeOrder`).
    public static func openStreetMap(path: String, mode: TravelMode, session: Session, order: NodeOrder = .spatial) throws -> RoadGraph {
        let roads = try OSMRoads.read(path: path, mode: mode, diagnostics: session.diagnostics)
        guard !roads.coordinates.isEmpty else {
            throw AtlasError(file: path, "no roads usable by \(mode.rawValue) in the file")
        }
        if roads.missingNodeCount > 0 {
            session.diagnostics.warning("\(path): \(roads.missingNodeCount) nodes referenced by roads are not in the file (a clipped extract); their road pieces are left out")
        }
        var extent = Bounds.empty
        for c in roads.coordinates { extent.extend(c) }
        let crs = MetricCRS.choose(forLonLatBounds: extent)
        do {
            return try roads.graph(crs: crs, order: order) { try projectOnAllCores(&$0, to: crs) }
        } catch let error as AtlasError {
            throw error.inFile(path)
        }
    }

    /// Lon/lat coordinates to `crs` in place, in consecutive ranges on all cores
    /// (`ParallelRanges`, as `Layer.reprojected`), each with a PROJ context of its own (a
    /// transformer belongs to one thread). PROJ transforms each point by itself, so the result
    /// is that of one batch; an error names the first coordinate that fails.
    static func projectOnAllCores(_ coordinates: inout [Coordinate], to crs: CRS) throws {
        let all = coordinates
        let parts = try ParallelRanges.map(all.count, minimumSize: 65536) { _, range in
            Result {
                var part = Array(all[range])
                let transformer = try Transformer(from: .wgs84, to: crs, context: try PROJContext())
                if let bad = transformer.transformReportingFailure(&part) {
                    throw transformer.failure("coordinate \(range.lowerBound + bad + 1) cannot be transformed from \(CRS.wgs84.label) to \(crs.label)")
                }
                return part
            }
        }
        coordinates.removeAll(keepingCapacity: true)
        for part in parts { coordinates += try part.get() }
    }

    /// Builds the graph from a line layer, first projected to its metric CRS; the nodes are
    /// numbered in `order`.
    public static func lineLayer(_ layer: Layer, options: LineNetworkOptions, session: Session, order: NodeOrder = .spatial) throws -> RoadGraph {
        let metric = try layer.toMetric(context: session.proj)
        var report = LineNetworkReport()
        let graph: RoadGraph
        do {
            graph = try RoadGraph(lines: metric, options: options, report: &report, order: order)
        } catch let error as AtlasError {
            throw error.inFile(layer.source)
        }
        if !report.recordsWithoutSpeed.isEmpty, let forward = options.speedField, let backward = options.backwardSpeedField {
            let first = report.recordsWithoutSpeed.prefix(5).map(String.init).joined(separator: ", ")
            session.diagnostics.warning(
                "\(layer.source): \(report.recordsWithoutSpeed.count) lines have no speed in either direction ('\(forward)', '\(backward)') and are left out (first records: \(first))")
        }
        return graph
    }
}
