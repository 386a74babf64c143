import CSQLite
import Foundation

/// Reads OGC GeoPackage files (SQLite databases with `gpkg_contents`, `gpkg_geometry_columns`
/// and `gpkg_spatial_ref_sys`): feature and attribute tables, geometries in GeoPackageBinary,
/// the CRS by its EPSG code or WKT definition. The file is checked for the SQLite header and
/// its declared size before SQLite reads it, so a renamed or truncated file gets an error that
/// says so.
public enum GeoPackage {
    public static let formatName = "GeoPackage"

    /// One layer as `gpkg_contents` and `gpkg_geometry_columns` declare it.
    public struct LayerInfo: Sendable, Hashable {
        public var name: String
        /// "features", or "attributes" for a table without geometry.
        public var dataType: String
        public var geometryColumn: String?
        /// As declared: "POINT", "MULTIPOLYGON", "GEOMETRY", …
        public var geometryType: String?
        public var srsID: Int?
        /// The extent `gpkg_contents` gives, in the layer's CRS.
        public var extent: Bounds?
    }

    /// The feature and attribute layers, in the order they were added.
    public static func layers(path: String) throws -> [LayerInfo] {
        try layers(in: try open(path: path))
    }

    /// Reads one layer. `layer` may be omitted when the file holds only one; `crs` is taken
    /// when the layer's CRS is undefined (srs_id 0 or -1).
    public static func read(path: String, layer name: String? = nil, crs assumed: CRS? = nil) throws -> Layer {
        let database = try open(path: path)
        let info = try choose(name, from: try layers(in: database), path: path)
        let source = LayerPath(file: path, layer: info.name).description
        var crs: CRS? = nil
        if let srsID = info.srsID { crs = try referenceSystem(srsID, layer: info.name, in: database) }
        var warnings: [String] = []
        let columns = try schema(of: info, in: database, source: source, warnings: &warnings)

        var sql = "SELECT " + (columns.fid.map(SQL.identifier) ?? "NULL") + ", "
            + (info.geometryColumn.map(SQL.identifier) ?? "NULL")
        for column in columns.fields { sql += ", " + SQL.identifier(column.name) }
        sql += " FROM " + SQL.identifier(info.name)
        if let fid = columns.fid { sql += " ORDER BY " + SQL.identifier(fid) }
        let statement: SQLiteStatement
        do {
            statement = try database.prepare(sql)
        } catch let error as AtlasError {
            throw AtlasError(file: source, error.message)
        }

        var features: [Feature] = []
        var repairs = 0
        var firstRepaired: Int?
        while try readRow(statement, source: source) {
            let record = features.count + 1
            let fid = statement.type(0) == SQLITE_INTEGER ? statement.integer(0) : Int64(record)
            var geometry: Geometry? = nil
            switch statement.type(1) {
            case SQLITE_NULL: break
            case SQLITE_BLOB:
                do {
                    geometry = try GeoPackageBinary.decode(statement.bytes(1))
                } catch let error as AtlasError {
                    throw AtlasError(file: source, record: record, "feature fid \(fid): \(error.message)")
                }
            default:
                throw AtlasError(file: source, record: record, field: info.geometryColumn,
                                 "feature fid \(fid): the geometry is not a blob")
            }
            var values: [Value] = []
            values.reserveCapacity(columns.fields.count)
            for (k, column) in columns.fields.enumerated() {
                let i = k + 2
                switch statement.type(i) {
                case SQLITE_NULL: values.append(.null)
                case SQLITE_INTEGER:
                    let v = statement.integer(i)
                    values.append(column.field.type == .boolean ? .bool(v != 0) : .int(Int(v)))
                case SQLITE_FLOAT: values.append(.double(statement.real(i)))
                case SQLITE_TEXT:
                    let before = repairs
                    let text = TextEncoding.utf8.decode(statement.bytes(i).bindMemory(to: UInt8.self), repairs: &repairs)
                    if repairs != before, firstRepaired == nil { firstRepaired = record }
                    values.append(.string(text))
                default:
                    throw AtlasError(file: source, record: record, field: column.name,
                                     "feature fid \(fid): a blob where the table declares \(column.declared)")
                }
            }
            features.append(Feature(geometry: geometry, values: values))
        }
        if repairs > 0 {
            warnings.append(
                "\(source): \(repairs) text values were not valid UTF-8 (first in record \(firstRepaired ?? 0));"
                    + " they were repaired")
        }
        var layer = Layer(
            source: source, format: formatName, crs: crs ?? assumed, fields: columns.fields.map(\.field),
            features: features, encoding: TextEncoding.utf8.name)
        layer.warnings = warnings
        return layer
    }

