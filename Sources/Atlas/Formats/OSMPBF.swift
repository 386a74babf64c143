import Foundation

/// An OpenStreetMap way: its node references and tags.
public struct OSMWay: Sendable {
    public var id: Int64
    public var refs: [Int64]
    public var tags: [(key: String, value: String)]

    public init(id: Int64, refs: [Int64], tags: [(key: String, value: String)]) {
        self.id = id
        self.refs = refs
        self.tags = tags
    }

    public func tag(_ key: String) -> String? {
        for t in tags where t.key == key { return t.value }
        return nil
    }
}

/// How many elements of each kind a file holds.
public struct OSMElementCounts: Equatable, Sendable {
    public var nodes = 0
    public var ways = 0
    public var relations = 0
}

/// A streaming reader of OpenStreetMap `.osm.pbf` files.
///
/// The file is a sequence of blocks: a 4-byte big-endian length, a `BlobHeader` (type
/// "OSMHeader" or "OSMData", `datasize`), then a `Blob` holding the block raw or zlib-compressed.
/// Data blocks are `PrimitiveBlock`s: a string table, coordinate granularity and offsets,
/// and groups of dense nodes, plain nodes, ways and relations (relations are skipped).
/// The file is memory-mapped and each block is decoded and dropped in turn, so memory stays
/// proportional to what the caller keeps, not to the file.
public struct OSMPBFFile: Sendable {
    public let path: String
    private let data: Data
    /// Where progress through large files is shown.
    public var diagnostics: Diagnostics?

    /// Limits from the format specification; larger values mean a corrupt file.
    static let maxHeaderSize = 64 * 1024
    static let maxBlobSize = 32 * 1024 * 1024

    /// How many node references, nodes and tags a pass may decode: 16 per byte of the file,
    /// and at least 4 million. OSM extracts hold well under one per byte (the Porto Alegre
    /// extract 0.3 per compressed byte); a file of zlib blocks of zeros decodes to a thousand
    /// or more, and a handful of them would otherwise fill memory with references.
    static func elementBudget(fileSize: Int) -> Int { max(16 * fileSize, 1 << 22) }

