/// Every SQL statement the API runs, in one place. Each is index-driven on an
/// Air-Wave library with the helper indexes (see `StoreTests` for the plans).
enum Queries {
    static let artist = "SELECT name, musicbrainz_id FROM artists WHERE id = ?1"
    static let artistWorkCount = "SELECT count(*) FROM works WHERE artist_id = ?1"
    static let artistRecordingCount = """
        SELECT count(*) FROM works w JOIN recordings r ON r.work_id = w.id WHERE w.artist_id = ?1
        """
    static let artistsPage = "SELECT id, name FROM artists ORDER BY name, id LIMIT ?1 OFFSET ?2"
    /// `search` is a LIKE pattern with `\` escaping: ASCII-case-insensitive, literal.
    static let artistsSearchPage = """
        SELECT id, name FROM artists WHERE name LIKE ?3 ESCAPE '\\' ORDER BY name, id LIMIT ?1 OFFSET ?2
        """

    static let linkedWorkCount = "SELECT count(*) FROM work_artists WHERE artist_id = ?1"
    static let artistWorksPage = """
        SELECT w.id, w.title FROM work_artists wa JOIN works w ON w.id = wa.work_id
        WHERE wa.artist_id = ?1 ORDER BY w.title, w.id LIMIT ?2 OFFSET ?3
        """
    static let artistWorkOrder = """
        SELECT w.id FROM work_artists wa JOIN works w ON w.id = wa.work_id
        WHERE wa.artist_id = ?1 ORDER BY w.title, w.id
        """

    static let work = """
        SELECT w.title, w.artist_id, a.name, w.is_instrumental
        FROM works w LEFT JOIN artists a ON a.id = w.artist_id WHERE w.id = ?1
        """
    static let workTotals = "SELECT count(*), sum(duration) FROM recordings WHERE work_id = ?1"
    static let workRecordingCount = "SELECT count(*) FROM recordings WHERE work_id = ?1"
    /// Names of all the work's artists, ordered by artist id.
    static let workArtistNames = """
        SELECT a.name FROM work_artists wa JOIN artists a ON a.id = wa.artist_id
        WHERE wa.work_id = ?1 ORDER BY wa.artist_id
        """
    /// ?2: is_verified wanted, or -1 for any. ?3: has a file wanted (1/0), or -1 for any.
    static let recordingsPage = """
        SELECT r.id, r.title, r.duration, r.version_type, r.is_verified,
               (SELECT f.path FROM library_files f WHERE f.recording_id = r.id ORDER BY f.id LIMIT 1)
        FROM recordings r
        WHERE r.work_id = ?1
          AND (?2 < 0 OR r.is_verified = ?2)
          AND (?3 < 0 OR EXISTS (SELECT 1 FROM library_files f WHERE f.recording_id = r.id) = ?3)
        ORDER BY r.title, r.id LIMIT ?4 OFFSET ?5
        """

    /// The artist facts (`ArtistFacts`), built once per version of the file:
    /// these read whole tables or indexes on purpose, in one pass each.
    enum Facts {
        static let artistIDs = "SELECT id FROM artists ORDER BY id"
        static let artistsByName = "SELECT id FROM artists ORDER BY name, id"
        /// Every work's primary artist, in id order (the table's own order).
        static let workArtists = "SELECT id, artist_id FROM works ORDER BY id"
        /// Recordings per work, in work id order (the work_id index, covering).
        static let recordingsPerWork = "SELECT work_id, count(*) FROM recordings GROUP BY work_id ORDER BY work_id"
    }

    /// Every query with sample parameters, for plan checks.
    static let all: [(name: String, sql: String)] = [
        ("artist", artist), ("artistWorkCount", artistWorkCount), ("artistRecordingCount", artistRecordingCount),
        ("artistsPage", artistsPage), ("artistsSearchPage", artistsSearchPage),
        ("linkedWorkCount", linkedWorkCount), ("artistWorksPage", artistWorksPage), ("artistWorkOrder", artistWorkOrder),
        ("work", work), ("workTotals", workTotals), ("workRecordingCount", workRecordingCount),
        ("workArtistNames", workArtistNames), ("recordingsPage", recordingsPage),
    ]
}
