import CSQLite
import Foundation

/// Streams one layer into a GeoPackage 1.2 file, with the shape of `GeoJSONWriter`: features
/// arrive in WGS 84 lon/lat and are stored in `crs`; `finish()` writes the extent, the geometry
/// type, the R-tree index triggers and the metadata, and moves the file into place.
///
/// The work happens on a temporary copy in the target's folder (of the existing GeoPackage,
/// when there is one: its other layers are kept, a layer of the same name is replaced), in one
/// transaction; the target changes only when `finish()` succeeds, so a failed or abandoned
/// write leaves the old file whole.
public final class GeoPackageWriter {
    public let path: String
    /// The table name: the file's stem unless given.
    public let layer: String
    public let fields: [Field]
    public let crs: CRS
    public private(set) var count = 0

    private let file: AtomicFile
    private var database: SQLiteDatabase?
    private let transformer: Transformer?
    private let srsID: Int32
    private let foreignMembers: [(String, JSONValue)]
    private let fidColumn: String
    private let geometryColumn: String
    private var insert: SQLiteStatement?
    /// The spatial index's entries, loaded in one pass at the end.
    private var indexEntries: [RTreeBulkLoad.Entry] = []
    /// The geometry type the table was created with, once it exists.
    private var declaredType: String?
    /// The types of the geometries written ("Polygon", "MultiPolygon", …).
    private var writtenTypes: Set<String> = []
    private var extent = Bounds.empty

    /// GeoPackage 1.2 (`PRAGMA user_version`); the application id is "GPKG".
    static let userVersion = 10200
    static let applicationID: Int32 = 0x4750_4B47

    /// - Parameters:
    ///   - layer: the table name; the file's stem (`areas` for `areas.gpkg`) when nil.
    ///   - crs: the CRS the layer is stored in; features are reprojected from WGS 84 to it.
    ///   - foreignMembers: JSON values stored as layer metadata (`gpkg_metadata`, application/json),
    ///     one row per member, as `{"name": value}`.
    public convenience init(
        path: String, layer: String? = nil, fields: [Field], crs: CRS = .wgs84,
        foreignMembers: [(String, JSONValue)] = []
    ) throws {
        try self.init(path: path, layer: layer, fields: fields, crs: crs, foreignMembers: foreignMembers, featureCRS: .wgs84)
    }

    /// With `featureCRS`, features arrive in that CRS instead of WGS 84 (a layer stored in the
    /// CRS it was read in is then not transformed at all).
    init(
        path: String, layer: String?, fields: [Field], crs: CRS, foreignMembers: [(String, JSONValue)], featureCRS: CRS
    ) throws {
        let layer = layer ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let described = LayerPath(file: path, layer: layer).description
        try Self.validate(layer: layer, fields: fields, path: described)
        self.path = path
        self.layer = layer
        self.fields = fields
        self.crs = crs
        self.foreignMembers = foreignMembers
        let names = Set(fields.map { $0.name.lowercased() })
        fidColumn = ["fid", "fid_", "atlas_fid"].first { !names.contains($0) } ?? "atlas_fid_\(fields.count)"
        geometryColumn = ["geom", "geometry", "atlas_geom"].first { !names.contains($0) } ?? "atlas_geom_\(fields.count)"

        // An existing file is only ever added to, so it has to be a GeoPackage.
        var existing: SQLiteDatabase? = nil
        if FileManager.default.fileExists(atPath: path) {
            do {
                existing = try GeoPackage.open(path: path)
            } catch let error as AtlasError {
                throw AtlasError(
                    file: path,
                    "exists and atlas adds layers only to a GeoPackage (\(error.message)); remove it or write elsewhere")
            }
        }
        let context = try PROJContext()
        do {
            transformer = crs == featureCRS ? nil : try Transformer(from: featureCRS, to: crs, context: context)
        } catch let error as AtlasError {
            throw AtlasError(file: described, "cannot store the layer in \(crs.label): \(error.message)")
        }
        file = try AtomicFile(path: path)
        let database = try SQLiteDatabase(path: try file.releaseTemporaryPath(), name: path, readOnly: false)
        self.database = database
        // The temporary copy is the safety net: no journal file beside it, no syncs until the end.
        try database.execute("PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF")
        if let existing {
            try database.copy(from: existing)
            try database.execute("PRAGMA journal_mode = MEMORY")
        } else {
            try database.execute("PRAGMA application_id = \(Self.applicationID); PRAGMA user_version = \(Self.userVersion)")
        }
        try database.execute("BEGIN")
        try Self.createCoreTables(in: database, context: context)
        try Self.dropLayer(layer, in: database, path: described)
        srsID = try Self.referenceSystem(for: crs, in: database, context: context, path: described)
        try database.execute("CREATE VIRTUAL TABLE \(SQL.identifier(indexName)) USING rtree(id, minx, maxx, miny, maxy)")
    }