    public init(path: String) throws {
        self.path = path
        try InputFile.requireRegularFile(path)
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw AtlasError(file: path, "cannot read: \(error.localizedDescription)")
        }
        try checkHeader()
    }

    /// Calls `body` with every way, in file order.
    public func forEachWay(_ body: (OSMWay) throws -> Void) throws {
        var budget = ElementBudget(data.count)
        try forEachDataBlock(progress: "reading ways") { block, _ in try block.forEachWay(&budget, body) }
    }

    /// Calls `body` with every node's id, longitude and latitude, in file order.
    public func forEachNode(_ body: (_ id: Int64, _ lon: Double, _ lat: Double) throws -> Void) throws {
        var budget = ElementBudget(data.count)
        try forEachDataBlock(progress: "reading nodes") { block, _ in try block.forEachNode(&budget, body) }
    }

    /// `forEachWay` on all cores, block by block: each data block starts from `empty` and
    /// `add` gives it the block's ways in order; the blocks' values come back in file order.
    /// The checks and errors are those of `forEachWay`.
    public func mapWayBlocks<T: Sendable>(_ empty: T, _ add: @Sendable (inout T, OSMWay) throws -> Void) throws -> [T] {
        try mapDataBlocks(progress: "reading ways") { [empty] block, budget in
            var value = empty
            try block.forEachWay(&budget) { try add(&value, $0) }
            return value
        }
    }

    /// `forEachNode` on all cores, block by block, as `mapWayBlocks` for ways: `add` gets
    /// each node's id, longitude and latitude.
    public func mapNodeBlocks<T: Sendable>(_ empty: T, _ add: @Sendable (inout T, _ id: Int64, _ lon: Double, _ lat: Double) throws -> Void) throws -> [T] {
        try mapDataBlocks(progress: "reading nodes") { [empty] block, budget in
            var value = empty
            try block.forEachNode(&budget) { try add(&value, $0, $1, $2) }
            return value
        }
    }

    public func countElements() throws -> OSMElementCounts {
        var counts = OSMElementCounts()
        var budget = ElementBudget(data.count)
        try forEachDataBlock { block, _ in try block.count(into: &counts, &budget) }
        return counts
    }

    private func checkHeader() throws {
        var sawHeader = false
        try forEachBlob { type, payload, offset in
            guard type == "OSMHeader" else { return false }
            sawHeader = true
            var reader = ProtobufReader(payload)
            do {
                while let (field, wire) = try reader.nextField() {
                    if field == 4 {
                        let feature = String(decoding: try reader.lengthDelimited(), as: UTF8.self)
                        guard feature == "OsmSchema-V0.6" || feature == "DenseNodes" else {
                            throw AtlasError(file: path, "block at byte \(offset): unsupported required feature '\(feature)'")
                        }
                    } else {
                        try reader.skip(wire)
                    }
                }
            } catch let error as ProtobufReader.Malformed {
                throw AtlasError(file: path, "block at byte \(offset): \(error)")
            }
            return false
        }
        if !sawHeader { throw AtlasError(file: path, "not an OSM PBF file: no OSMHeader block") }
    }

    private func forEachDataBlock(progress label: String? = nil, _ body: (PrimitiveBlock, Int) throws -> Void) throws {
        // Country extracts take a while: show how far through the file the pass is.
        let progress = label.flatMap { data.count > 1 << 24 ? diagnostics?.progress($0, total: data.count, bytes: true) : nil }
        defer { progress?.finish() }
        var reached = 0
        try forEachBlob { type, payload, offset in
            progress?.advance(by: offset - reached)
            reached = offset
            guard type == "OSMData" else { return true }
            do {
                try body(try PrimitiveBlock(payload), offset)
            } catch let error as ProtobufReader.Malformed {
                throw AtlasError(file: path, "block at byte \(offset): \(error)")
            } catch let error as AtlasError where error.file == nil {
                throw AtlasError(file: path, "block at byte \(offset): \(error.message)")
            }
            return true
        }
    }

    /// `forEachDataBlock` on all cores: the blocks are found one after another (only their
    /// headers are read), then inflated and decoded in parallel. Each block spends from a
    /// budget of its own; the pass's budget is then charged in file order, so the error
    /// thrown is the one a pass block after block would meet first. Blocks are started in
    /// file order, and none once those finished have spent the pass's budget: memory stays
    /// within about a budget per core, as for one block at a time.
    private func mapDataBlocks<T>(progress label: String, _ body: @Sendable (PrimitiveBlock, inout ElementBudget) throws -> T) throws -> [T] {
        let progress = data.count > 1 << 24 ? diagnostics?.progress(label, total: data.count, bytes: true) : nil
        defer { progress?.finish() }
        var blocks: [(blob: Range<Int>, offset: Int)] = []
        // A broken header further on is met after the blocks before it, as block after block.
        var headerError: (any Error)?
        do {
            try forEachBlobRange { type, blob, offset in
                if type == "OSMData" { blocks.append((blob, offset)) }
                return true
            }
        } catch {
            headerError = error
        }
        let path = self.path, data = self.data, fileSize = data.count
        let finished = SpentElements()
        let placeholder = (value: Result<T, any Error>.failure(AtlasError(file: path, "block not read")), spent: 0)
        let decoded = concurrentMap(Array(blocks.indices), placeholder: placeholder, chunk: 1) { [blocks] k in
            let (range, offset) = blocks[k]
            var budget = ElementBudget(fileSize)
            // Over budget already: the charge in file order fails before this block.
            guard finished.total <= budget.limit else { return (value: .failure(AtlasError(file: path, "block not read")), spent: 0) }
            defer { finished.add(budget.spent) }
            let value = Result {
                try data.withUnsafeBytes { (file: UnsafeRawBufferPointer) in
                    let blob = UnsafeRawBufferPointer(rebasing: file[range])
                    let fail = { (message: String) in AtlasError(file: path, "block at byte \(offset): \(message)") }
                    return try Self.withInflatedBlob(blob, fail: fail) { payload in
                        do {
                            return try body(try PrimitiveBlock(payload), &budget)
                        } catch let error as ProtobufReader.Malformed {
                            throw fail("\(error)")
                        } catch let error as AtlasError where error.file == nil {
                            throw fail(error.message)
                        }
                    }
                }
            }
            progress?.advance(by: range.count)
            return (value: value, spent: budget.spent)
        }
        var pass = ElementBudget(fileSize)
        var values: [T] = []
        values.reserveCapacity(decoded.count)
        for (k, block) in decoded.enumerated() {
            do { try pass.spend(block.spent) } catch let error as AtlasError {
                throw AtlasError(file: path, "block at byte \(blocks[k].offset): \(error.message)")
            }
            values.append(try block.value.get())
        }
        if let headerError { throw headerError }
        return values
    }

    /// Walks the blocks, inflating each payload; `body` returns false to stop early.
    private func forEachBlob(_ body: (String, UnsafeRawBufferPointer, Int) throws -> Bool) throws {
        try data.withUnsafeBytes { (file: UnsafeRawBufferPointer) in
            try forEachBlobRange { type, range, blockStart in
                let blob = UnsafeRawBufferPointer(rebasing: file[range])
                let fail = { (message: String) in AtlasError(file: path, "block at byte \(blockStart): \(message)") }
                return try Self.withInflatedBlob(blob, fail: fail) { try body(type, $0, blockStart) }
            }
        }
    }

    /// Walks the blocks' headers: `body` gets each block's type, where its blob lies in the
    /// file and where the block starts, and returns false to stop early.
    private func forEachBlobRange(_ body: (String, Range<Int>, Int) throws -> Bool) throws {
        try data.withUnsafeBytes { (file: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < file.count {
                let blockStart = offset
                func fail(_ message: String) -> AtlasError {
                    AtlasError(file: path, "block at byte \(blockStart): \(message)")
                }
                guard file.count - offset >= 4 else { throw fail("truncated block length") }
                let headerSize = Int(file[offset]) << 24 | Int(file[offset + 1]) << 16
                    | Int(file[offset + 2]) << 8 | Int(file[offset + 3])
                offset += 4
                guard headerSize <= Self.maxHeaderSize else {
                    throw fail("BlobHeader of \(headerSize) bytes exceeds the 64 KiB limit")
                }
                guard file.count - offset >= headerSize else { throw fail("truncated BlobHeader") }
                var type = ""
                var dataSize = -1
                do {
                    var header = ProtobufReader(UnsafeRawBufferPointer(rebasing: file[offset..<offset + headerSize]))
                    while let (field, wire) = try header.nextField() {
                        switch field {
                        case 1: type = String(decoding: try header.lengthDelimited(), as: UTF8.self)
                        case 3: dataSize = Int(try header.int64())
                        default: try header.skip(wire)
                        }
                    }
                } catch let error as ProtobufReader.Malformed {
                    throw fail("BlobHeader: \(error)")
                }
                offset += headerSize
                guard dataSize >= 0 else { throw fail("BlobHeader has no datasize") }
                guard dataSize <= Self.maxBlobSize else {
                    throw fail("blob of \(dataSize) bytes exceeds the 32 MiB limit")
                }
                guard file.count - offset >= dataSize else { throw fail("truncated blob") }
                let blob = offset..<offset + dataSize
                offset += dataSize
                if try !body(type, blob, blockStart) { return }
            }
        }
    }

    private static func withInflatedBlob<T>(
        _ blob: UnsafeRawBufferPointer, fail: (String) -> AtlasError,
        _ body: (UnsafeRawBufferPointer) throws -> T
    ) throws -> T {
        var raw: UnsafeRawBufferPointer?
        var compressed: UnsafeRawBufferPointer?
        var rawSize = -1
        var otherCompression: String?
        do {
            var reader = ProtobufReader(blob)
            while let (field, wire) = try reader.nextField() {
                switch field {
                case 1: raw = try reader.lengthDelimited()
                case 2: rawSize = Int(try reader.int64())
                case 3: compressed = try reader.lengthDelimited()
                case 4: otherCompression = "lzma"; try reader.skip(wire)
                case 5: otherCompression = "bzip2"; try reader.skip(wire)
                case 6: otherCompression = "lz4"; try reader.skip(wire)
                case 7: otherCompression = "zstd"; try reader.skip(wire)
                default: try reader.skip(wire)
                }
            }
        } catch let error as ProtobufReader.Malformed {
            throw fail("Blob: \(error)")
        }
        if let raw { return try body(raw) }
        if let compressed {
            guard rawSize >= 0, rawSize <= maxBlobSize else { throw fail("zlib blob with invalid raw_size \(rawSize)") }
            let inflated: [UInt8]
            do {
                inflated = try Zlib.inflate(compressed, expectedSize: rawSize)
            } catch let error as AtlasError {
                throw fail(error.message)
            }
            return try inflated.withUnsafeBytes { try body($0) }
        }
        if let otherCompression { throw fail("unsupported compression '\(otherCompression)' (only raw and zlib are read)") }
        throw fail("blob holds no data")
    }
}