    /// The JSON metadata atlas stored with a layer (`gpkg_metadata` rows of type application/json
    /// referenced from the layer's table), as the (name, value) members they hold.
    public static func metadata(path: String, layer name: String? = nil) throws -> [(String, JSONValue)] {
        let database = try open(path: path)
        let info = try choose(name, from: try layers(in: database), path: path)
        guard try database.hasTable("gpkg_metadata"), try database.hasTable("gpkg_metadata_reference") else { return [] }
        let statement = try database.prepare("""
            SELECT m.id, m.metadata FROM gpkg_metadata_reference r JOIN gpkg_metadata m ON m.id = r.md_file_id
            WHERE r.reference_scope = 'table' AND lower(r.table_name) = lower(?) AND m.mime_type = 'application/json'
            ORDER BY m.id
            """)
        try statement.bind(1, .text(info.name))
        var members: [(String, JSONValue)] = []
        while try statement.step() {
            let id = statement.integer(0)
            let value: JSONValue
            do {
                value = try JSONParser.parse([UInt8](statement.bytes(1)))
            } catch let error as AtlasError {
                throw AtlasError(file: path, record: Int(id), "gpkg_metadata row \(id) is not valid JSON: \(error.message)")
            }
            if case .object(let pairs) = value { members += pairs }
        }
        return members
    }

    // MARK: - Opening

    static let sqliteMagic = Array("SQLite format 3\u{0}".utf8)

    /// Opens the file read-only after checking that it is an SQLite database of the size its
    /// header declares and that it has the GeoPackage tables.
    static func open(path: String) throws -> SQLiteDatabase {
        try checkHeader(path: path)
        let database = try SQLiteDatabase(path: path, readOnly: true)
        // Triggers and views in a file from elsewhere must not call functions with side effects.
        try? database.execute("PRAGMA trusted_schema = OFF")
        let hasContents: Bool
        do {
            hasContents = try database.hasTable("gpkg_contents")
        } catch let error as AtlasError {
            throw AtlasError(file: path, "cannot read the GeoPackage: \(error.message) (a corrupt or truncated file?)")
        }
        guard hasContents else {
            throw AtlasError(file: path, "not a GeoPackage: the SQLite database has no gpkg_contents table")
        }
        return database
    }

