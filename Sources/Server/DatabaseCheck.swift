import Logging
import Pool
import Store
import Support

#if canImport(Glibc)
import Glibc
#endif

/// What the master checks before it forks, and again before a reload's exec:
/// the database is there, readable by the workers' user, SQLite, Air-Wave.
enum DatabaseCheck {
    /// Refuses a file that is missing, unreadable (to the workers' user) or
    /// not an Air-Wave library; warns about missing helper indexes. Returns
    /// how many artists it has. The handle is closed before the fork.
    static func run(_ path: String, as user: SystemUser?, logger: Logger) throws -> Int {
        guard let user else { return try run(path, logger: logger) }
        do {
            return try user.acting { try run(path, logger: logger) }
        } catch let error as SetupError {
            throw SetupError("\(error) (as the workers' user \(user.name))")
        }
    }

    private static func run(_ path: String, logger: Logger) throws -> Int {
        guard access(path, F_OK) == 0 else { throw SetupError("database not found: \(path)") }
        guard faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) == 0 else { throw SetupError("database not readable: \(path)") }
        let report: SchemaReport
        let database: Database
        do {
            database = try Database(path: path, mode: .readOnly)
            report = try database.inspectSchema()
        } catch {
            throw SetupError("cannot read \(path) as SQLite: \(error)")
        }
        guard report.isAirWave else {
            throw SetupError("\(path) is not an Air-Wave library: missing \(report.missingColumns.joined(separator: ", "))")
        }
        for index in report.missingIndexes {
            logger.warning("missing index on \(index.table)(\(index.column)): navigation queries will scan; fix with `airwave prepare-db \(path)` or run: \(index.createStatement)")
        }
        return Int(try database.rows("SELECT count(*) FROM artists")[0][0] ?? "0") ?? 0
    }
}