/// What is left of `OSMPBFFile.elementBudget` in one pass over the file.
struct ElementBudget {
    let limit: Int
    private(set) var remaining: Int

    init(_ fileSize: Int) {
        limit = OSMPBFFile.elementBudget(fileSize: fileSize)
        remaining = limit
    }

    var spent: Int { limit - remaining }

    mutating func spend(_ n: Int) throws {
        remaining -= n
        guard remaining >= 0 else {
            throw AtlasError(
                "the blocks decode to more than \(limit) node references, nodes and tags, far beyond what a file"
                    + " of this size holds (compressed blocks of repeated bytes?)")
        }
    }
}

/// What the blocks decoded so far on all cores have spent, together.
private final class SpentElements: @unchecked Sendable {
    private var spent = 0
    private let lock = NSLock()

    var total: Int {
        lock.lock()
        defer { lock.unlock() }
        return spent
    }

    func add(_ n: Int) {
        lock.lock()
        spent += n
        lock.unlock()
    }
}

/// One decoded `PrimitiveBlock`: views into the inflated bytes, valid during the callback.
struct PrimitiveBlock {
    var stringTable: UnsafeRawBufferPointer?
    var groups: [UnsafeRawBufferPointer] = []
    var granularity: Int64 = 100
    var latOffset: Int64 = 0
    var lonOffset: Int64 = 0

