/// The Air-Wave schema: what its models create, what this backend needs of it,
/// and the two helper indexes Air-Wave does not declare.
public enum Schema {
    /// The tables and columns the navigation queries read. A file lacking any
    /// of them is not an Air-Wave library.
    public static let requiredColumns: [String: [String]] = [
        "artists": ["id", "name", "musicbrainz_id"],
        "works": ["id", "title", "artist_id", "is_instrumental"],
        "work_artists": ["work_id", "artist_id"],
        "recordings": ["id", "work_id", "title", "version_type", "duration", "is_verified"],
        "library_files": ["id", "recording_id", "path"],
    ]

    /// An index the navigation queries need and Air-Wave does not create.
    public struct HelperIndex: Sendable, Equatable {
        public let table: String
        public let column: String
        public var name: String { "ix_\(table)_\(column)" }
        public var createStatement: String { "CREATE INDEX IF NOT EXISTS \(name) ON \(table) (\(column));" }
    }

    /// `library_files(recording_id)` for has_file/filename, `work_artists(artist_id)`
    /// for an artist's works.
    public static let helperIndexes = [
        HelperIndex(table: "library_files", column: "recording_id"),
        HelperIndex(table: "work_artists", column: "artist_id"),
    ]

    /// The DDL Air-Wave's SQLAlchemy models emit (SQLite dialect), indexes included.
    public static let airWaveDDL = """
    CREATE TABLE artists (
    \tname VARCHAR NOT NULL,
    \tmusicbrainz_id VARCHAR(36),
    \tdisplay_name VARCHAR,
    \tid INTEGER NOT NULL,
    \tcreated_at DATETIME NOT NULL,
    \tupdated_at DATETIME NOT NULL,
    \tPRIMARY KEY (id)
    );
    CREATE UNIQUE INDEX ix_artists_name ON artists (name);
    CREATE UNIQUE INDEX ix_artists_musicbrainz_id ON artists (musicbrainz_id);
    CREATE TABLE works (
    \ttitle VARCHAR NOT NULL,
    \tartist_id INTEGER,
    \tis_instrumental BOOLEAN NOT NULL,
    \tid INTEGER NOT NULL,
    \tcreated_at DATETIME NOT NULL,
    \tupdated_at DATETIME NOT NULL,
    \tPRIMARY KEY (id),
    \tFOREIGN KEY(artist_id) REFERENCES artists (id)
    );
    CREATE INDEX ix_works_title ON works (title);
    CREATE INDEX ix_works_title_artist ON works (title, artist_id);
    CREATE INDEX ix_works_artist_id ON works (artist_id);
    CREATE TABLE work_artists (
    \twork_id INTEGER NOT NULL,
    \tartist_id INTEGER NOT NULL,
    \trole VARCHAR,
    \tcreated_at DATETIME NOT NULL,
    \tupdated_at DATETIME NOT NULL,
    \tPRIMARY KEY (work_id, artist_id),
    \tFOREIGN KEY(work_id) REFERENCES works (id),
    \tFOREIGN KEY(artist_id) REFERENCES artists (id)
    );
    CREATE TABLE recordings (
    \twork_id INTEGER NOT NULL,
    \ttitle VARCHAR NOT NULL,
    \tversion_type VARCHAR,
    \tduration FLOAT,
    \tisrc VARCHAR,
    \tis_verified BOOLEAN NOT NULL,
    \tid INTEGER NOT NULL,
    \tcreated_at DATETIME NOT NULL,
    \tupdated_at DATETIME NOT NULL,
    \tPRIMARY KEY (id),
    \tFOREIGN KEY(work_id) REFERENCES works (id)
    );
    CREATE INDEX ix_recordings_title ON recordings (title);
    CREATE INDEX ix_recordings_isrc ON recordings (isrc);
    CREATE INDEX ix_recordings_is_verified ON recordings (is_verified);
    CREATE INDEX ix_recordings_work_id ON recordings (work_id);
    CREATE INDEX ix_recordings_work_title ON recordings (work_id, title);
    CREATE TABLE library_files (
    \trecording_id INTEGER NOT NULL,
    \tpath VARCHAR NOT NULL,
    \tfile_hash VARCHAR,
    \tsize INTEGER,
    \tmtime FLOAT,
    \tformat VARCHAR,
    \tbitrate INTEGER,
    \tid INTEGER NOT NULL,
    \tcreated_at DATETIME NOT NULL,
    \tupdated_at DATETIME NOT NULL,
    \tPRIMARY KEY (id),
    \tFOREIGN KEY(recording_id) REFERENCES recordings (id)
    );
    CREATE UNIQUE INDEX ix_library_files_path ON library_files (path);
    CREATE INDEX ix_library_files_file_hash ON library_files (file_hash);
    CREATE TABLE albums (
    \ttitle VARCHAR NOT NULL,
    \tartist_id INTEGER,
    \trelease_date DATE,
    \ttype VARCHAR,
    \tid INTEGER NOT NULL,
    \tcreated_at DATETIME NOT NULL,
    \tupdated_at DATETIME NOT NULL,
    \tPRIMARY KEY (id),
    \tFOREIGN KEY(artist_id) REFERENCES artists (id)
    );
    """
}

/// What a look at a database file found.
public struct SchemaReport: Sendable {
    /// "table.column" for each required column that is missing.
    public var missingColumns: [String]
    /// Helper indexes with no index (of any name) leading with their column.
    public var missingIndexes: [Schema.HelperIndex]
    public var isAirWave: Bool { missingColumns.isEmpty }
}

extension Database {
    /// Checks the file against what the navigation queries need.
    public func inspectSchema() throws -> SchemaReport {
        var missingColumns: [String] = []
        for (table, columns) in Schema.requiredColumns.sorted(by: { $0.key < $1.key }) {
            let present = Set(try rows("SELECT name FROM pragma_table_info(?)", [.text(table)]).compactMap { $0[0] })
            missingColumns += columns.filter { !present.contains($0) }.map { "\(table).\($0)" }
        }
        var missingIndexes: [Schema.HelperIndex] = []
        for index in Schema.helperIndexes where missingColumns.isEmpty {
            let leading = try rows("""
                SELECT 1 FROM pragma_index_list(?1) AS l
                WHERE (SELECT name FROM pragma_index_info(l.name) WHERE seqno = 0) = ?2
                """, [.text(index.table), .text(index.column)])
            if leading.isEmpty { missingIndexes.append(index) }
        }
        return SchemaReport(missingColumns: missingColumns, missingIndexes: missingIndexes)
    }

    /// Creates the missing helper indexes: the only write this backend makes.
    @discardableResult
    public func addHelperIndexes() throws -> [Schema.HelperIndex] {
        let missing = try inspectSchema().missingIndexes
        for index in missing { try execute(index.createStatement) }
        return missing
    }
}
