import Foundation
import Testing

@testable import Atlas

@Suite("Porto Alegre roads: islands, and a line layer noded at shared vertices")
struct PortoAlegreNetworkTests {
    static let pbf = TestData.shared("porto-alegre/poa_osm.pbf")

    static func inputs() throws -> HealthcareAccess.Inputs {
        HealthcareAccess.Inputs(
            origins: try GeoJSONReader.read(path: TestData.shared("porto-alegre/poa_hexgrid.geojson")),
            populationField: "population", originId: "id",
            destinations: try GeoJSONReader.read(path: TestData.shared("porto-alegre/poa_healthcare.geojson")),
            destinationId: "hex_id")
    }

    /// The roads of the PBF as a line layer in lon/lat that is never split at junctions: one
    /// line per run of segments that follow on from each other with the same speeds, which is
    /// each OSM way (two ways may join into one line where one starts at the other's end),
    /// with the speeds along and against it in `speed_f` and `speed_b` (0 where closed).
    static func unsplitLines(_ roads: OSMRoads) -> Layer {
        var features: [Feature] = []
        var line: [Coordinate] = []
        var speeds = (Float(0), Float(0))
        func flush() {
            if line.count >= 2 {
                features.append(Feature(geometry: .lineString(line), values: [.double(Double(speeds.0)), .double(Double(speeds.1))]))
            }
            line = []
        }
        let s = roads.segments
        for k in 0..<s.count {
            let here = (s.forwardSpeed[k], s.backwardSpeed[k])
            if k == 0 || s.start[k] != s.end[k - 1] || here != speeds { flush() }
            if line.isEmpty { line.append(roads.coordinates[Int(s.start[k])]) }
            line.append(roads.coordinates[Int(s.end[k])])
            speeds = here
        }
        flush()
        return Layer(
            source: "poa_ways.geojson", format: "GeoJSON", crs: .wgs84,
            fields: [Field("speed_f", .real), Field("speed_b", .real)], features: features)
    }

    static func minutes(_ outputs: HealthcareAccess.Outputs) throws -> [Double?] {
        try outputs.cells.values(of: "minutes").map(\.number)
    }

    @Test func walkIslandsAreTheStrongComponentsScipyFinds() throws {
        let graph = try RoadGraph.openStreetMap(path: Self.pbf, mode: .walk, session: try Session())
        let components = RoadComponents(graph)
        let snappable = components.snappable(graph, minimumNodes: 200)
        // scipy.sparse.csgraph.connected_components(connection="strong") on the same 37,934
        // nodes (Scripts/access_walk_check.py CELLS --components): 56 components, the largest
        // 37,389, and 522 segments outside it.
        #expect(components.count == 56)
        #expect(components.sizes.max() == 37_389)
        #expect(snappable.islands.keptComponents == 1)
        #expect(snappable.islands.leftOutComponents == 55)
        #expect(snappable.islands.leftOutNodes == 37_934 - 37_389)
        #expect(snappable.islands.leftOutSegments == 522)
    }

    static func unreachablePopulation(_ outputs: HealthcareAccess.Outputs) throws -> Double? {
        try outputs.areas.values(of: "population_unreachable")[0].number
    }

    @Test func walkingIslandsLeftOutMoveOriginsOntoTheConnectedNetwork() throws {
        let graph = try RoadGraph.openStreetMap(path: Self.pbf, mode: .walk, session: try Session())
        let inputs = try Self.inputs()
        let before = try HealthcareAccess(search: NearestFacility(minComponentNodes: 1)).run(graph: graph, inputs: inputs, session: try Session())
        let after = try HealthcareAccess().run(graph: graph, inputs: inputs, session: try Session())
        // Scripts/access_walk_check.py computes both independently (scipy's strong components,
        // shapely snapping onto the segments of the kept ones) and agrees cell by cell:
        // 1,210 of 1,227 cells reached when every component is kept, 1,216 with the rule.
        #expect(try Self.minutes(before).compactMap { $0 }.count == 1_210)
        #expect(try Self.minutes(after).compactMap { $0 }.count == 1_216)
        #expect(try Self.unreachablePopulation(before) == 2_256)
        #expect(try Self.unreachablePopulation(after) == 958)
        #expect(after.result.originsMovedOffIslands.count == 14)
        // 11 cells have only island streets within 1000 m: 5 on Ilha da Pintada, whose 151
        // nodes and own care point are not joined to the city in this extract (827 people,
        // reached in 0.8–11.7 min when every component is kept), and 6 on other islands of the
        // delta that no care point could be reached from anyway.
        #expect(after.result.originsStrandedOnIslands.count == 11)
        let snap = try after.cells.values(of: "snap_m")
        #expect(snap.filter(\.isNull).count == after.result.originsStrandedOnIslands.count + after.result.unsnappedOrigins.count)
    }

