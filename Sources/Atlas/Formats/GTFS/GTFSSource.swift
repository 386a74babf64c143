import Foundation

/// Where the files of a GTFS feed live: a zip archive or a folder. Files are streamed in
/// pieces either way.
public final class GTFSSource {
    public let path: String
    private let archive: ZipArchive?
    /// Member name per GTFS file name, for zips whose files sit in a subfolder.
    private let members: [String: ZipEntry]
    /// Where progress on large tables is shown.
    public var diagnostics: Diagnostics?

    public init(path: String) throws {
        self.path = path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw AtlasError(file: path, "no such file or folder")
        }
        if isFolder.boolValue {
            archive = nil
            members = [:]
        } else {
            try InputFile.requireRegularFile(path)
            let zip = try ZipArchive(path: path)
            archive = zip
            // The shallowest member with the name wins; macOS resource forks are skipped.
            var found: [String: ZipEntry] = [:]
            for entry in zip.entries where !entry.isFolder && !entry.name.hasPrefix("__MACOSX/") {
                let base = String(entry.name.split(separator: "/").last ?? "")
                guard base.hasSuffix(".txt"), !base.hasPrefix("._") else { continue }
                if let existing = found[base], existing.name.count <= entry.name.count { continue }
                found[base] = entry
            }
            members = found
        }
    }

    /// Members smaller than this are read whatever their compression ratio.
    static let bombCheckSize = 16 << 20
    static let maximumExpansion = 200

    /// A readable name for a file of the feed, used in error messages.
    public func displayName(_ file: String) -> String {
        if let entry = members[file] { return path + "/" + entry.name }
        return (path as NSString).appendingPathComponent(file)
    }

    public func contains(_ file: String) -> Bool {
        if archive != nil { return members[file] != nil }
        return FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(file))
    }

    /// The uncompressed size in bytes, when known.
    public func size(of file: String) -> Int? {
        if archive != nil { return members[file]?.uncompressedSize }
        return InputFile.size((path as NSString).appendingPathComponent(file))
    }

    /// Calls `body` with successive pieces of the file's bytes.
    public func read(_ file: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let archive {
            guard let entry = members[file] else { throw AtlasError(file: path, "the feed has no \(file)") }
            // Text tables compress 2- to 15-fold; a member that claims to expand much more is
            // a zip bomb, refused before it is inflated.
            if entry.uncompressedSize > Self.bombCheckSize, entry.uncompressedSize / max(entry.compressedSize, 1) > Self.maximumExpansion {
                throw AtlasError(
                    file: displayName(file),
                    "expands from \(entry.compressedSize) to \(entry.uncompressedSize) bytes, more than"
                        + " \(Self.maximumExpansion)-fold: not a plausible GTFS table")
            }
            try archive.read(entry, body)
            return
        }
        let full = (path as NSString).appendingPathComponent(file)
        try InputFile.requireRegularFile(full)
        guard let h = fopen(full, "rb") else {
            throw AtlasError(file: full, "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { fclose(h) }
        let chunkSize = 1 << 20
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let got = fread(chunk.baseAddress, 1, chunkSize, h)
            if got > 0 { try body(UnsafeRawBufferPointer(rebasing: chunk[0..<got])) }
            if got < chunkSize {
                if ferror(h) != 0 { throw AtlasError(file: full, "read failed") }
                return
            }
        }
    }

    /// Scans one table row by row. `columns` sees the header once and returns what the rows
    /// need (usually column indices); errors thrown by either closure get the file name, and
    /// those from `row` also the record number.
    public func scan<Columns>(
        _ file: String,
        columns: (GTFSHeader) throws -> Columns,
        row: (Columns, GTFSRow) throws -> Void
    ) throws {
        let name = displayName(file)
        let scanner = GTFSTableScanner(file: name)
        defer { scanner.release() }
        var prepared: Columns?
        func handle(_ r: GTFSRow) throws {
            if prepared == nil { prepared = try columns(scanner.header) }
            do {
                try row(prepared!, r)
            } catch var error as AtlasError {
                if error.record == nil { error.record = r.record }
                throw error.inFile(name)
            }
        }
        // Large tables (stop_times.txt of a national feed) show progress by bytes read.
        let progress = size(of: file).flatMap { $0 > 1 << 24 ? diagnostics?.progress("reading \(name)", total: $0, bytes: true) : nil }
        defer { progress?.finish() }
        do {
            try read(file) {
                try scanner.feed($0, handle)
                progress?.advance(by: $0.count)
            }
            try scanner.finish(handle)
            if prepared == nil, scanner.hasHeader { prepared = try columns(scanner.header) }
            if !scanner.hasHeader { throw AtlasError("the file is empty (no header row)") }
        } catch let error as AtlasError {
            throw error.inFile(name)
        }
    }
}
