import Foundation

/// The files that make a build's layers ready for a portal: a QGIS style beside each areas layer,
/// one Origo snippet for all of them, and a map page.
public enum PortalFiles {
    /// One layer a build wrote.
    public struct BuiltLayer: Sendable {
        /// Where the file is now (the staging folder).
        public var path: String
        /// Its name relative to the output folder, as the portal files refer to it.
        public var name: String
        /// The field to show; nil: the layer's `"atlas:run"` primary property.
        public var field: String?
        /// The layer's title in the portal.
        public var title: String?

        public init(path: String, name: String, field: String?, title: String? = nil) {
            self.path = path
            self.name = name
            self.field = field
            self.title = title
        }
    }

    public static let origoName = "origo.json"
    public static let mapName = "map.html"

    /// Writes `<layer>.qml` beside each layer, `origo.json` and `map.html` into `folder` (the
    /// build's staging folder); returns the names written, relative to it. Names in `taken` are
    /// left alone. A layer without a value to map is left out with a warning, and so is the map
    /// page when Leaflet is not installed.
    public static func writeForProject(
        _ layers: [BuiltLayer], folder: URL, taken: [String], title: String, language: ReportLanguage, session: Session
    ) throws -> [String] {
        var written: [String] = []
        var styles: [LayerStyle] = []
        var entries: [MapPage.Entry] = []
        func free(_ name: String) -> Bool {
            if taken.contains(name) || written.contains(name) {
                session.diagnostics.warning("\(name) is written by a run; no portal file of that name was made")
                return false
            }
            return true
        }
        for built in layers {
            let layer = try GeoJSONReader.read(path: built.path)
            guard let field = built.field ?? layer.metadata["atlas:run"]?["primary"]?.string else {
                session.diagnostics.warning("\(built.name): no value field to style")
                continue
            }
            let style: LayerStyle
            do {
                style = try LayerStyle(layer: layer, source: built.name, field: field, title: built.title, language: language)
            } catch let error as AtlasError {
                session.diagnostics.warning("\(built.name): no style: \(error.message)")
                continue
            }
            let qml = (built.name as NSString).deletingPathExtension + ".qml"
            if free(qml) {
                try QGISStyle.write(style, to: folder.appendingPathComponent(qml).path)
                written.append(qml)
            }
            if layer.features.count > MapPage.maximumFeatures {
                session.diagnostics.warning(
                    "\(built.name): \(layer.features.count) features are too many for \(mapName) (at most \(MapPage.maximumFeatures)); export a smaller layer for the map")
                styles.append(style)
            } else {
                entries.append(MapPage.Entry(layer: try layer.reprojected(to: .wgs84, context: session.proj), style: style))
                styles.append(style)
            }
        }
        guard !styles.isEmpty else { return written }
        if free(origoName) {
            try OrigoConfig.write(styles, to: folder.appendingPathComponent(origoName).path)
            written.append(origoName)
        }
        if !entries.isEmpty, free(mapName) {
            do {
                let leaflet = try LeafletAssets.load()
                try MapPage(title: title, entries: entries, language: language)
                    .write(to: folder.appendingPathComponent(mapName).path, leaflet: leaflet)
                written.append(mapName)
            } catch let error as AtlasError where error.message.hasPrefix("Leaflet is missing") {
                session.diagnostics.warning("\(mapName) not written: \(error)")
            }
        }
        session.diagnostics.info("wrote portal files: \(written.joined(separator: ", "))")
        return written
    }

    /// `path` relative to the folder of `file` (with `..` where needed), so that a style or page
    /// written as `file` finds it.
    public static func relativePath(of path: String, from file: String) -> String {
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().pathComponents
        var common = 0
        while common < target.count - 1, common < base.count, target[common] == base[common] { common += 1 }
        let ups = Array(repeating: "..", count: base.count - common)
        return (ups + target[common...]).joined(separator: "/")
    }
}
