import CSQLite

/// One open database file: the read-only connection and every statement
/// prepared on it. The store replaces it whole when another file is renamed
/// over the path (a read replica swapped in, see `LibraryStore.read`): a
/// request uses one `Connection` from its first statement to its last.
final class Connection {
    let database: Database
    /// The file as stat(2) saw it just before it was opened. The connection
    /// holds that file, or one renamed over it in between: then the next
    /// request sees another file and opens it again. Never an older one.
    let identity: FileIdentity
    let artist, artistWorkCount, artistRecordingCount, artistsPage, artistsSearchPage: Statement
    let linkedWorkCount, artistWorksPage, artistWorkOrder: Statement
    let work, workTotals, workRecordingCount, workArtistNames, recordingsPage: Statement
    let begin, commit, rollback: Statement
    /// The artist facts' statements, prepared by the worker that builds them.
    lazy var factStatements = Result { try FactStatements(database) }

    /// Opens `path` read-only, refuses a file that is not an Air-Wave library
    /// (the checks the pool makes at start), and prepares every statement.
    init(path: String, configuration: LibraryStore.Configuration) throws {
        identity = try FileIdentity(path: path)
        database = try Database(path: path, mode: .readOnly)
        if configuration.mmapBytes > 0 { try database.execute("PRAGMA mmap_size = \(configuration.mmapBytes)") }
        database.echo = configuration.echo
        let schema = try database.inspectSchema()
        guard schema.isAirWave else {
            throw DatabaseError(code: SQLITE_ERROR, message: "\(path) is not an Air-Wave library: missing \(schema.missingColumns.joined(separator: ", "))")
        }
        artist = try database.prepare(Queries.artist)
        artistWorkCount = try database.prepare(Queries.artistWorkCount)
        artistRecordingCount = try database.prepare(Queries.artistRecordingCount)
        artistsPage = try database.prepare(Queries.artistsPage)
        artistsSearchPage = try database.prepare(Queries.artistsSearchPage)
        linkedWorkCount = try database.prepare(Queries.linkedWorkCount)
        artistWorksPage = try database.prepare(Queries.artistWorksPage)
        artistWorkOrder = try database.prepare(Queries.artistWorkOrder)
        work = try database.prepare(Queries.work)
        workTotals = try database.prepare(Queries.workTotals)
        workRecordingCount = try database.prepare(Queries.workRecordingCount)
        workArtistNames = try database.prepare(Queries.workArtistNames)
        recordingsPage = try database.prepare(Queries.recordingsPage)
        begin = try database.prepare("BEGIN")
        commit = try database.prepare("COMMIT")
        rollback = try database.prepare("ROLLBACK")
    }
}
