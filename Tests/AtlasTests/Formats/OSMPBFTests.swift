import CZlib
import Foundation
import Testing

@testable import Atlas

/// Writes small OSM PBF files block by block, with the library's protobuf encoder.
struct PBFFixture {
    var bytes: [UInt8] = []

    mutating func block(type: String, payload: [UInt8], blobField: Int = 1) {
        var blob = ProtobufWriter()
        blob.bytesField(blobField, payload)
        if blobField != 1 { blob.varintField(2, UInt64(payload.count)) }
        var header = ProtobufWriter()
        header.stringField(1, type)
        header.varintField(3, UInt64(blob.bytes.count))
        let n = header.bytes.count
        bytes += [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
        bytes += header.bytes + blob.bytes
    }

    mutating func header() {
        var h = ProtobufWriter()
        h.stringField(4, "OsmSchema-V0.6")
        h.stringField(4, "DenseNodes")
        block(type: "OSMHeader", payload: h.bytes)
    }

    /// One data block: dense nodes (id, lon, lat) and ways (id, refs, tags), default granularity 100.
    mutating func data(nodes: [(Int64, Double, Double)], ways: [(Int64, [Int64], [(String, String)])]) {
        var strings = [""]
        func index(_ s: String) -> UInt64 {
            if let i = strings.firstIndex(of: s) { return UInt64(i) }
            strings.append(s)
            return UInt64(strings.count - 1)
        }
        var nodeGroup = ProtobufWriter()
        var dense = ProtobufWriter()
        dense.packedDeltaSint64(1, nodes.map(\.0))
        dense.packedDeltaSint64(8, nodes.map { Int64(($0.2 * 1e7).rounded()) })
        dense.packedDeltaSint64(9, nodes.map { Int64(($0.1 * 1e7).rounded()) })
        nodeGroup.bytesField(2, dense.bytes)
        var wayGroup = ProtobufWriter()
        for (id, refs, tags) in ways {
            var way = ProtobufWriter()
            way.varintField(1, UInt64(id))
            way.packedVarints(2, tags.map { index($0.0) })
            way.packedVarints(3, tags.map { index($0.1) })
            way.packedDeltaSint64(8, refs)
            wayGroup.bytesField(3, way.bytes)
        }
        var table = ProtobufWriter()
        for s in strings { table.stringField(1, s) }
        var primitive = ProtobufWriter()
        primitive.bytesField(1, table.bytes)
        primitive.bytesField(2, nodeGroup.bytes)
        primitive.bytesField(2, wayGroup.bytes)
        block(type: "OSMData", payload: primitive.bytes)
    }

    /// One zlib-compressed data block holding a single way whose `references` node references
    /// each step by 1: a few kilobytes that inflate to megabytes.
    mutating func compressedWay(id: UInt64, references: Int) {
        var way = ProtobufWriter()
        way.varintField(1, id)
        way.packedDeltaSint64(8, [Int64](repeating: 1, count: references))
        var group = ProtobufWriter()
        group.bytesField(3, way.bytes)
        var primitive = ProtobufWriter()
        primitive.bytesField(1, [])
        primitive.bytesField(2, group.bytes)
        let payload = primitive.bytes
        var compressed = [UInt8](repeating: 0, count: payload.count / 100)
        var length = uLong(compressed.count)
        #expect(compress2(&compressed, &length, payload, uLong(payload.count), 9) == Z_OK)
        var blob = ProtobufWriter()
        blob.varintField(2, UInt64(payload.count))
        blob.bytesField(3, Array(compressed[0..<Int(length)]))
        var header = ProtobufWriter()
        header.stringField(1, "OSMData")
        header.varintField(3, UInt64(blob.bytes.count))
        let n = header.bytes.count
        bytes += [0, 0, UInt8(n >> 8), UInt8(n & 0xFF)] + header.bytes + blob.bytes
    }

    func write() throws -> String {
        let path = try TestData.temporaryFolder() + "/fixture.osm.pbf"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

@Suite("OSM PBF reader")
struct OSMPBFTests {
    @Test func portoAlegreElementCounts() throws {
        let file = try OSMPBFFile(path: TestData.shared("porto-alegre/poa_osm.pbf"))
        // Counted independently with pyosmium 4 (a SimpleHandler counting node/way/relation
        // callbacks over the same file): 43,264 nodes, 16,032 ways, 23 relations.
        #expect(try file.countElements() == OSMElementCounts(nodes: 43_264, ways: 16_032, relations: 23))
        var ways = 0, highways = 0, refs = 0
        try file.forEachWay { way in
            ways += 1
            refs += way.refs.count
            if way.tag("highway") != nil { highways += 1 }
        }
        // Same pyosmium pass: 15,886 ways carry a highway tag and the ways hold 66,840 node refs.
        #expect(ways == 16_032)
        #expect(highways == 15_886)
        #expect(refs == 66_840)
        var nodes = 0
        var box = Bounds.empty
        try file.forEachNode { _, lon, lat in
            nodes += 1
            box.extend(Coordinate(lon, lat))
        }
        #expect(nodes == 43_264)
        // Central Porto Alegre lies around 51.2° W, 30.0° S.
        #expect(box.minX > -51.4 && box.maxX < -51.0 && box.minY > -30.3 && box.maxY < -29.8)
    }

    @Test func handWrittenFileBecomesARoadNetwork() throws {
        var fixture = PBFFixture()
        fixture.header()
        // Three nodes on the equator 0.01° apart, node 4 north of node 2; node 99 is referenced but absent.
        fixture.data(
            nodes: [(1, 0, 0), (2, 0.01, 0), (3, 0.02, 0), (4, 0.01, 0.01), (7, 5, 5)],
            ways: [
                (10, [1, 2, 3], [("highway", "primary"), ("maxspeed", "50"), ("oneway", "yes")]),
                (11, [2, 4, 99], [("highway", "footway")]),
                (12, [3, 4], [("building", "yes")]),
            ])
        let path = try fixture.write()
        let car = try OSMRoads.read(path: path, mode: .car)
        #expect(car.wayCount == 1)
        #expect(car.ids == [1, 2, 3])
        #expect(car.segments.count == 2)
        #expect(car.segments.forwardSpeed == [50, 50])
        #expect(car.segments.backwardSpeed == [0, 0])
        #expect(abs(car.coordinates[1].x - 0.01) < 1e-9)

        let walk = try OSMRoads.read(path: path, mode: .walk)
        // Both highways; node 99 is missing, so way 11 keeps only its 2–4 segment.
        #expect(walk.wayCount == 2)
        #expect(walk.ids == [1, 2, 3, 4])
        #expect(walk.missingNodeCount == 1)
        #expect(walk.segments.count == 3)

        // On the equator one degree of longitude is 111,319.49 m in a plain equirectangular
        // projection, so 0.01° is 1113.19 m: at 50 km/h that is 80.15 s per segment.
        let metresPerDegree = 6_378_137.0 * Double.pi / 180
        let graph = try car.graph(crs: CRS(definition: "+proj=eqc")) { coordinates in
            for i in coordinates.indices {
                coordinates[i] = Coordinate(coordinates[i].x * metresPerDegree, coordinates[i].y * metresPerDegree)
            }
        }
        let result = try NearestFacility().run(
            graph: graph, origins: [Coordinate(0, 0), Coordinate(2 * 0.01 * metresPerDegree, 0)],
            destinations: [Coordinate(2 * 0.01 * metresPerDegree, 0)])
        let expected = 2 * 0.01 * metresPerDegree * 3.6 / 50
        #expect(abs(result.seconds[0] - expected) < 1e-9)
        #expect(result.seconds[1] == 0)
    }

    @Test func oversizedHeaderAndUnknownCompressionAreReported() throws {
        var zstd = PBFFixture()
        zstd.header()
        let dataBlockOffset = zstd.bytes.count
        zstd.block(type: "OSMData", payload: [1, 2, 3], blobField: 7)
        let zstdPath = try zstd.write()
        do {
            _ = try OSMPBFFile(path: zstdPath).countElements()
            Issue.record("a zstd blob should not be read")
        } catch let error as AtlasError {
            #expect(error.file == zstdPath)
            #expect(error.message.contains("unsupported compression 'zstd'"))
            #expect(error.message.contains("block at byte \(dataBlockOffset):"))
        }

        var oversized = PBFFixture()
        oversized.bytes = [0, 1, 0, 1] + [UInt8](repeating: 0, count: 16)
        let oversizedPath = try oversized.write()
        do {
            _ = try OSMPBFFile(path: oversizedPath)
            Issue.record("a 65,537-byte BlobHeader should be refused")
        } catch let error as AtlasError {
            #expect(error.message.contains("block at byte 0"))
            #expect(error.message.contains("64 KiB"))
        }
    }
}
