import Foundation

/// Writes a file so that it appears whole or not at all: the content goes to a hidden
/// temporary file in the target folder, which is renamed over the target on `commit()`.
/// An `AtomicFile` that is never committed removes its temporary file.
///
/// The target may be new or an existing regular file, whose permissions the new content
/// keeps. Anything else is refused before a byte is written: renaming over a symbolic link
/// would replace the link rather than write where it points, and a folder, FIFO or device
/// cannot be replaced by a file at all.
public final class AtomicFile {
    public let path: String
    private let temporaryPath: String
    private var handle: UnsafeMutablePointer<FILE>?
    private var committed = false
    /// The temporary file was handed to a writer that opens it itself (see `releaseTemporaryPath`).
    private var released = false
    /// Bytes written since the last sync was started. Every `syncStep` bytes the written part
    /// is synced on another thread while writing goes on, so that `commit()`'s sync waits for
    /// the last part only.
    private var unsynced = 0
    private static let syncStep = 16 << 20
    private let syncs = DispatchGroup()
    /// The error of a failed sync on the other thread, read once `syncs` is done: the kernel
    /// reports a failed write to one sync only.
    private let syncFailure = SyncFailure()
    private static let syncQueue = DispatchQueue(label: "atlas.atomic-file.sync")

    private final class SyncFailure: @unchecked Sendable {
        var code: Int32 = 0
    }

    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw AtlasError(file: path, "the folder \(folder) does not exist")
        }
        var existing = stat()
        var keptMode: mode_t?
        if lstat(path, &existing) == 0 {
            switch existing.st_mode & S_IFMT {
            case S_IFREG: keptMode = existing.st_mode & 0o7777
            case S_IFLNK: throw AtlasError(file: path, "is a symbolic link; atlas writes only to a new or a regular file")
            default:
                let kind = InputFile.kind(existing.st_mode) ?? "is not a regular file"
                throw AtlasError(file: path, "\(kind); atlas writes only to a new or a regular file")
            }
        }
        let prefix = "." + url.lastPathComponent + "."
        Self.removeAbandoned(in: folder, prefix: prefix)
        temporaryPath = folder + "/" + prefix + "\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard let h = fopen(temporaryPath, "wb") else {
            throw AtlasError(file: path, "cannot write: \(String(cString: strerror(errno)))")
        }
        if let keptMode, fchmod(fileno(h), keptMode) != 0 {
            let reason = String(cString: strerror(errno))
            fclose(h)
            unlink(temporaryPath)
            throw AtlasError(file: path, "cannot keep the file's permissions: \(reason)")
        }
        handle = h
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let handle else { throw AtlasError(file: path, "write after the file was closed") }
        guard bytes.count > 0 else { return }
        if fwrite(bytes.baseAddress, 1, bytes.count, handle) != bytes.count {
            throw AtlasError(file: path, "write failed: \(String(cString: strerror(errno)))")
        }
        unsynced += bytes.count
        if unsynced >= Self.syncStep, syncs.wait(timeout: .now()) == .success, fflush(handle) == 0 {
            unsynced = 0
            let descriptor = fileno(handle), failure = syncFailure
            Self.syncQueue.async(group: syncs) {
                if fdatasync(descriptor) != 0, failure.code == 0 { failure.code = errno }
            }
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Closes the (empty) temporary file and returns its path, for a writer that opens the file
    /// itself, as SQLite does; `commit()` then syncs it and moves it into place.
    public func releaseTemporaryPath() throws -> String {
        guard let h = handle else { throw AtlasError(file: path, "the file was already closed") }
        handle = nil
        syncs.wait()
        guard fclose(h) == 0 else {
            throw AtlasError(file: path, "write failed: \(String(cString: strerror(errno)))")
        }
        released = true
        return temporaryPath
    }

    /// Flushes, syncs and moves the finished file into place.
    public func commit() throws {
        let flushed: Bool, closed: Bool
        syncs.wait()
        if let h = handle {
            handle = nil
            flushed = syncFailure.code == 0 && fflush(h) == 0 && fsync(fileno(h)) == 0
            closed = fclose(h) == 0
        } else if released {
            released = false
            let descriptor = open(temporaryPath, O_RDONLY)
            flushed = descriptor >= 0 && fsync(descriptor) == 0
            closed = descriptor >= 0 && close(descriptor) == 0
        } else {
            return
        }
        guard flushed && closed else {
            let reason = syncFailure.code != 0 ? syncFailure.code : errno
            unlink(temporaryPath)
            throw AtlasError(file: path, "write failed: \(String(cString: strerror(reason)))")
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw AtlasError(file: path, "cannot move the finished file into place: \(reason)")
        }
        committed = true
    }

    /// Removes temporary files of the same target left by processes that no longer run (a
    /// killed run cannot clean up after itself); those of running processes are left alone.
    static func removeAbandoned(in folder: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let parts = name.dropFirst(prefix.count).split(separator: ".")
            guard parts.count == 3, let pid = Int32(parts[0]), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(folder + "/" + name) }
        }
    }

    deinit {
        syncs.wait()
        if let handle { fclose(handle) }
        if !committed { unlink(temporaryPath) }
    }
}