    /// Writes one feature whose geometry is in WGS 84 lon/lat (or the `featureCRS`).
    public func write(_ feature: Feature) throws {
        guard let database else { throw AtlasError(file: path, "write after finish()") }
        let record = count + 1
        guard feature.values.count == fields.count else {
            throw AtlasError(file: described, record: record, "\(feature.values.count) values for \(fields.count) fields")
        }
        var blob: [UInt8]? = nil
        var bounds: Bounds? = nil
        if var geometry = feature.geometry {
            do {
                if let transformer { geometry = try transformer.transform(geometry) }
                (blob, bounds) = try GeoPackageBinary.encode(geometry, srsID: srsID)
            } catch let error as AtlasError {
                throw AtlasError(file: described, record: record, error.message)
            }
            if let bounds {
                writtenTypes.insert(geometry.typeName)
                extent.extend(bounds)
            }
        }
        if declaredType == nil {
            try createTable(type: feature.geometry.flatMap { bounds == nil ? nil : Self.sqlTypeName($0.typeName) } ?? "GEOMETRY")
        }
        guard let insert else { throw AtlasError(file: path, "the feature table was not created") }
        if let blob { try insert.bind(1, blob: blob) } else { try insert.bind(1, .null) }
        for (k, value) in feature.values.enumerated() {
            switch value {
            case .null: try insert.bind(k + 2, .null)
            case .bool(let b): try insert.bind(k + 2, .integer(b ? 1 : 0))
            case .int(let i): try insert.bind(k + 2, .integer(Int64(i)))
            case .double(let d): try insert.bind(k + 2, d.isFinite ? .real(d) : .null)
            case .string(let s): try insert.bind(k + 2, .text(s))
            }
        }
        do {
            try insert.run()
            if let bounds { indexEntries.append(RTreeBulkLoad.Entry(id: database.lastInsertedRow, bounds: bounds)) }
        } catch let error as AtlasError {
            throw AtlasError(file: described, record: record, error.message)
        }
        count += 1
    }

    /// Completes the layer's tables, commits and moves the file into place; returns the number
    /// of features written.
    @discardableResult
    public func finish() throws -> Int {
        guard let database else { throw AtlasError(file: path, "finish() called twice") }
        if declaredType == nil { try createTable(type: "GEOMETRY") }
        let finalType = Self.layerType(writtenTypes)
        if finalType != declaredType { try retype(to: finalType, in: database) }
        insert = nil
        try RTreeBulkLoad.load(indexEntries, into: indexName, in: database)
        indexEntries = []
        try createIndexTriggers(in: database)
        let bounds: [SQLiteValue] = extent.isEmpty
            ? [.null, .null, .null, .null] : [.real(extent.minX), .real(extent.minY), .real(extent.maxX), .real(extent.maxY)]
        try database.run("""
            INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
            VALUES (?, 'features', ?, '', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, ?, ?, ?, ?)
            """, .text(layer), .text(layer), bounds[0], bounds[1], bounds[2], bounds[3], .integer(Int64(srsID)))
        try database.run(
            "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES (?, ?, ?, ?, 0, 0)",
            .text(layer), .text(geometryColumn), .text(finalType), .integer(Int64(srsID)))
        try Self.register(
            extension: "gpkg_rtree_index", table: layer, column: geometryColumn,
            definition: "http://www.geopackage.org/spec120/#extension_rtree", scope: "write-only", in: database)
        try storeMetadata(in: database)
        try database.execute("COMMIT")
        try database.close()
        self.database = nil
        try file.commit()
        return count
    }

    private var described: String { LayerPath(file: path, layer: layer).description }

    /// The R-tree's name as the GeoPackage R-tree extension spells it.
    private var indexName: String { "rtree_\(layer)_\(geometryColumn)" }

    // MARK: - Layer tables

