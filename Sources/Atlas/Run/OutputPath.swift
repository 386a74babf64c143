import Foundation

/// Checks of output options made before anything is computed.
public enum OutputPath {
    /// The extensions atlas writes layers as.
    public static let layerExtensions = ["geojson", "json"]

    /// A layer output must end in a format atlas writes and must not be a folder.
    public static func checkLayer(_ path: String, option: String) throws {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard layerExtensions.contains(ext) else {
            throw OptionError(option, "\(path): atlas writes layers as \(layerExtensions.map { "." + $0 }.joined(separator: " or ")), not '\(ext.isEmpty ? "(no extension)" : "." + ext)'")
        }
        try checkNotFolder(path, option: option)
    }

    public static func checkNotFolder(_ path: String, option: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw OptionError(option, "\(path) is a folder, not a file to write")
        }
    }

    public static func check(precision: Int) throws {
        guard (0...15).contains(precision) else { throw OptionError("precision", "must be between 0 and 15 decimals, got \(precision)") }
    }
}
