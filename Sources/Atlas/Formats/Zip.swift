import CZlib
import Foundation

/// One member of a zip archive, as listed in the central directory.
public struct ZipEntry: Sendable, Hashable {
    public var name: String
    /// 0 stored, 8 deflate; other methods are reported as unsupported when read.
    public var method: Int
    public var compressedSize: Int
    public var uncompressedSize: Int
    public var crc32: UInt32
    var localHeaderOffset: Int

    public var isFolder: Bool { name.hasSuffix("/") }
}

/// A zip archive read from its central directory (zip64 included). Members are streamed
/// in pieces, so a member larger than memory (a national `stop_times.txt`) can be read.
public final class ZipArchive {
    public let path: String
    public let entries: [ZipEntry]
    private let handle: UnsafeMutablePointer<FILE>
    private let fileSize: Int

    public init(path: String) throws {
        try InputFile.requireRegularFile(path)
        guard let h = fopen(path, "rb") else {
            throw AtlasError(file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        self.path = path
        handle = h
        do {
            (entries, fileSize) = try ZipArchive.readCentralDirectory(h, path: path)
        } catch {
            fclose(h)
            throw error
        }
    }

    deinit { fclose(handle) }

    /// The member with this exact name.
    public func entry(named name: String) -> ZipEntry? {
        entries.first { $0.name == name }
    }

    /// Calls `body` with successive pieces of the member's uncompressed bytes (each valid only
    /// during the call) and checks the CRC at the end.
    public func read(_ entry: ZipEntry, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let member = path + "/" + entry.name
        guard entry.method == 0 || entry.method == 8 else {
            throw AtlasError(file: member, "compression method \(entry.method) is not supported (only stored and deflate)")
        }
        // Offsets and sizes come from the file: compared without adding, as zip64 values can be
        // near Int.max.
        guard entry.localHeaderOffset >= 0, entry.localHeaderOffset <= fileSize - 30,
            entry.compressedSize >= 0, entry.compressedSize <= fileSize, entry.uncompressedSize >= 0
        else {
            throw AtlasError(file: member, "the directory places the member outside the \(fileSize)-byte archive (truncated?)")
        }
        var local = [UInt8](repeating: 0, count: 30)
        try readExactly(&local, at: entry.localHeaderOffset, what: "local header")
        guard le32(local, 0) == 0x0403_4b50 else { throw AtlasError(file: member, "local header signature missing") }
        let dataOffset = entry.localHeaderOffset + 30 + Int(le16(local, 26)) + Int(le16(local, 28))
        guard fseeko(handle, off_t(dataOffset), SEEK_SET) == 0 else {
            throw AtlasError(file: member, "cannot seek to the member data")
        }

        var crc = CZlib.crc32(0, nil, 0)
        var produced = 0
        func checkedBody(_ piece: UnsafeRawBufferPointer) throws {
            crc = CZlib.crc32(crc, piece.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(piece.count))
            produced += piece.count
            // Stops a member that inflates far beyond its declared size (a zip bomb) early.
            guard produced <= entry.uncompressedSize else {
                throw AtlasError(file: member, "holds more than the \(entry.uncompressedSize) bytes the directory says")
            }
            try body(piece)
        }
        let inflater = entry.method == 8 ? try RawInflater() : nil
        var remaining = entry.compressedSize
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while remaining > 0 {
            let want = min(remaining, chunk.count)
            let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, want, handle) }
            guard got == want else { throw AtlasError(file: member, "the archive ends inside the member (truncated file)") }
            remaining -= got
            try chunk.withUnsafeBytes { raw in
                let piece = UnsafeRawBufferPointer(rebasing: raw[0..<got])
                if let inflater {
                    do {
                        try inflater.feed(piece, sink: checkedBody)
                    } catch let error as AtlasError where error.file == nil {
                        throw error.inFile(member)
                    }
                } else {
                    try checkedBody(piece)
                }
            }
        }
        if let inflater, !inflater.isFinished {
            throw AtlasError(file: member, "the compressed data ends early")
        }
        guard produced == entry.uncompressedSize else {
            throw AtlasError(file: member, "holds \(produced) bytes, the directory says \(entry.uncompressedSize)")
        }
        guard UInt32(crc) == entry.crc32 else { throw AtlasError(file: member, "CRC mismatch: the archive is corrupt") }
    }

    /// The whole member in memory, for small members.
    public func data(_ entry: ZipEntry) throws -> [UInt8] {
        var out: [UInt8] = []
        // The declared size is only a hint: a corrupt directory may claim terabytes.
        out.reserveCapacity(min(entry.uncompressedSize, 1 << 24))
        try read(entry) { out.append(contentsOf: $0) }
        return out
    }

    private func readExactly(_ buffer: inout [UInt8], at offset: Int, what: String) throws {
        guard fseeko(handle, off_t(offset), SEEK_SET) == 0,
            buffer.withUnsafeMutableBytes({ fread($0.baseAddress, 1, $0.count, handle) }) == buffer.count
        else { throw AtlasError(file: path, "cannot read the \(what) at byte \(offset)") }
    }

