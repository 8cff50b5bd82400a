import CSQLite
import Logging
import Support

/// An error from SQLite, with the message it gave.
public struct DatabaseError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public var description: String { "SQLite error \(code): \(message)" }
    /// The statement was stopped because its request ran out of time.
    public var isInterrupt: Bool { code & 0xFF == SQLITE_INTERRUPT }
    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }
}

/// One SQLite connection. Not thread-safe: each worker process owns its own.
public final class Database {
    /// How to open the file.
    public enum Mode: Sendable {
        /// The serving mode: the file is never written.
        case readOnly
        /// For `prepare-db` and the demo generator only.
        case readWrite
        /// Creates the file when missing.
        case create
    }

    let handle: OpaquePointer
    public let path: String
    /// When a statement must stop (CLOCK_MONOTONIC ns; 0: never), checked by
    /// SQLite's progress handler every thousand VM steps.
    private let deadline = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
    /// When set, every statement run is logged with its time (`DB_ECHO`).
    public var echo: Logger?
    /// When true, every statement run adds its text and time to
    /// `statementTimes` (the slow log); `resetStatementTimes` empties it.
    public var timesStatements = false {
        didSet { statementTimes.reserveCapacity(64) }
    }
    public internal(set) var statementTimes: [(sql: String, nanoseconds: UInt64)] = []
    /// Keeps the buffer: no allocation per request.
    public func resetStatementTimes() { statementTimes.removeAll(keepingCapacity: true) }

    public init(path: String, mode: Mode = .readOnly) throws {
        var flags = SQLITE_OPEN_NOMUTEX
        switch mode {
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw DatabaseError(code: rc, message: "\(message) (\(path))")
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        // A writer holding the file briefly must not turn into an error.
        sqlite3_busy_timeout(db, 2000)
        deadline.initialize(to: 0)
        sqlite3_progress_handler(db, 1000, { context in
            let deadline = context!.assumingMemoryBound(to: UInt64.self).pointee
            return deadline != 0 && SystemClock.now() > deadline ? 1 : 0
        }, deadline)
    }

    deinit {
        sqlite3_close_v2(handle)
        deadline.deallocate()
    }

    /// Statements running past `nanoseconds` from now fail with an interrupt
    /// (`DatabaseError.isInterrupt`); nil lifts the limit.
    public func limitTime(to nanoseconds: UInt64?) {
        deadline.pointee = nanoseconds.map { SystemClock.now() + $0 } ?? 0
    }

    /// Compiles `sql` once; run it many times with different parameters.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs one or more statements that return no rows (DDL, pragmas).
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(error)
            throw DatabaseError(code: rc, message: message)
        }
    }

    /// The rows of a one-off query, each as text columns (schema inspection, tests).
    public func rows(_ sql: String, _ parameters: [SQLValue] = []) throws -> [[String?]] {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        var rows: [[String?]] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.string($0) })
        }
        return rows
    }

    /// A number that changes whenever another connection commits to the file
    /// (`PRAGMA data_version`).
    public func dataVersion() throws -> Int64 {
        if dataVersionStatement == nil { dataVersionStatement = try prepare("PRAGMA data_version") }
        let statement = dataVersionStatement!
        defer { statement.reset() }
        guard try statement.step() else { return 0 }
        return statement.int64(0)
    }
    private var dataVersionStatement: Statement?

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func check(_ rc: Int32) throws {
        if rc != SQLITE_OK { throw DatabaseError(code: rc, message: lastMessage) }
    }
}