    init(_ bytes: UnsafeRawBufferPointer) throws {
        var reader = ProtobufReader(bytes)
        while let (field, wire) = try reader.nextField() {
            switch field {
            case 1: stringTable = try reader.lengthDelimited()
            case 2: groups.append(try reader.lengthDelimited())
            case 17: granularity = try reader.int64()
            case 19: latOffset = try reader.int64()
            case 20: lonOffset = try reader.int64()
            default: try reader.skip(wire)
            }
        }
    }

    func strings(_ budget: inout ElementBudget) throws -> [String] {
        guard let stringTable else { return [] }
        var strings: [String] = []
        var reader = ProtobufReader(stringTable)
        while let (field, wire) = try reader.nextField() {
            if field == 1 {
                try budget.spend(1)
                strings.append(String(decoding: try reader.lengthDelimited(), as: UTF8.self))
            } else {
                try reader.skip(wire)
            }
        }
        return strings
    }

    /// Nanodegrees to degrees; granularity, offset and value all come from the file, so their
    /// product can overflow 64 bits in a corrupt block.
    func degrees(_ value: Int64, offset: Int64) throws -> Double {
        let (scaled, overflow) = granularity.multipliedReportingOverflow(by: value)
        let (sum, overflowSum) = offset.addingReportingOverflow(scaled)
        guard !overflow, !overflowSum else {
            throw ProtobufReader.Malformed(offset: 0, reason: "coordinate \(value) × \(granularity) + \(offset) overflows")
        }
        return Double(sum) * 1e-9
    }

    func forEachWay(_ budget: inout ElementBudget, _ body: (OSMWay) throws -> Void) throws {
        var strings: [String]?
        for group in groups {
            var reader = ProtobufReader(group)
            while let (field, wire) = try reader.nextField() {
                guard field == 3 else { try reader.skip(wire); continue }
                if strings == nil { strings = try self.strings(&budget) }
                try body(try way(try reader.lengthDelimited(), strings: strings!, &budget))
            }
        }
    }

