import Testing
@testable import Atlas

@Suite struct TransitGeneralPathTests {
    /// Per area (population, population near) by the general path, written here with GEOS
    /// throughout: the population layer projected whole (`toMetric`), each cell's GEOS centroid,
    /// near when within the radius of a qualifying stop (all stops tried), given to the first
    /// area in layer order whose prepared GEOS polygon covers the centroid, summed in cell order.
    static func general(stops: Layer, population: Layer, field: String, areas: Layer, radius: Double) throws -> [[Double]] {
        let context = try GEOSContext()
        let cells = try population.toMetric()
        let metric = try #require(cells.crs)
        let qualifies = try stops.fieldIndex("qualifies")
        let points = try stops.reprojected(to: metric).features.filter { $0.values[qualifies] == .bool(true) }
            .flatMap { $0.geometry?.points ?? [] }
        let polygons = try areas.reprojected(to: metric).features.map { try #require($0.geometry) }
        let prepared = try polygons.map { try PreparedGeometry($0, context: context) }
        // Only areas whose box holds a point can cover it; `query` lists them in layer order.
        let boxes = STRtree(try polygons.map { try #require($0.bounds) })
        let people = try cells.values(of: field).map { $0.number ?? 0 }
        var sums = [[Double]](repeating: [0, 0], count: areas.features.count)
        for (i, centroid) in try cells.centroids(context: context).enumerated() {
            let c = try #require(centroid)
            let near = points.contains { ($0.x - c.x) * ($0.x - c.x) + ($0.y - c.y) * ($0.y - c.y) <= radius * radius }
            let candidates = boxes.query(Bounds(minX: c.x, minY: c.y, maxX: c.x, maxY: c.y))
            guard let area = try candidates.first(where: { try prepared[$0].coversPoint(c) }) else { continue }
            sums[area][0] += people[i]
            sums[area][1] += people[i] * (near ? 1 : 0)
        }
        return sums
    }

    // The Dalarna 1 km grid (4,004 cells, WGS 84) in the 175 Dalarna DeSO, with the Falun stops
    // that have at least 14 weekday departures: every DeSO's figures are the general path's.
    @Test func dalarnaGridInDeSOMatchesTheGeneralPath() throws {
        let stops = try TransitProximity.qualifyingStops(
            GeoJSONReader.read(path: TestData.shared("falun/falun_hallplatser_avgangar.geojson")),
            departuresField: "genomsnitt_veckodag_avgangar", minDepartures: 14)
        let grid = try GeoJSONReader.read(path: TestData.shared("dalarna/befolkning_1km_2025_dalarna.geojson"))
        let deso = try GeoJSONReader.read(path: TestData.shared("dalarna/deso_2025_dalarna.geojson"))
        let result = try TransitProximity.compute(
            stops: stops, population: grid, populationField: "befolkning_2025", areas: deso, areaId: "desokod", session: try Session())
        let expected = try Self.general(stops: stops, population: grid, field: "befolkning_2025", areas: deso, radius: 500)
        #expect(result.areas.features.map { [$0.values[1].number ?? -1, $0.values[2].number ?? -1] } == expected)
        // Not a vacuous match: most DeSO hold cell centroids (small urban ones hold none of a
        // 1 km grid), and some have people near a Falun stop.
        #expect(expected.filter { $0[0] > 0 }.count > 100)
        #expect(expected.filter { $0[1] > 0 }.count > 10)
    }

    // A run from a stops layer reports its steps in order, reading each input first.
    @Test func aRunTimesEachStep() throws {
        let request = TransitRequest.falun(out: "unused.geojson")
        let session = try Session()
        try request.validate(in: session)
        let result = try request.run(in: session)
        #expect(result.stageSeconds.map(\.stage) == [
            "reading stops", "reading population", "reading areas", "qualifying stops", "projecting", "indexing",
            "distance tests", "area assignment", "fingerprints",
        ])
        #expect(result.stageSeconds.allSatisfy { $0.seconds >= 0 && $0.seconds < 60 })
    }
}