    /// The SQLite header: the magic string, and a page count × page size the file can hold.
    static func checkHeader(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw AtlasError(file: path, "cannot open for reading")
        }
        defer { try? handle.close() }
        let header = [UInt8](try handle.read(upToCount: 100) ?? Data())
        guard header.count >= 16, Array(header[0..<16]) == sqliteMagic else {
            throw AtlasError(
                file: path, "not a GeoPackage: not an SQLite database (the file does not start with 'SQLite format 3')")
        }
        let size = Int(try handle.seekToEnd())
        guard header.count == 100 else {
            throw AtlasError(file: path, "truncated: \(size) bytes, shorter than the 100-byte SQLite header")
        }
        func bigEndian(_ at: Int, _ n: Int) -> Int { header[at..<at + n].reduce(0) { $0 << 8 | Int($1) } }
        let rawPageSize = bigEndian(16, 2)
        let pageSize = rawPageSize == 1 ? 65536 : rawPageSize
        guard pageSize >= 512, pageSize & (pageSize - 1) == 0 else {
            throw AtlasError(file: path, "corrupt SQLite header: page size \(rawPageSize)")
        }
        // The page count in the header is valid when the change counter matches "version valid for".
        let pages = bigEndian(28, 4)
        if pages > 0, bigEndian(24, 4) == bigEndian(92, 4), pages * pageSize > size {
            throw AtlasError(
                file: path,
                "truncated: the SQLite header says \(pages) pages of \(pageSize) bytes (\(pages * pageSize) bytes),"
                    + " the file has \(size)")
        }
    }

    static func layers(in database: SQLiteDatabase) throws -> [LayerInfo] {
        let hasGeometryColumns = try database.hasTable("gpkg_geometry_columns")
        let sql = hasGeometryColumns
            ? """
            SELECT c.table_name, c.data_type, g.column_name, g.geometry_type_name, g.srs_id, c.srs_id,
                   c.min_x, c.min_y, c.max_x, c.max_y
            FROM gpkg_contents c LEFT JOIN gpkg_geometry_columns g ON lower(g.table_name) = lower(c.table_name)
            WHERE c.data_type IN ('features', 'attributes') ORDER BY c.rowid
            """
            : """
            SELECT table_name, data_type, NULL, NULL, NULL, srs_id, min_x, min_y, max_x, max_y
            FROM gpkg_contents WHERE data_type IN ('features', 'attributes') ORDER BY rowid
            """
        let statement = try database.prepare(sql)
        var result: [LayerInfo] = []
        while try readRow(statement, source: database.name) {
            let name = statement.text(0)
            let dataType = statement.text(1)
            var info = LayerInfo(name: name, dataType: dataType)
            if statement.type(2) == SQLITE_TEXT {
                info.geometryColumn = statement.text(2)
                info.geometryType = statement.text(3).uppercased()
                info.srsID = statement.type(4) == SQLITE_INTEGER ? Int(statement.integer(4)) : nil
            } else if dataType == "features" {
                throw AtlasError(file: LayerPath(file: database.name, layer: name).description,
                                 "the feature table has no row in gpkg_geometry_columns")
            }
            if (6...9).allSatisfy({ statement.type($0) != SQLITE_NULL }) {
                info.extent = Bounds(minX: statement.real(6), minY: statement.real(7), maxX: statement.real(8), maxY: statement.real(9))
            }
            result.append(info)
        }
        return result
    }

    /// A step that names the file when SQLite finds the database corrupt.
    private static func readRow(_ statement: SQLiteStatement, source: String) throws -> Bool {
        do {
            return try statement.step()
        } catch let error as AtlasError {
            throw AtlasError(file: source, "cannot read the GeoPackage: \(error.message) (a corrupt or truncated file?)")
        }
    }

    /// The named layer, or the only one; an error listing the layers otherwise.
    static func choose(_ name: String?, from layers: [LayerInfo], path: String) throws -> LayerInfo {
        let names = layers.map(\.name).joined(separator: ", ")
        guard let name else {
            guard layers.count == 1 else {
                if layers.isEmpty { throw AtlasError(file: path, "the GeoPackage holds no feature or attribute layers") }
                throw AtlasError(
                    file: path, "the GeoPackage holds \(layers.count) layers (\(names)): name one as \(path)|layername=NAME")
            }
            return layers[0]
        }
        if let exact = layers.first(where: { $0.name == name }) { return exact }
        if let folded = layers.first(where: { $0.name.lowercased() == name.lowercased() }) { return folded }
        throw AtlasError(file: path, "no layer '\(name)' in the GeoPackage; it holds: \(names.isEmpty ? "no layers" : names)")
    }

    // MARK: - CRS and schema

    /// The CRS of an srs_id: the organisation's code when PROJ knows it (EPSG:3006), else the
    /// WKT definition; nil for the undefined systems (-1 and 0).
    static func referenceSystem(_ srsID: Int, layer: String, in database: SQLiteDatabase) throws -> CRS? {
        let source = LayerPath(file: database.name, layer: layer).description
        let statement = try database.prepare(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?")
        try statement.bind(1, .integer(Int64(srsID)))
        guard try readRow(statement, source: source) else {
            throw AtlasError(file: source, "srs_id \(srsID) is not in gpkg_spatial_ref_sys")
        }
        let organization = statement.text(0)
        let code = statement.integer(1)
        let definition = statement.text(2).trimmingCharacters(in: .whitespacesAndNewlines)
        let undefined = definition.isEmpty || definition.lowercased() == "undefined"
        if (srsID == 0 || srsID == -1) && undefined { return nil }

        var candidates: [CRS] = []
        if !organization.isEmpty, organization.uppercased() != "NONE", code > 0 {
            candidates.append(organization.uppercased() == "EPSG" ? CRS(epsg: Int(code)) : CRS(definition: "\(organization):\(code)"))
        }
        if !undefined { candidates.append(CRS(definition: definition)) }
        guard !candidates.isEmpty else {
            throw AtlasError(file: source, "srs_id \(srsID) has neither a known code nor a definition in gpkg_spatial_ref_sys")
        }
        if let known = candidates.first(where: acceptedDefinitions.contains) { return known }
        let context = try PROJContext()
        var reasons: [String] = []
        for candidate in candidates {
            do {
                _ = try candidate.info(context: context)
                acceptedDefinitions.insert(candidate)
                return candidate
            } catch let error as AtlasError {
                reasons.append(error.message)
            }
        }
        let what = code > 0 ? "\(organization):\(code)" : "the definition"
        throw AtlasError(
            file: source, "unknown CRS \(what) (srs_id \(srsID) in gpkg_spatial_ref_sys): \(reasons.joined(separator: "; "))")
    }

    /// The CRSs PROJ has accepted in this process: a file's layers, and files read again, share
    /// one reference system, and asking PROJ costs a context and a database lookup.
    static let acceptedDefinitions = AcceptedCRSs()

    final class AcceptedCRSs: @unchecked Sendable {
        private let lock = NSLock()
        private var definitions: Set<CRS> = []

        func contains(_ crs: CRS) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            return definitions.contains(crs)
        }

        func insert(_ crs: CRS) {
            lock.lock()
            defer { lock.unlock() }
            definitions.insert(crs)
        }
    }

    struct Column {
        var name: String
        var declared: String
        var field: Field
    }

    /// The fid column (the INTEGER PRIMARY KEY) and the attribute columns with their field types.
    static func schema(of info: LayerInfo, in database: SQLiteDatabase, source: String, warnings: inout [String]) throws
        -> (fid: String?, fields: [Column])
    {
        let statement = try database.prepare("PRAGMA table_info(\(SQL.identifier(info.name)))")
        var rows: [(name: String, type: String, pk: Int64)] = []
        while try readRow(statement, source: source) {
            rows.append((statement.text(1), statement.text(2).uppercased(), statement.integer(5)))
        }
        guard !rows.isEmpty else { throw AtlasError(file: source, "the table '\(info.name)' does not exist") }
        let keys = rows.filter { $0.pk > 0 }
        let fid = keys.count == 1 && keys[0].type == "INTEGER" ? keys[0].name : nil
        let geometry = info.geometryColumn?.lowercased()
        if let geometry, !rows.contains(where: { $0.name.lowercased() == geometry }) {
            throw AtlasError(file: source, field: info.geometryColumn, "gpkg_geometry_columns names a column the table does not have")
        }
        var columns: [Column] = []
        var skipped: [String] = []
        for row in rows where row.name != fid && row.name.lowercased() != geometry {
            guard let type = fieldType(declared: row.type) else {
                skipped.append(row.name)
                continue
            }
            columns.append(Column(name: row.name, declared: row.type.isEmpty ? "no type" : row.type, field: Field(row.name, type)))
        }
        if !skipped.isEmpty {
            warnings.append("\(source): blob columns are not read: \(skipped.joined(separator: ", "))")
        }
        return (fid, columns)
    }

    /// The field type of a declared column type (GeoPackage 1.2 §1.1.1.1.3, and SQLite's
    /// affinity rules for other names); nil for blobs.
    static func fieldType(declared: String) -> FieldType? {
        let base = declared.split(separator: "(").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        switch base {
        case "BOOLEAN": return .boolean
        case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT": return .integer
        case "REAL", "DOUBLE", "FLOAT": return .real
        case "TEXT": return .string
        case "DATE": return .date
        // DATETIME values stay ISO 8601 text.
        case "DATETIME": return .string
        case "BLOB": return nil
        default:
            if base.contains("INT") { return .integer }
            if base.contains("CHAR") || base.contains("CLOB") || base.contains("TEXT") { return .string }
            if base.contains("REAL") || base.contains("FLOA") || base.contains("DOUB") { return .real }
            if base.contains("BLOB") { return nil }
            return .string
        }
    }
}
