import CZlib

/// Decompression through the system zlib: whole zlib streams (OSM PBF blobs) and
/// raw deflate streams read piece by piece (zip members).
public enum Zlib {
    /// Inflates a zlib-wrapped buffer whose uncompressed size is known (`raw_size` in PBF).
    public static func inflate(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws -> [UInt8] {
        guard expectedSize >= 0 else { throw AtlasError("negative uncompressed size") }
        var output = [UInt8](repeating: 0, count: expectedSize)
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw AtlasError("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        let status: Int32 = output.withUnsafeMutableBytes { out in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(out.count)
            return CZlib.inflate(&stream, Z_FINISH)
        }
        guard status == Z_STREAM_END else {
            throw AtlasError("corrupt compressed data (zlib: \(message(stream, status)))")
        }
        guard Int(stream.total_out) == expectedSize else {
            throw AtlasError("compressed data holds \(stream.total_out) bytes, expected \(expectedSize)")
        }
        return output
    }

    static func message(_ stream: z_stream, _ status: Int32) -> String {
        if let msg = stream.msg { return String(cString: msg) }
        return "status \(status)"
    }
}

/// Inflates a raw deflate stream (no zlib header) in pieces, so a large member of a zip
/// file never has to be held in memory whole.
public final class RawInflater {
    private var stream = z_stream()
    private var finished = false

    public init() throws {
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw AtlasError("zlib could not start")
        }
    }

    deinit { inflateEnd(&stream) }

    public var isFinished: Bool { finished }

    /// Feeds compressed bytes; calls `sink` with each piece of output (valid only during the call).
    public func feed(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else { return }
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        repeat {
            let (status, produced): (Int32, Int) = chunk.withUnsafeMutableBytes { out in
                stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(out.count)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                return (status, out.count - Int(stream.avail_out))
            }
            if status != Z_OK && status != Z_STREAM_END && !(status == Z_BUF_ERROR && produced == 0) {
                throw AtlasError("corrupt compressed data (zlib: \(Zlib.message(stream, status)))")
            }
            if produced > 0 { try chunk.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            if status == Z_STREAM_END { finished = true; return }
            if produced == 0 && stream.avail_in == 0 { return }
        } while stream.avail_in > 0 || stream.avail_out == 0
    }
}
