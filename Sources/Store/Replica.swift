import CSQLite
import Support

#if canImport(Glibc)
import Glibc
#endif

/// A read replica swapped in: a consistent copy of a library renamed over a
/// database path the pool serves (`airwave replicate`). The workers notice
/// the new file at their next request (`LibraryStore.read`).
///
/// The copy is made with SQLite's online backup API, in one step: one read
/// transaction on the source, so the copy is one consistent snapshot and
/// always finishes while other programs read or write the source (in WAL
/// mode they never wait; in rollback-journal mode a writer waits for the copy,
/// within its busy timeout). It goes to a temporary file beside the
/// destination, is checked, made durable and given the destination's
/// permissions before one rename puts it in place: the path always names a
/// whole library, the old one or the new one.
public enum Replica {
    /// What a replication did.
    public struct Report: Sendable {
        public var source: String
        public var destination: String
        public var bytes: Int64
        public var pages: Int32
        public var pageSize: Int
        /// The copy's mode, owner and group (those of the file it replaced).
        public var mode: mode_t
        public var owner: uid_t
        public var group: gid_t
        /// Whether a file was replaced (or the destination is new).
        public var replaced: Bool
        /// Helper indexes the copy lacks (as the source does).
        public var missingIndexes: [Schema.HelperIndex]
        public var copyNanoseconds: UInt64
        public var checkNanoseconds: UInt64
        public var totalNanoseconds: UInt64
    }

    /// Copies `source` over `destination` (see the type's comment). Nothing
    /// at `destination` changes unless every step succeeded.
    public static func make(from source: String, to destination: String) throws -> Report {
        let started = SystemClock.now()
        guard access(source, F_OK) == 0 else { throw SetupError("source not found: \(source)") }
        guard access(source, R_OK) == 0 else { throw SetupError("source not readable: \(source)") }
        let folder = Self.folder(of: destination)
        var status = stat()
        guard stat(folder, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            throw SetupError("the destination's folder \(folder) does not exist or is not a folder")
        }
        // The file replaced, if any: the copy gets its permissions, so the
        // pool's workers (another user) can still read it.
        var replaced: stat?
        if lstat(destination, &status) == 0 {
            guard status.st_mode & S_IFMT != S_IFLNK else {
                throw SetupError("\(destination) is a symbolic link: a rename would replace the link, not the file it points to; give the file's own path")
            }
            guard status.st_mode & S_IFMT == S_IFREG else { throw SetupError("\(destination) is not a regular file") }
            if let from = try? FileIdentity(path: source), from.isSameFile(as: FileIdentity(status)) {
                throw SetupError("\(source) and \(destination) are the same file")
            }
            replaced = status
            // SQLite opens a `-wal` file it finds beside a database whatever
            // the database's header says, and rolls back a hot `-journal`:
            // either, left by the file replaced, would be read into the copy.
            for (suffix, what) in [("-wal", "is in WAL mode"), ("-journal", "is being written")] where lstat(destination + suffix, &status) == 0 {
                if suffix == "-wal" || status.st_size > 0 {
                    throw SetupError("\(destination)\(suffix) exists: \(destination) \(what), and SQLite would read that file with the copy; stop its writers and switch it to rollback-journal mode first (sqlite3 \(destination) 'PRAGMA journal_mode = DELETE')")
                }
            }
        } else if errno != ENOENT {
            throw SystemError("lstat \(destination)")
        }

        var template = Array("\(folder)/.\(Self.name(of: destination)).replica-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw SystemError("create a temporary file in \(folder)") }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var done = false
        defer {
            close(descriptor)
            if !done { for suffix in ["", "-journal"] { unlink(temporary + suffix) } }
        }

        let copied = SystemClock.now()
        let pages = try backup(source, into: temporary)
        let checked = SystemClock.now()
        let (pageSize, missingIndexes) = try check(temporary, source: source)
        let checkEnded = SystemClock.now()

        // Durable before it is visible: a crash after the rename must not
        // leave a name for a file whose pages never reached the disk.
        guard fsync(descriptor) == 0 else { throw SystemError("fsync \(temporary)") }
        var mode = mode_t(0o666) & ~currentUmask()
        if let replaced {
            mode = replaced.st_mode & 0o7777
            guard fchown(descriptor, replaced.st_uid, replaced.st_gid) == 0 else {
                throw SetupError("cannot give the copy \(destination)'s owner and group (uid \(replaced.st_uid), gid \(replaced.st_gid)): \(SystemError("fchown").description); run as root or as that owner")
            }
        }
        // After chown, which may clear set-id bits.
        guard fchmod(descriptor, mode) == 0 else { throw SystemError("chmod \(temporary)") }
        guard fstat(descriptor, &status) == 0 else { throw SystemError("stat \(temporary)") }
        guard rename(temporary, destination) == 0 else { throw SystemError("rename \(temporary) to \(destination)") }
        done = true
        // The rename itself, durable.
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            defer { close(directory) }
            guard fsync(directory) == 0 else { throw SystemError("fsync \(folder)") }
        }
        return Report(source: source, destination: destination, bytes: Int64(status.st_size), pages: pages, pageSize: pageSize,
                      mode: status.st_mode & 0o7777, owner: status.st_uid, group: status.st_gid, replaced: replaced != nil,
                      missingIndexes: missingIndexes, copyNanoseconds: checked - copied, checkNanoseconds: checkEnded - checked,
                      totalNanoseconds: SystemClock.now() - started)
    }

