import CSQLite
import Foundation

/// An SQLite connection (`sqlite3*`) owned by this value and closed in `deinit`. Every failed
/// call becomes an `AtlasError` naming the file and carrying SQLite's own message.
///
/// Confined to one thread, like the PROJ and GEOS handles.
final class SQLiteDatabase {
    /// The file as the user named it, for messages (the connection may be on a temporary copy).
    let name: String
    let handle: OpaquePointer

    init(path: String, name: String? = nil, readOnly: Bool) throws {
        self.name = name ?? path
        var handle: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let status = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(handle)
            throw AtlasError(file: self.name, "SQLite cannot open the file: \(reason)")
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
    }

    private var closed = false

    deinit {
        if !closed { sqlite3_close_v2(handle) }
    }

    /// Closes the connection; every statement must have been released.
    func close() throws {
        guard !closed else { return }
        guard sqlite3_close(handle) == SQLITE_OK else { throw error("SQLite cannot close the file") }
        closed = true
    }

    /// Replaces this database's content with a copy of `source` (SQLite's online backup), which
    /// also takes what a write-ahead log holds.
    func copy(from source: SQLiteDatabase) throws {
        guard let backup = sqlite3_backup_init(handle, "main", source.handle, "main") else {
            throw error("SQLite cannot copy \(source.name)")
        }
        let status = sqlite3_backup_step(backup, -1)
        let finished = sqlite3_backup_finish(backup)
        guard status == SQLITE_DONE, finished == SQLITE_OK else {
            throw AtlasError(file: name, "SQLite cannot copy \(source.name): \(String(cString: sqlite3_errstr(status == SQLITE_DONE ? finished : status)))")
        }
    }

    /// An error for the last failed call, with SQLite's message.
    func error(_ what: String) -> AtlasError {
        AtlasError(file: name, "\(what): \(String(cString: sqlite3_errmsg(handle)))")
    }

    /// Runs statements that return no rows.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            let reason = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw AtlasError(file: name, "SQLite: \(reason) (in: \(sql.prefix(120)))")
        }
    }

    func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw error("SQLite cannot run '\(sql.prefix(120))'")
        }
        return SQLiteStatement(statement, database: self)
    }

    /// Runs one statement with its arguments; the statement is finalised on return.
    func run(_ sql: String, _ arguments: SQLiteValue...) throws {
        let statement = try prepare(sql)
        for (k, argument) in arguments.enumerated() { try statement.bind(k + 1, argument) }
        try statement.run()
    }

    /// The first column of the first row of a query, or nil when there is no row.
    func scalar(_ sql: String, _ arguments: SQLiteValue...) throws -> SQLiteValue? {
        let statement = try prepare(sql)
        for (k, argument) in arguments.enumerated() { try statement.bind(k + 1, argument) }
        guard try statement.step() else { return nil }
        return statement.value(0)
    }

    /// Whether the schema has a table (or view) of this name, compared as SQLite does (ASCII case-insensitively).
    func hasTable(_ name: String) throws -> Bool {
        try scalar("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND lower(name) = lower(?)", .text(name)) != nil
    }

    var lastInsertedRow: Int64 { sqlite3_last_insert_rowid(handle) }
}

/// A value as SQLite stores it (its storage classes).
enum SQLiteValue: Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    var integer: Int64? { if case .integer(let i) = self { i } else { nil } }
    var text: String? {
        switch self {
        case .text(let s): s
        case .integer(let i): String(i)
        default: nil
        }
    }
}

/// A prepared statement, finalised in `deinit`.
final class SQLiteStatement {
    let handle: OpaquePointer
    let database: SQLiteDatabase

    init(_ handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// SQLite copies bound text and blobs (`SQLITE_TRANSIENT`), so the buffers need not outlive the call.
    private static let transient = unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self)

    func bind(_ index: Int, _ value: SQLiteValue) throws {
        let i = Int32(index)
        let status: Int32
        switch value {
        case .null: status = sqlite3_bind_null(handle, i)
        case .integer(let v): status = sqlite3_bind_int64(handle, i, v)
        case .real(let v): status = sqlite3_bind_double(handle, i, v)
        case .text(let s):
            var s = s
            status = s.withUTF8 { buffer in
                guard !buffer.isEmpty else { return sqlite3_bind_text(handle, i, "", 0, Self.transient) }
                return buffer.withMemoryRebound(to: CChar.self) {
                    sqlite3_bind_text(handle, i, $0.baseAddress, Int32($0.count), Self.transient)
                }
            }
        case .blob(let bytes): status = bindBlob(i, bytes)
        }
        guard status == SQLITE_OK else { throw database.error("SQLite cannot bind parameter \(index)") }
    }

    func bind(_ index: Int, blob bytes: [UInt8]) throws {
        guard bindBlob(Int32(index), bytes) == SQLITE_OK else { throw database.error("SQLite cannot bind parameter \(index)") }
    }

    private func bindBlob(_ i: Int32, _ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { raw in
            // A zero-length blob needs a non-null pointer, or SQLite stores NULL.
            sqlite3_bind_blob(handle, i, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), Self.transient)
        }
    }

    /// Advances to the next row; false when there are no more.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error("SQLite cannot read or write the data")
        }
    }

    /// Runs the statement to its end (an INSERT, UPDATE, …) and makes it ready to run again.
    func run() throws {
        while try step() {}
        reset()
    }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    var columnCount: Int { Int(sqlite3_column_count(handle)) }

    func type(_ column: Int) -> Int32 { sqlite3_column_type(handle, Int32(column)) }

    func integer(_ column: Int) -> Int64 { sqlite3_column_int64(handle, Int32(column)) }

    func real(_ column: Int) -> Double { sqlite3_column_double(handle, Int32(column)) }

    /// The bytes of a text or blob column, valid until the next step or reset.
    func bytes(_ column: Int) -> UnsafeRawBufferPointer {
        let c = Int32(column)
        let pointer = type(column) == SQLITE_BLOB ? sqlite3_column_blob(handle, c) : UnsafeRawPointer(sqlite3_column_text(handle, c))
        let count = Int(sqlite3_column_bytes(handle, c))
        guard let pointer, count > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: count)
    }

    /// Text as UTF-8, invalid sequences replaced (see `TextEncoding`).
    func text(_ column: Int) -> String {
        String(decoding: bytes(column), as: UTF8.self)
    }

    func value(_ column: Int) -> SQLiteValue {
        switch type(column) {
        case SQLITE_INTEGER: .integer(integer(column))
        case SQLITE_FLOAT: .real(real(column))
        case SQLITE_TEXT: .text(text(column))
        case SQLITE_BLOB: .blob([UInt8](bytes(column)))
        default: .null
        }
    }
}

enum SQL {
    /// A quoted identifier: `"name"` with inner quotes doubled.
    static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