    private func columnDefinitions(geometryType: String) -> String {
        var sql = "\(SQL.identifier(fidColumn)) INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \(SQL.identifier(geometryColumn)) \(geometryType)"
        for field in fields {
            let type: String
            switch field.type {
            case .string: type = "TEXT"
            case .integer: type = "INTEGER"
            case .real: type = "REAL"
            case .boolean: type = "BOOLEAN"
            case .date: type = "DATE"
            }
            sql += ", \(SQL.identifier(field.name)) \(type)"
        }
        return sql
    }

    private func createTable(type: String) throws {
        guard let database else { return }
        try database.execute("CREATE TABLE \(SQL.identifier(layer)) (\(columnDefinitions(geometryType: type)))")
        declaredType = type
        let placeholders = Array(repeating: "?", count: fields.count + 1).joined(separator: ", ")
        let names = ([geometryColumn] + fields.map(\.name)).map(SQL.identifier).joined(separator: ", ")
        insert = try database.prepare("INSERT INTO \(SQL.identifier(layer)) (\(names)) VALUES (\(placeholders))")
    }

    /// Recreates the table with the geometry type the features turned out to have (GeoPackage
    /// wants the column's declared type to be the one in gpkg_geometry_columns); in a layer of
    /// polygons and multipolygons the polygons become one-part multipolygons.
    private func retype(to type: String, in database: SQLiteDatabase) throws {
        insert = nil
        let table = SQL.identifier(layer)
        let staging = SQL.identifier("atlas_staging_\(layer)")
        try database.execute("""
            CREATE TABLE \(staging) (\(columnDefinitions(geometryType: type)));
            INSERT INTO \(staging) SELECT * FROM \(table);
            DROP TABLE \(table);
            ALTER TABLE \(staging) RENAME TO \(table)
            """)
        declaredType = type
        guard type.hasPrefix("MULTI") else { return }
        let single = SQL.identifier(geometryColumn)
        let select = try database.prepare("SELECT \(SQL.identifier(fidColumn)), \(single) FROM \(table) WHERE \(single) IS NOT NULL")
        var promoted: [(Int64, [UInt8])] = []
        while try select.step() {
            if let blob = GeoPackageBinary.promotedToMulti([UInt8](select.bytes(1))) { promoted.append((select.integer(0), blob)) }
        }
        let update = try database.prepare("UPDATE \(table) SET \(single) = ? WHERE \(SQL.identifier(fidColumn)) = ?")
        for (fid, blob) in promoted {
            try update.bind(1, blob: blob)
            try update.bind(2, .integer(fid))
            try update.run()
        }
    }

    /// The triggers that keep the R-tree in step with later edits (GeoPackage 1.2, F.3); they call
    /// the ST_ functions GeoPackage readers such as GDAL provide.
    private func createIndexTriggers(in database: SQLiteDatabase) throws {
        let t = SQL.identifier(layer), c = SQL.identifier(geometryColumn), i = SQL.identifier(fidColumn)
        let name = indexName
        let r = SQL.identifier(name)
        func trigger(_ suffix: String) -> String { SQL.identifier(name + "_" + suffix) }
        let values = "VALUES (NEW.\(i), ST_MinX(NEW.\(c)), ST_MaxX(NEW.\(c)), ST_MinY(NEW.\(c)), ST_MaxY(NEW.\(c)))"
        try database.execute("""
            CREATE TRIGGER \(trigger("insert")) AFTER INSERT ON \(t)
              WHEN (NEW.\(c) NOT NULL AND NOT ST_IsEmpty(NEW.\(c)))
            BEGIN INSERT OR REPLACE INTO \(r) \(values); END;
            CREATE TRIGGER \(trigger("update1")) AFTER UPDATE OF \(c) ON \(t)
              WHEN OLD.\(i) = NEW.\(i) AND (NEW.\(c) NOTNULL AND NOT ST_IsEmpty(NEW.\(c)))
            BEGIN INSERT OR REPLACE INTO \(r) \(values); END;
            CREATE TRIGGER \(trigger("update2")) AFTER UPDATE OF \(c) ON \(t)
              WHEN OLD.\(i) = NEW.\(i) AND (NEW.\(c) ISNULL OR ST_IsEmpty(NEW.\(c)))
            BEGIN DELETE FROM \(r) WHERE id = OLD.\(i); END;
            CREATE TRIGGER \(trigger("update3")) AFTER UPDATE ON \(t)
              WHEN OLD.\(i) != NEW.\(i) AND (NEW.\(c) NOTNULL AND NOT ST_IsEmpty(NEW.\(c)))
            BEGIN DELETE FROM \(r) WHERE id = OLD.\(i); INSERT OR REPLACE INTO \(r) \(values); END;
            CREATE TRIGGER \(trigger("update4")) AFTER UPDATE ON \(t)
              WHEN OLD.\(i) != NEW.\(i) AND (NEW.\(c) ISNULL OR ST_IsEmpty(NEW.\(c)))
            BEGIN DELETE FROM \(r) WHERE id IN (OLD.\(i), NEW.\(i)); END;
            CREATE TRIGGER \(trigger("delete")) AFTER DELETE ON \(t)
              WHEN OLD.\(c) NOT NULL
            BEGIN DELETE FROM \(r) WHERE id = OLD.\(i); END;
            """)
    }