    @Test func unsplitWalkingLinesNodedAtSharedVerticesGiveThePBFMinutes() throws {
        let roads = try OSMRoads.read(path: Self.pbf, mode: .walk)
        let lines = Self.unsplitLines(roads)
        let pbf = try RoadGraph.openStreetMap(path: Self.pbf, mode: .walk, session: try Session())
        let noded = try RoadGraph.lineLayer(lines, options: LineNetworkOptions(mode: .walk), session: try Session())
        // scipy's cKDTree.query_pairs finds 24 pairs of distinct OSM nodes less than 0.5 m
        // apart; joining them removes 22 nodes and the 21 segments between them (all shorter
        // than 0.5 m), and no cell's minutes change.
        #expect(lines.features.count == 13_763)
        #expect(noded.nodeCount == pbf.nodeCount - 22)
        #expect(noded.segmentCount == pbf.segmentCount - 21)
        let inputs = try Self.inputs()
        let fromPBF = try Self.minutes(try HealthcareAccess().run(graph: pbf, inputs: inputs, session: try Session()))
        let fromLines = try Self.minutes(try HealthcareAccess().run(graph: noded, inputs: inputs, session: try Session()))
        #expect(fromLines == fromPBF)
        #expect(fromLines.compactMap { $0 }.count == 1_216)

        // Joined at line ends only, most junctions are missing: with every component kept,
        // 791 cells are reached instead of the 1,210 the PBF graph reaches that way.
        let ends = try RoadGraph.lineLayer(lines, options: LineNetworkOptions(mode: .walk, junctions: .ends), session: try Session())
        let keepAll = HealthcareAccess(search: NearestFacility(minComponentNodes: 1))
        #expect(try Self.minutes(try keepAll.run(graph: ends, inputs: inputs, session: try Session())).compactMap { $0 }.count == 791)
        #expect(try Self.minutes(try keepAll.run(graph: pbf, inputs: inputs, session: try Session())).compactMap { $0 }.count == 1_210)
    }

    @Test func unsplitCarLinesWithSpeedsPerDirectionGiveThePBFMinutes() throws {
        let roads = try OSMRoads.read(path: Self.pbf, mode: .car)
        let lines = Self.unsplitLines(roads)
        // One-way streets carry 0 against their direction.
        #expect(lines.features.contains { $0.values[1] == .double(0) })
        let pbf = try RoadGraph.openStreetMap(path: Self.pbf, mode: .car, session: try Session())
        let noded = try RoadGraph.lineLayer(
            lines, options: LineNetworkOptions(mode: .car, speedField: "speed_f", backwardSpeedField: "speed_b"), session: try Session())
        let inputs = try Self.inputs()
        let fromPBF = try Self.minutes(try HealthcareAccess().run(graph: pbf, inputs: inputs, session: try Session()))
        let fromLines = try Self.minutes(try HealthcareAccess().run(graph: noded, inputs: inputs, session: try Session()))
        #expect(fromLines.map { $0 == nil } == fromPBF.map { $0 == nil })
        // Speeds pass through Float in both graphs; the one difference is a cell whose route
        // crossed one of the sub-0.5 m segments the noding joins, 4.8e-7 min (0.03 ms) shorter.
        let differences = zip(fromLines, fromPBF).compactMap { a, b in a.flatMap { a in b.map { abs(a - $0) } } }
        #expect(differences.filter { $0 > 0 }.count == 1)
        #expect(differences.max()! < 1e-6)
        #expect(fromLines.compactMap { $0 }.count == 1_214)
    }
}
