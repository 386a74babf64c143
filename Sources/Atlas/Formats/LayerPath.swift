import Foundation

/// Where a layer is, in QGIS's data-source form: a file, and for a file that holds several
/// layers (a GeoPackage, a zip of shapefiles) `|layername=NAME`, as in
/// `dalarna.gpkg|layername=deso_2025`.
public struct LayerPath: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var layer: String?

    public init(file: String, layer: String? = nil) {
        self.file = file
        self.layer = layer
    }

    /// Splits `PATH|layername=NAME`; a path without `|` (or an existing file whose name holds one)
    /// is the file itself. Other QGIS options (`layerid=`, `subset=`, …) are an error.
    public init(parsing text: String) throws {
        guard let bar = text.firstIndex(of: "|"), !FileManager.default.fileExists(atPath: text) else {
            self.init(file: text)
            return
        }
        var layer: String?
        for option in text[text.index(after: bar)...].split(separator: "|", omittingEmptySubsequences: false) {
            let parts = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].lowercased() == "layername" else {
                throw AtlasError(
                    file: String(text[..<bar]),
                    "'|\(option)' is not understood: name a layer as PATH|layername=NAME")
            }
            guard !parts[1].isEmpty else {
                throw AtlasError(file: String(text[..<bar]), "the layer name after '|layername=' is empty")
            }
            layer = String(parts[1])
        }
        self.init(file: String(text[..<bar]), layer: layer)
    }

    public var description: String { layer.map { "\(file)|layername=\($0)" } ?? file }
}