    /// Each foreign member as a `gpkg_metadata` row (application/json) referenced from the table.
    private func storeMetadata(in database: SQLiteDatabase) throws {
        guard !foreignMembers.isEmpty else { return }
        try database.execute("""
            CREATE TABLE IF NOT EXISTS gpkg_metadata (
              id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
              md_scope TEXT NOT NULL DEFAULT 'dataset',
              md_standard_uri TEXT NOT NULL,
              mime_type TEXT NOT NULL DEFAULT 'text/xml',
              metadata TEXT NOT NULL DEFAULT '');
            CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (
              reference_scope TEXT NOT NULL,
              table_name TEXT,
              column_name TEXT,
              row_id_value INTEGER,
              timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
              md_file_id INTEGER NOT NULL,
              md_parent_id INTEGER,
              CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
              CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))
            """)
        for table in ["gpkg_metadata", "gpkg_metadata_reference"] {
            try Self.register(
                extension: "gpkg_metadata", table: table, column: nil,
                definition: "http://www.geopackage.org/spec120/#extension_metadata", scope: "read-write", in: database)
        }
        let metadata = try database.prepare("""
            INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata)
            VALUES ('dataset', 'https://www.rfc-editor.org/rfc/rfc8259', 'application/json', ?)
            """)
        let reference = try database.prepare("""
            INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, row_id_value, timestamp, md_file_id)
            VALUES ('table', ?, NULL, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?)
            """)
        for member in foreignMembers {
            try metadata.bind(1, .text(JSONValue.object([member]).serialized))
            try metadata.run()
            try reference.bind(1, .text(layer))
            try reference.bind(2, .integer(database.lastInsertedRow))
            try reference.run()
        }
    }

    // MARK: - The GeoPackage's own tables

    static func validate(layer: String, fields: [Field], path: String) throws {
        guard !layer.isEmpty else { throw AtlasError(file: path, "the layer name is empty") }
        let lowered = layer.lowercased()
        for reserved in ["gpkg_", "rtree_", "sqlite_"] where lowered.hasPrefix(reserved) {
            throw AtlasError(file: path, "a layer name may not start with '\(reserved)' (reserved by GeoPackage and SQLite)")
        }
        var seen: Set<String> = []
        for field in fields {
            guard !field.name.isEmpty else { throw AtlasError(file: path, "a field has an empty name") }
            guard seen.insert(field.name.lowercased()).inserted else {
                throw AtlasError(file: path, field: field.name, "two fields have this name (GeoPackage column names ignore case)")
            }
        }
    }