    private func way(_ bytes: UnsafeRawBufferPointer, strings: [String], _ budget: inout ElementBudget) throws -> OSMWay {
        var reader = ProtobufReader(bytes)
        var id: Int64 = 0
        var keys: [Int] = []
        var values: [Int] = []
        var refs: [Int64] = []
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, .varint): id = try reader.int64()
            case (2, .lengthDelimited):
                let packed = try reader.lengthDelimited()
                try budget.spend(ProtobufReader.packedCount(packed))
                try ProtobufReader.forEachPackedVarint(packed) { keys.append(Int(clamping: $0)) }
            case (3, .lengthDelimited):
                let packed = try reader.lengthDelimited()
                try budget.spend(ProtobufReader.packedCount(packed))
                try ProtobufReader.forEachPackedVarint(packed) { values.append(Int(clamping: $0)) }
            case (8, .lengthDelimited):
                // Counted before decoding, so that no budget's worth of references is ever held.
                let packed = try reader.lengthDelimited()
                try budget.spend(ProtobufReader.packedCount(packed))
                try ProtobufReader.deltaDecoded(packed, into: &refs)
            default: try reader.skip(wire)
            }
        }
        guard keys.count == values.count else {
            throw ProtobufReader.Malformed(offset: 0, reason: "way \(id) has \(keys.count) keys but \(values.count) values")
        }
        var tags: [(key: String, value: String)] = []
        tags.reserveCapacity(keys.count)
        for (k, v) in zip(keys, values) {
            guard k < strings.count, v < strings.count else {
                throw ProtobufReader.Malformed(offset: 0, reason: "way \(id) refers to a string beyond the table")
            }
            tags.append((strings[k], strings[v]))
        }
        return OSMWay(id: id, refs: refs, tags: tags)
    }

    func forEachNode(_ budget: inout ElementBudget, _ body: (Int64, Double, Double) throws -> Void) throws {
        for group in groups {
            var reader = ProtobufReader(group)
            while let (field, wire) = try reader.nextField() {
                switch field {
                case 1:
                    try budget.spend(1)
                    try plainNode(try reader.lengthDelimited(), body)
                case 2: try denseNodes(try reader.lengthDelimited(), &budget, body)
                default: try reader.skip(wire)
                }
            }
        }
    }

    private func plainNode(_ bytes: UnsafeRawBufferPointer, _ body: (Int64, Double, Double) throws -> Void) throws {
        var reader = ProtobufReader(bytes)
        var id: Int64 = 0, lat: Int64 = 0, lon: Int64 = 0
        while let (field, wire) = try reader.nextField() {
            switch field {
            case 1: id = try reader.sint64()
            case 8: lat = try reader.sint64()
            case 9: lon = try reader.sint64()
            default: try reader.skip(wire)
            }
        }
        try body(id, try longitude(lon, id: id), try latitude(lat, id: id))
    }

    /// Degrees of a node, which must be a position on Earth: later steps pick a map projection
    /// from the extent, and a longitude of 10⁹ degrees is no extent.
    private func longitude(_ value: Int64, id: Int64) throws -> Double {
        let degrees = try degrees(value, offset: lonOffset)
        guard (-180...180).contains(degrees) else {
            throw AtlasError("node \(id) lies at longitude \(degrees), outside −180…180")
        }
        return degrees
    }

    private func latitude(_ value: Int64, id: Int64) throws -> Double {
        let degrees = try degrees(value, offset: latOffset)
        guard (-90...90).contains(degrees) else {
            throw AtlasError("node \(id) lies at latitude \(degrees), outside −90…90")
        }
        return degrees
    }

    private func denseNodes(
        _ bytes: UnsafeRawBufferPointer, _ budget: inout ElementBudget, _ body: (Int64, Double, Double) throws -> Void
    ) throws {
        var reader = ProtobufReader(bytes)
        var ids: UnsafeRawBufferPointer?, lats: UnsafeRawBufferPointer?, lons: UnsafeRawBufferPointer?
        while let (field, wire) = try reader.nextField() {
            switch field {
            case 1: ids = try reader.lengthDelimited()
            case 8: lats = try reader.lengthDelimited()
            case 9: lons = try reader.lengthDelimited()
            default: try reader.skip(wire)
            }
        }
        guard let ids else { return }
        guard let lats, let lons else {
            throw ProtobufReader.Malformed(offset: 0, reason: "dense nodes without coordinates")
        }
        try budget.spend(ProtobufReader.packedCount(ids))
        var idReader = ProtobufReader(ids), latReader = ProtobufReader(lats), lonReader = ProtobufReader(lons)
        var id: Int64 = 0, lat: Int64 = 0, lon: Int64 = 0
        while !idReader.isAtEnd {
            guard !latReader.isAtEnd, !lonReader.isAtEnd else {
                throw ProtobufReader.Malformed(offset: 0, reason: "dense nodes have fewer coordinates than ids")
            }
            id &+= try idReader.sint64()
            lat &+= try latReader.sint64()
            lon &+= try lonReader.sint64()
            let x = try longitude(lon, id: id)
            try body(id, x, try latitude(lat, id: id))
        }
    }

    func count(into counts: inout OSMElementCounts, _ budget: inout ElementBudget) throws {
        for group in groups {
            var reader = ProtobufReader(group)
            while let (field, wire) = try reader.nextField() {
                switch field {
                case 1: counts.nodes += 1
                case 2:
                    var dense = ProtobufReader(try reader.lengthDelimited())
                    while let (denseField, denseWire) = try dense.nextField() {
                        guard denseField == 1 else { try dense.skip(denseWire); continue }
                        let ids = ProtobufReader.packedCount(try dense.lengthDelimited())
                        try budget.spend(ids)
                        counts.nodes += ids
                    }
                    continue
                case 3: counts.ways += 1
                case 4: counts.relations += 1
                default: break
                }
                try reader.skip(wire)
            }
        }
    }
}
