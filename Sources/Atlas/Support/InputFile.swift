import Foundation

/// Checks a reader makes before it opens a path, so that a path naming something other than a
/// regular file gets a message saying what it is. A FIFO or a device is never opened: opening
/// a FIFO waits for a writer, and reading a device may never end.
public enum InputFile {
    /// Throws unless `path` names a regular file that can be read (symbolic links are followed).
    public static func requireRegularFile(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            throw AtlasError(file: path, code == ENOENT ? "no such file" : "cannot read: \(String(cString: strerror(code)))")
        }
        if let kind = kind(info.st_mode) {
            throw AtlasError(file: path, "\(kind), not a regular file")
        }
        guard access(path, R_OK) == 0 else {
            throw AtlasError(file: path, "cannot read: \(String(cString: strerror(errno)))")
        }
    }

    /// The size in bytes of the file `path` names, a symbolic link followed (Foundation's file
    /// attributes describe the link itself); nil when there is none.
    public static func size(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    /// What a file of this mode is ("is a folder", "is a FIFO (named pipe)", …); nil for a
    /// regular file.
    static func kind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "is a folder"
        case S_IFIFO: "is a FIFO (named pipe)"
        case S_IFCHR: "is a device (character special file)"
        case S_IFBLK: "is a device (block special file)"
        case S_IFSOCK: "is a socket"
        case S_IFLNK: "is a symbolic link"
        default: "is not a regular file"
        }
    }
}