    /// The core tables of GeoPackage 1.2 (§1.1.2, §1.1.3, §2.1.6, §2.3) with the three required
    /// reference systems, where the file does not have them yet.
    static func createCoreTables(in database: SQLiteDatabase, context: PROJContext) throws {
        try database.execute("""
            CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
              srs_name TEXT NOT NULL,
              srs_id INTEGER NOT NULL PRIMARY KEY,
              organization TEXT NOT NULL,
              organization_coordsys_id INTEGER NOT NULL,
              definition TEXT NOT NULL,
              description TEXT);
            CREATE TABLE IF NOT EXISTS gpkg_contents (
              table_name TEXT NOT NULL PRIMARY KEY,
              data_type TEXT NOT NULL,
              identifier TEXT UNIQUE,
              description TEXT DEFAULT '',
              last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
              min_x DOUBLE,
              min_y DOUBLE,
              max_x DOUBLE,
              max_y DOUBLE,
              srs_id INTEGER,
              CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
            CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
              table_name TEXT NOT NULL,
              column_name TEXT NOT NULL,
              geometry_type_name TEXT NOT NULL,
              srs_id INTEGER NOT NULL,
              z TINYINT NOT NULL,
              m TINYINT NOT NULL,
              CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
              CONSTRAINT uk_gc_table_name UNIQUE (table_name),
              CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
              CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
            CREATE TABLE IF NOT EXISTS gpkg_extensions (
              table_name TEXT,
              column_name TEXT,
              extension_name TEXT NOT NULL,
              definition TEXT NOT NULL,
              scope TEXT NOT NULL,
              CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))
            """)
        let wgs84 = try CRS.wgs84.wkt(context: context)
        let required: [(String, Int, String, Int, String, String)] = [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
            ("WGS 84 geodetic", 4326, "EPSG", 4326, wgs84, "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
        ]
        for (name, id, organization, code, definition, description) in required
        where try database.scalar("SELECT 1 FROM gpkg_spatial_ref_sys WHERE srs_id = ?", .integer(Int64(id))) == nil {
            try insertReferenceSystem(
                name: name, id: id, organization: organization, code: code, definition: definition,
                definition2: id == 4326 ? try CRS.wgs84.wkt(version2: true, context: context) : "undefined",
                description: description, in: database)
        }
    }

    private static func insertReferenceSystem(
        name: String, id: Int, organization: String, code: Int, definition: String, definition2: String,
        description: String?, in database: SQLiteDatabase
    ) throws {
        // A file with the CRS WKT extension has a definition_12_063 column that must be filled.
        let columns = try database.prepare("PRAGMA table_info(gpkg_spatial_ref_sys)")
        var hasWKT2 = false
        while try columns.step() {
            if columns.text(1) == "definition_12_063" { hasWKT2 = true }
        }
        let statement = try database.prepare(
            "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition, description"
                + (hasWKT2 ? ", definition_12_063) VALUES (?, ?, ?, ?, ?, ?, ?)" : ") VALUES (?, ?, ?, ?, ?, ?)"))
        try statement.bind(1, .text(name))
        try statement.bind(2, .integer(Int64(id)))
        try statement.bind(3, .text(organization))
        try statement.bind(4, .integer(Int64(code)))
        try statement.bind(5, .text(definition))
        try statement.bind(6, description.map { .text($0) } ?? .null)
        if hasWKT2 { try statement.bind(7, .text(definition2)) }
        try statement.run()
    }

    /// The srs_id for the output CRS: the file's row for its EPSG code, else a new row (srs_id =
    /// the code when free); a CRS without an EPSG code gets an organisation NONE row with its WKT.
    static func referenceSystem(for crs: CRS, in database: SQLiteDatabase, context: PROJContext, path: String) throws -> Int32 {
        let info: CRSInfo
        let definition: String
        do {
            info = try crs.info(context: context)
            definition = try crs.wkt(context: context)
        } catch let error as AtlasError {
            throw AtlasError(file: path, "cannot store the layer in \(crs.label): \(error.message)")
        }
        if let epsg = info.epsg,
            let id = try database.scalar(
                "SELECT srs_id FROM gpkg_spatial_ref_sys WHERE upper(organization) = 'EPSG' AND organization_coordsys_id = ?",
                .integer(Int64(epsg)))?.integer
        {
            return Int32(id)
        }
        if info.epsg == nil,
            let id = try database.scalar("SELECT srs_id FROM gpkg_spatial_ref_sys WHERE definition = ?", .text(definition))?.integer
        {
            return Int32(id)
        }
        var id = info.epsg ?? 100_000
        if try database.scalar("SELECT 1 FROM gpkg_spatial_ref_sys WHERE srs_id = ?", .integer(Int64(id))) != nil {
            let largest = try database.scalar("SELECT max(srs_id) FROM gpkg_spatial_ref_sys")?.integer ?? 0
            id = max(Int(largest) + 1, 100_000)
        }
        try insertReferenceSystem(
            name: info.name, id: id, organization: info.epsg == nil ? "NONE" : "EPSG", code: info.epsg ?? id,
            definition: definition, definition2: try crs.wkt(version2: true, context: context), description: nil, in: database)
        return Int32(id)
    }

    /// Removes a layer of this name and everything that belongs to it: the table (with its
    /// triggers), its R-tree, its rows in the GeoPackage tables and metadata only it referenced.
    static func dropLayer(_ layer: String, in database: SQLiteDatabase, path: String) throws {
        guard let existing = try database.scalar(
            "SELECT table_name FROM gpkg_contents WHERE lower(table_name) = lower(?)", .text(layer))?.text
        else {
            if try database.hasTable(layer) {
                throw AtlasError(file: path, "the GeoPackage has a table '\(layer)' that is not a layer; atlas will not replace it")
            }
            return
        }
        let name = SQLiteValue.text(existing)
        let geometryColumns = try database.prepare("SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)")
        try geometryColumns.bind(1, name)
        var indexes: [String] = []
        while try geometryColumns.step() { indexes.append("rtree_\(existing)_\(geometryColumns.text(0))") }
        for index in indexes { try database.execute("DROP TABLE IF EXISTS \(SQL.identifier(index))") }
        let isView = try database.scalar("SELECT 1 FROM sqlite_master WHERE type = 'view' AND lower(name) = lower(?)", name) != nil
        try database.execute("DROP \(isView ? "VIEW" : "TABLE") IF EXISTS \(SQL.identifier(existing))")

        if try database.hasTable("gpkg_metadata_reference") {
            let referenced = try database.prepare("SELECT md_file_id FROM gpkg_metadata_reference WHERE lower(table_name) = lower(?)")
            try referenced.bind(1, name)
            var ids: [Int64] = []
            while try referenced.step() { ids.append(referenced.integer(0)) }
            try delete(from: "gpkg_metadata_reference", table: name, in: database)
            if try database.hasTable("gpkg_metadata") {
                let orphan = try database.prepare("""
                    DELETE FROM gpkg_metadata WHERE id = ?
                      AND id NOT IN (SELECT md_file_id FROM gpkg_metadata_reference)
                      AND id NOT IN (SELECT md_parent_id FROM gpkg_metadata_reference WHERE md_parent_id IS NOT NULL)
                    """)
                for id in ids {
                    try orphan.bind(1, .integer(id))
                    try orphan.run()
                }
            }
        }
        for table in ["gpkg_geometry_columns", "gpkg_extensions", "gpkg_ogr_contents", "gpkg_data_columns", "gpkg_contents"]
        where try database.hasTable(table) {
            try delete(from: table, table: name, in: database)
        }
    }

    private static func delete(from table: String, table name: SQLiteValue, in database: SQLiteDatabase) throws {
        let statement = try database.prepare("DELETE FROM \(table) WHERE lower(table_name) = lower(?)")
        try statement.bind(1, name)
        try statement.run()
    }

    static func register(
        extension name: String, table: String, column: String?, definition: String, scope: String, in database: SQLiteDatabase
    ) throws {
        // UNIQUE treats NULLs as distinct, so the constraint alone would not stop a second row.
        let exists = try database.scalar(
            "SELECT 1 FROM gpkg_extensions WHERE extension_name = ? AND lower(table_name) = lower(?) AND column_name IS ?",
            .text(name), .text(table), column.map { .text($0) } ?? .null)
        guard exists == nil else { return }
        let statement = try database.prepare(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) VALUES (?, ?, ?, ?, ?)")
        try statement.bind(1, .text(table))
        try statement.bind(2, column.map { .text($0) } ?? .null)
        try statement.bind(3, .text(name))
        try statement.bind(4, .text(definition))
        try statement.bind(5, .text(scope))
        try statement.run()
    }

    // MARK: - Geometry types

    static func sqlTypeName(_ typeName: String) -> String {
        typeName == "GeometryCollection" ? "GEOMETRYCOLLECTION" : typeName.uppercased()
    }

    /// The type a layer declares for the geometries written: their one type; the multi type
    /// when single and multi parts of one kind are mixed; GEOMETRY otherwise.
    static func layerType(_ types: Set<String>) -> String {
        if types.isEmpty { return "GEOMETRY" }
        if types.count == 1 { return sqlTypeName(types.first!) }
        for kind in ["Point", "LineString", "Polygon"] where types == [kind, "Multi" + kind] {
            return "MULTI" + kind.uppercased()
        }
        return "GEOMETRY"
    }
}
