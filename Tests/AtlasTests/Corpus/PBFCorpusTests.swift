import CZlib
import Foundation
import Testing

@testable import Atlas

/// Broken OSM PBF files beyond the format tests (an oversized BlobHeader, zstd blobs), built
/// block by block with `PBFFixture`.
@Suite("Corpus: OSM PBF")
struct PBFCorpusTests {
    private func error(_ fixture: PBFFixture) throws -> (String, AtlasError?) {
        let path = try fixture.write()
        return (path, CorpusFiles.error {
            let file = try OSMPBFFile(path: path)
            _ = try file.countElements()
            try file.forEachNode { _, _, _ in }
            try file.forEachWay { _ in }
        })
    }

    /// A data block holding one dense node, with extra PrimitiveBlock fields appended.
    private func denseNodeBlock(extra: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var dense = ProtobufWriter()
        dense.packedDeltaSint64(1, [1])
        dense.packedDeltaSint64(8, [600_000_000])
        dense.packedDeltaSint64(9, [150_000_000])
        var group = ProtobufWriter()
        group.bytesField(2, dense.bytes)
        var table = ProtobufWriter()
        table.stringField(1, "")
        var primitive = ProtobufWriter()
        primitive.bytesField(1, table.bytes)
        primitive.bytesField(2, group.bytes)
        extra(&primitive)
        return primitive.bytes
    }

    @Test("a zlib blob that is not zlib data")
    func corruptZlib() throws {
        var fixture = PBFFixture()
        fixture.header()
        let offset = fixture.bytes.count
        fixture.block(type: "OSMData", payload: [0x12, 0x34, 0x56, 0x78], blobField: 3)
        let (path, error) = try self.error(fixture)
        #expect(error?.file == path)
        #expect(error?.message == "block at byte \(offset): corrupt compressed data (zlib: incorrect header check)")
    }

    @Test("a zlib blob whose raw_size is larger than it inflates to")
    func rawSizeTooLarge() throws {
        var fixture = PBFFixture()
        fixture.header()
        let offset = fixture.bytes.count
        let payload = denseNodeBlock { _ in }
        var compressed = [UInt8](repeating: 0, count: 1024)
        var length = uLong(compressed.count)
        #expect(compress(&compressed, &length, payload, uLong(payload.count)) == Z_OK)
        // The blob claims one byte more than the block holds.
        var blob = ProtobufWriter()
        blob.varintField(2, UInt64(payload.count + 1))
        blob.bytesField(3, Array(compressed[0..<Int(length)]))
        var header = ProtobufWriter()
        header.stringField(1, "OSMData")
        header.varintField(3, UInt64(blob.bytes.count))
        fixture.bytes += [0, 0, 0, UInt8(header.bytes.count)] + header.bytes + blob.bytes
        let (_, error) = try self.error(fixture)
        #expect(error?.message == "block at byte \(offset): compressed data holds \(payload.count) bytes, expected \(payload.count + 1)")
    }

    @Test("a BlobHeader announcing a 40 MB blob")
    func oversizedBlob() throws {
        var fixture = PBFFixture()
        var header = ProtobufWriter()
        header.stringField(1, "OSMHeader")
        header.varintField(3, 40_000_000)
        fixture.bytes = [0, 0, 0, UInt8(header.bytes.count)] + header.bytes + [0, 0, 0, 0]
        let (_, error) = try self.error(fixture)
        #expect(error?.message == "block at byte 0: blob of 40000000 bytes exceeds the 32 MiB limit")
    }

    @Test("a file cut inside its data blob")
    func truncatedBlob() throws {
        var fixture = PBFFixture()
        fixture.header()
        let offset = fixture.bytes.count
        fixture.data(nodes: [(1, 15.6, 60.6), (2, 15.7, 60.7)], ways: [(10, [1, 2], [("highway", "residential")])])
        fixture.bytes.removeLast(5)
        let (_, error) = try self.error(fixture)
        #expect(error?.message == "block at byte \(offset): truncated blob")
    }

    @Test("a BlobHeader without a datasize")
    func headerWithoutSize() throws {
        var fixture = PBFFixture()
        var header = ProtobufWriter()
        header.stringField(1, "OSMHeader")
        fixture.bytes = [0, 0, 0, UInt8(header.bytes.count)] + header.bytes
        let (_, error) = try self.error(fixture)
        #expect(error?.message == "block at byte 0: BlobHeader has no datasize")
    }

    @Test("a granularity whose product with a coordinate overflows 64 bits")
    func coordinateOverflow() throws {
        var fixture = PBFFixture()
        fixture.header()
        let offset = fixture.bytes.count
        fixture.block(type: "OSMData", payload: denseNodeBlock { $0.varintField(17, UInt64(Int64.max)) })
        let (_, error) = try self.error(fixture)
        #expect(error?.message.hasPrefix("block at byte \(offset): malformed protocol buffer at byte 0: coordinate ") == true)
        #expect(error?.message.hasSuffix("overflows") == true)
    }

    @Test("a way tag key index of 2^64 − 1")
    func hugeStringIndex() throws {
        var way = ProtobufWriter()
        way.varintField(1, 10)
        way.packedVarints(2, [UInt64.max])
        way.packedVarints(3, [0])
        var group = ProtobufWriter()
        group.bytesField(3, way.bytes)
        var table = ProtobufWriter()
        table.stringField(1, "")
        var primitive = ProtobufWriter()
        primitive.bytesField(1, table.bytes)
        primitive.bytesField(2, group.bytes)
        var fixture = PBFFixture()
        fixture.header()
        fixture.block(type: "OSMData", payload: primitive.bytes)
        let (_, error) = try self.error(fixture)
        #expect(error?.message.hasSuffix("way 10 refers to a string beyond the table") == true, "\(String(describing: error))")
    }

    // Found by the PBF fuzzer: a malformed OSMHeader escaped as a bare protobuf error,
    // without the file's name.
    @Test("an OSMHeader block whose payload is not a protocol buffer")
    func malformedHeaderBlock() throws {
        var fixture = PBFFixture()
        // Key 0x0F: field 1 with wire type 7, which protobuf does not have.
        fixture.block(type: "OSMHeader", payload: [0x0F])
        let (path, error) = try self.error(fixture)
        #expect(error?.file == path)
        #expect(error?.message == "block at byte 0: malformed protocol buffer at byte 1: unsupported wire type 7")
    }
}