    private static func readCentralDirectory(_ h: UnsafeMutablePointer<FILE>, path: String) throws -> (entries: [ZipEntry], fileSize: Int) {
        guard fseeko(h, 0, SEEK_END) == 0 else { throw AtlasError(file: path, "cannot seek") }
        let fileSize = Int(ftello(h))
        // The end record is 22 bytes plus a comment of at most 65,535 bytes.
        let tailSize = min(fileSize, 22 + 65_535 + 20)
        var tail = [UInt8](repeating: 0, count: tailSize)
        guard fseeko(h, off_t(fileSize - tailSize), SEEK_SET) == 0,
            tail.withUnsafeMutableBytes({ fread($0.baseAddress, 1, tailSize, h) }) == tailSize
        else { throw AtlasError(file: path, "cannot read the end of the file") }
        var end = -1
        var i = tailSize - 22
        while i >= 0 {
            if le32(tail, i) == 0x0605_4b50 { end = i; break }
            i -= 1
        }
        guard end >= 0 else { throw AtlasError(file: path, "not a zip archive (no end of central directory)") }
        var count = Int(le16(tail, end + 10))
        var directorySize = Int(le32(tail, end + 12))
        var directoryOffset = Int(le32(tail, end + 16))

        // A zip64 locator sits just before the end record when a size overflowed 32 bits.
        if end >= 20, le32(tail, end - 20) == 0x0706_4b50 {
            let zip64End = Int(clamping: le64(tail, end - 20 + 8))
            var record = [UInt8](repeating: 0, count: 56)
            guard fseeko(h, off_t(zip64End), SEEK_SET) == 0,
                record.withUnsafeMutableBytes({ fread($0.baseAddress, 1, 56, h) }) == 56,
                le32(record, 0) == 0x0606_4b50
            else { throw AtlasError(file: path, "the zip64 end record is missing") }
            count = Int(clamping: le64(record, 32))
            directorySize = Int(clamping: le64(record, 40))
            directoryOffset = Int(clamping: le64(record, 48))
        }
        // Compared without adding: zip64 values can be near Int.max.
        guard directoryOffset <= fileSize, directorySize <= fileSize - directoryOffset else {
            throw AtlasError(file: path, "the central directory lies outside the file (truncated?)")
        }
        var directory = [UInt8](repeating: 0, count: directorySize)
        guard fseeko(h, off_t(directoryOffset), SEEK_SET) == 0,
            directory.withUnsafeMutableBytes({ fread($0.baseAddress, 1, directorySize, h) }) == directorySize
        else { throw AtlasError(file: path, "cannot read the central directory") }

        // Each entry takes at least 46 bytes, so the directory's size bounds a count it does not fit.
        guard count <= directorySize / 46 else {
            throw AtlasError(file: path, "the central directory of \(directorySize) bytes cannot hold \(count) entries")
        }
        var entries: [ZipEntry] = []
        entries.reserveCapacity(count)
        var p = 0
        for n in 0..<count {
            guard p + 46 <= directory.count, le32(directory, p) == 0x0201_4b50 else {
                throw AtlasError(file: path, record: n + 1, "corrupt central directory entry")
            }
            let method = Int(le16(directory, p + 10))
            let crc = le32(directory, p + 16)
            var compressed = Int(le32(directory, p + 20))
            var uncompressed = Int(le32(directory, p + 24))
            let nameLength = Int(le16(directory, p + 28))
            let extraLength = Int(le16(directory, p + 30))
            let commentLength = Int(le16(directory, p + 32))
            var offset = Int(le32(directory, p + 42))
            guard p + 46 + nameLength + extraLength + commentLength <= directory.count else {
                throw AtlasError(file: path, record: n + 1, "corrupt central directory entry")
            }
            let name = String(decoding: directory[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            // Zip64 extra field: only the values that overflowed are present, in this order.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = le16(directory, e)
                let size = Int(le16(directory, e + 2))
                if id == 0x0001 {
                    var q = e + 4
                    if uncompressed == 0xFFFF_FFFF, q + 8 <= e + 4 + size { uncompressed = Int(clamping: le64(directory, q)); q += 8 }
                    if compressed == 0xFFFF_FFFF, q + 8 <= e + 4 + size { compressed = Int(clamping: le64(directory, q)); q += 8 }
                    if offset == 0xFFFF_FFFF, q + 8 <= e + 4 + size { offset = Int(clamping: le64(directory, q)) }
                }
                e += 4 + size
            }
            entries.append(ZipEntry(
                name: name, method: method, compressedSize: compressed, uncompressedSize: uncompressed,
                crc32: crc, localHeaderOffset: offset))
            p += 46 + nameLength + extraLength + commentLength
        }
        return (entries, fileSize)
    }
}

@inline(__always) private func le16(_ b: [UInt8], _ i: Int) -> UInt16 {
    UInt16(b[i]) | UInt16(b[i + 1]) << 8
}

@inline(__always) private func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
}

@inline(__always) private func le64(_ b: [UInt8], _ i: Int) -> UInt64 {
    UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32
}
