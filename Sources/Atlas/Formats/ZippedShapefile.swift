import Foundation

/// Reads a shapefile delivered as a zip (`X.zip`, `X.shp.zip`), as agencies send them: the
/// set's members are extracted to a temporary folder, removed afterwards, and read by
/// `Shapefile`. An archive with several sets needs the set named with `|layername=`.
public enum ZippedShapefile {
    /// One shapefile set in an archive.
    struct ShapefileSet {
        /// The `.shp`'s name without folders and extension.
        var name: String
        /// The members by lower-case extension: shp, shx, dbf, prj, cpg.
        var members: [String: ZipEntry]
    }

    /// The names of the shapefile sets in the archive (each `.shp`'s name without extension).
    public static func layers(path: String) throws -> [String] {
        try sets(in: try ZipArchive(path: path)).map(\.name)
    }

    public static func read(path: String, layer: String? = nil, crs: CRS? = nil) throws -> Layer {
        let archive = try ZipArchive(path: path)
        let sets = try sets(in: archive)
        let names = sets.map(\.name).joined(separator: ", ")
        let chosen: ShapefileSet
        if let layer {
            guard let match = sets.first(where: { $0.name == layer }) ?? sets.first(where: { $0.name.lowercased() == layer.lowercased() })
            else {
                throw AtlasError(file: path, "no shapefile '\(layer)' in the archive; it holds: \(names.isEmpty ? "none" : names)")
            }
            chosen = match
        } else {
            guard sets.count == 1 else {
                if sets.isEmpty { throw AtlasError(file: path, "the archive holds no shapefile (no .shp member)") }
                throw AtlasError(file: path, "the archive holds \(sets.count) shapefiles (\(names)): name one as \(path)|layername=NAME")
            }
            chosen = sets[0]
        }

        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("atlas-shp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        } catch {
            throw AtlasError(file: path, "cannot make a temporary folder to extract the shapefile: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var memberOf: [String: String] = [:]
        for (ext, entry) in chosen.members {
            let target = folder + "/layer." + ext
            memberOf[target] = path + "/" + entry.name
            guard let file = fopen(target, "wb") else {
                throw AtlasError(file: path, "cannot extract \(entry.name): \(String(cString: strerror(errno)))")
            }
            defer { fclose(file) }
            try archive.read(entry) { piece in
                guard fwrite(piece.baseAddress, 1, piece.count, file) == piece.count else {
                    throw AtlasError(file: path, "cannot extract \(entry.name): \(String(cString: strerror(errno)))")
                }
            }
            guard fflush(file) == 0 else {
                throw AtlasError(file: path, "cannot extract \(entry.name): \(String(cString: strerror(errno)))")
            }
        }
        do {
            var layer = try Shapefile.read(path: folder + "/layer.shp", crs: crs)
            layer.source = path + "/" + chosen.members["shp"]!.name
            return layer
        } catch var error as AtlasError {
            // Errors name the member of the archive, not the temporary copy.
            if let file = error.file { error.file = memberOf[file] ?? (file.hasPrefix(folder) ? path : file) }
            error.message = error.message.replacingOccurrences(of: folder + "/layer", with: path + "/" + chosen.name)
            throw error
        }
    }

    /// The shapefile sets: every `.shp` member with the companions of the same name beside it
    /// (macOS resource forks left out).
    static func sets(in archive: ZipArchive) throws -> [ShapefileSet] {
        let files = archive.entries.filter {
            !$0.isFolder && !$0.name.hasPrefix("__MACOSX/") && !($0.name.split(separator: "/").last ?? "").hasPrefix("._")
        }
        var result: [ShapefileSet] = []
        for shp in files where shp.name.lowercased().hasSuffix(".shp") {
            let stem = String(shp.name.dropLast(4))
            var members: [String: ZipEntry] = [:]
            for entry in files {
                let lowered = entry.name.lowercased()
                for ext in ["shp", "shx", "dbf", "prj", "cpg"] where lowered == stem.lowercased() + "." + ext {
                    members[ext] = entry
                }
            }
            let name = String(stem.split(separator: "/").last ?? Substring(stem))
            result.append(ShapefileSet(name: name, members: members))
        }
        return result
    }
}
