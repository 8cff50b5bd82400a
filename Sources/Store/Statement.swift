import CSQLite
import CSupport
import Logging
import Support

#if canImport(Glibc)
import Glibc
#endif

/// A value bound to a statement parameter.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// A prepared statement, compiled once and reused: bind, step, read, reset.
public final class Statement {
    let handle: OpaquePointer
    unowned let database: Database
    public let sql: String
    private var boundForEcho: [SQLValue] = []
    private var startedAt: UInt64 = 0

    init(database: Database, sql: String) throws {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw DatabaseError(code: rc, message: "\(database.lastMessage) in: \(sql)")
        }
        self.handle = statement
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds every parameter, in order, from 1.
    public func bind(_ values: [SQLValue]) throws {
        for (index, value) in values.enumerated() { try bind(value, at: Int32(index + 1)) }
    }

    public func bind(_ value: SQLValue, at index: Int32) throws {
        if database.echo != nil { noteForEcho(value, at: index) }
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v): rc = sqlite3_bind_double(handle, index, v)
        case .text(let v):
            // With its length: a NUL inside the text (from %00) is kept, not an end.
            rc = v.withCString { sqlite3_bind_text(handle, index, $0, Int32(v.utf8.count), SQLITE_TRANSIENT) }
        }
        try database.check(rc)
    }

    public func bind(_ value: Int64, at index: Int32) throws { try bind(.integer(value), at: index) }
    public func bind(_ value: String, at index: Int32) throws { try bind(.text(value), at: index) }

    /// Binds UTF-8 bytes as text, exactly as given.
    public func bind(text bytes: [UInt8], at index: Int32) throws {
        guard !bytes.isEmpty else { return try bind(.text(""), at: index) }
        if database.echo != nil { noteForEcho(.text(String(decoding: bytes, as: UTF8.self)), at: index) }
        let rc = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
        }
        try database.check(rc)
    }

    private func noteForEcho(_ value: SQLValue, at index: Int32) {
        if boundForEcho.count < index { boundForEcho += Array(repeating: .null, count: Int(index) - boundForEcho.count) }
        boundForEcho[Int(index) - 1] = value
    }

    /// Advances to the next row; false when there is none (the statement is then reset).
    @discardableResult
    public func step() throws -> Bool {
        if startedAt == 0, database.timesStatements || database.echo != nil { startedAt = SystemClock.now() }
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { reset(); return false }
        let message = database.lastMessage
        reset()
        throw DatabaseError(code: rc, message: message)
    }

    /// Makes the statement ready to run again (parameters stay bound).
    public func reset() {
        if startedAt != 0 {
            let nanoseconds = SystemClock.now() - startedAt
            if database.timesStatements { database.statementTimes.append((sql, nanoseconds)) }
            if let echo = database.echo {
                let parameters = boundForEcho.map(Self.describe).joined(separator: ", ")
                echo.info("SQL \(Format.milliseconds(nanoseconds)) ms: \(sql) [\(parameters)]")
            }
            startedAt = 0
        }
        sqlite3_reset(handle)
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    public func bool(_ column: Int32) -> Bool { sqlite3_column_int64(handle, column) != 0 }

    /// The column's text as a String (invalid UTF-8 repaired), or nil when NULL.
    public func string(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    private static func describe(_ value: SQLValue) -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .text(let v): return "'\(v.prefix(60))'"
        }
    }
}

/// SQLite copies the bound text (its C macro is not visible to Swift).
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