    /// SQLite's online backup of `source` into the empty file `temporary`,
    /// all pages in one step; returns how many.
    static func backup(_ source: String, into temporary: String) throws -> Int32 {
        let from = try Database(path: source, mode: .readOnly)
        let to = try Database(path: temporary, mode: .readWrite)
        guard let backup = sqlite3_backup_init(to.handle, "main", from.handle, "main") else {
            throw DatabaseError(code: sqlite3_errcode(to.handle), message: "backup of \(source): \(to.lastMessage)")
        }
        // A writer holding the source's lock: wait for it, for a while.
        let deadline = SystemClock.deadline(after: .seconds(30))
        var rc = sqlite3_backup_step(backup, -1)
        while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && SystemClock.now() < deadline {
            sqlite3_sleep(20)
            rc = sqlite3_backup_step(backup, -1)
        }
        let pages = sqlite3_backup_pagecount(backup)
        let finished = sqlite3_backup_finish(backup)
        if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { throw SetupError("\(source) stayed locked by a writer for 30 s; try again") }
        guard rc == SQLITE_DONE, finished == SQLITE_OK else {
            let code = rc == SQLITE_DONE ? finished : rc
            throw DatabaseError(code: code, message: "cannot copy \(source): \(String(cString: sqlite3_errstr(code)))")
        }
        return pages
    }

    /// The copy in rollback-journal mode (a WAL copy would pair, at the
    /// destination's name, with whatever `-wal` file is left there), whole
    /// (`quick_check`) and an Air-Wave library (the pool's own start-up check).
    static func check(_ temporary: String, source: String) throws -> (pageSize: Int, missingIndexes: [Schema.HelperIndex]) {
        let copy = try Database(path: temporary, mode: .readWrite)
        try copy.execute("PRAGMA journal_mode = DELETE")
        let journal = try copy.rows("PRAGMA journal_mode").first?.first ?? nil
        guard journal == "delete" else { throw SetupError("the copy of \(source) stays in journal mode \(journal ?? "?"), not delete") }
        let quick = try copy.rows("PRAGMA quick_check").compactMap { $0.first ?? nil }
        guard quick == ["ok"] else {
            throw SetupError("the copy of \(source) fails SQLite's quick_check: \(quick.prefix(3).joined(separator: "; "))")
        }
        let schema = try copy.inspectSchema()
        guard schema.isAirWave else {
            throw SetupError("\(source) is not an Air-Wave library: missing \(schema.missingColumns.joined(separator: ", "))")
        }
        let pageSize = Int(try copy.rows("PRAGMA page_size").first?.first.flatMap { $0 } ?? "0") ?? 0
        return (pageSize, schema.missingIndexes)
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    private static func currentUmask() -> mode_t {
        let mask = umask(0)
        umask(mask)
        return mask
    }
}
