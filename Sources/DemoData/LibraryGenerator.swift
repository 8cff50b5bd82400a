import Store
import Support

#if canImport(Glibc)
import Glibc
#endif

/// Writes a deterministic Air-Wave library: the exact schema, skewed like a
/// real one (a few artists with thousands of works, a few works with hundreds
/// of recordings), with the rows that break naive code: quotes, backslashes,
/// control characters, non-Latin scripts, emoji, `%` and `_` in names, title
/// ties, a work with no artist, recordings with several files, NULL durations.
public struct LibraryGenerator {
    /// How big a library to write.
    public struct Configuration: Sendable {
        public var artists: Int
        public var worksPerArtist: Double = 11.7
        public var recordingsPerWork: Double = 5.2
        public var filesPerRecording: Double = 0.6
        public var seed: UInt64 = 42
        /// Also create the backend's helper indexes (`prepare-db`).
        public var helperIndexes = false

        public init(artists: Int) { self.artists = artists }

        /// ≈1k artists: for tests and the demo.
        public static var small: Configuration { Configuration(artists: 1_000) }
        /// ≈30k artists, 350k works, 1.7M recordings, 1M files: for benchmarks.
        public static var large: Configuration { Configuration(artists: 30_000) }
    }

    /// What was written.
    public struct Summary: Sendable, CustomStringConvertible {
        public var artists = 0, works = 0, workArtists = 0, recordings = 0, files = 0
        public var description: String {
            "\(artists) artists, \(works) works, \(workArtists) work_artists, \(recordings) recordings, \(files) files"
        }
    }

    public let configuration: Configuration

    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// Nasty names every library gets, whatever its size (they are artists 1…n).
    public static let nastyArtistNames = [
        #"The "Quoted" Band"#, #"Back\slash \\ Duo"#, "Control\u{01}\u{1F}Char\tTab\nNewline",
        "Сергей Рахманинов", "坂本龍一", "محمد عبد الوهاب", "Emoji 🎸🔥 Crew", "👩‍🎤 ZWJ Singer",
        "100% Pure", "Under_score", "O'Brien & Sons", "</script><b>html</b>", "  Spaces  ",
        "\u{7F}Delete", "Ä Umlaut Ümlaut", "a\u{2028}line separator",
    ]
    static let nastyTitles = [
        #"She said "hi""#, #"C:\Music\Track"#, "Bell\u{07} Tab\t End", "Ode an die Freude 🎶",
        "Лебединое озеро", "春の海", "Intro", "Intro", "Untitled", "100% Love", "snake_case_song",
    ]
    static let words = [
        "Blue", "Night", "River", "Song", "Dance", "Light", "Heart", "Rain", "Fire", "Dream",
        "Moon", "Road", "Home", "Summer", "Echo", "Silver", "Wild", "Golden", "Shadow", "Storm",
        "Velvet", "Morning", "Paper", "Glass", "Electric", "Lonely", "Ocean", "City", "Winter", "Sky",
    ]
    static let versionTypes: [String?] = [nil, nil, nil, "Live", "Remix", "Radio Edit", "Acoustic", "Demo"]
    static let formats = ["flac", "mp3", "m4a", "ogg"]
    static let timestamp = "2024-01-01 00:00:00.000000"

    /// Writes a new library at `path` (which must not exist yet).
    public func write(to path: String) throws -> Summary {
        let db = try Database(path: path, mode: .create)
        guard try db.rows("SELECT count(*) FROM sqlite_master")[0][0] == "0" else {
            throw DatabaseError(code: 0, message: "\(path) is not empty; remove it first")
        }
        try db.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;")
        // Tables first, indexes once the rows are in: the same schema, faster.
        let statements = Schema.airWaveDDL.split(separator: ";").map { $0.trimmingBlanks }.filter { !$0.isEmpty }
        let (tables, indexes) = (statements.filter { $0.hasPrefix("CREATE TABLE") }, statements.filter { !$0.hasPrefix("CREATE TABLE") })
        try db.execute(tables.joined(separator: ";\n") + ";")
        try db.execute("BEGIN")
        var random = RandomSource(seed: configuration.seed)
        try insertRows(db, &random)
        try db.execute("COMMIT")
        try db.execute(indexes.joined(separator: ";\n") + ";")
        if configuration.helperIndexes { try db.addHelperIndexes() }
        try db.execute("PRAGMA journal_mode = DELETE")
        let count = { (table: String) in Int(try db.rows("SELECT count(*) FROM \(table)")[0][0] ?? "0") ?? 0 }
        return Summary(artists: try count("artists"), works: try count("works"), workArtists: try count("work_artists"),
                       recordings: try count("recordings"), files: try count("library_files"))
    }

    private func insertRows(_ db: Database, _ random: inout RandomSource) throws {
        let artistCount = max(configuration.artists, Self.nastyArtistNames.count + 4)
        let insertArtist = try db.prepare("INSERT INTO artists (id, name, musicbrainz_id, display_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
        for id in 1...artistCount {
            let name = id <= Self.nastyArtistNames.count
                ? Self.nastyArtistNames[id - 1]
                : "\(random.pick(Self.words)) \(random.pick(Self.words)) \(id)"
            let mbid: SQLValue = random.chance(0.7) ? .text(uuid(&random)) : .null
            try insertArtist.bind([.integer(Int64(id)), .text(name), mbid, .null, .text(Self.timestamp), .text(Self.timestamp)])
            try insertArtist.step()
        }

        // Popularity: a permutation of artist ids, so the biggest artists are
        // spread over the id range rather than being ids 1, 2, 3.
        let stride = coprimeStride(artistCount)
        func popularArtist(_ random: inout RandomSource) -> Int64 {
            Int64((random.skewed(artistCount, exponent: 2.4) &* stride) % artistCount + 1)
        }

        let insertWork = try db.prepare("INSERT INTO works (id, title, artist_id, is_instrumental, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
        let insertLink = try db.prepare("INSERT OR IGNORE INTO work_artists (work_id, artist_id, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
        let insertRecording = try db.prepare("INSERT INTO recordings (id, work_id, title, version_type, duration, isrc, is_verified, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        let insertFile = try db.prepare("INSERT INTO library_files (id, recording_id, path, file_hash, size, mtime, format, bitrate, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

        let workCount = Int(Double(artistCount) * configuration.worksPerArtist)
        var recordingID: Int64 = 0
        var fileID: Int64 = 0
        for w in 1...workCount {
            let workID = Int64(w)
            // Works 1 and 4 have no primary artist; every nasty artist gets a few works.
            let primary: Int64? = w == 1 || w == 4 ? nil : (w <= 3 * Self.nastyArtistNames.count + 1 ? Int64((w - 2) % Self.nastyArtistNames.count + 1) : popularArtist(&random))
            let title = random.chance(0.02) || w <= Self.nastyTitles.count + 1
                ? Self.nastyTitles[w % Self.nastyTitles.count]
                : "\(random.pick(Self.words)) \(random.pick(Self.words))\(random.chance(0.5) ? " \(random.pick(Self.words))" : "")"
            try insertWork.bind([.integer(workID), .text(title), primary.map { .integer($0) } ?? .null,
                                 .integer(random.chance(0.1) ? 1 : 0), .text(Self.timestamp), .text(Self.timestamp)])
            try insertWork.step()
            if let primary {
                try link(insertLink, workID, primary, "primary")
            }
            // Collaborations: extra artists, some listed before the primary by id.
            // Work 1 has none either ("Unknown"); work 4 has only a featured artist.
            if w == 2 || w == 4 || (w != 1 && random.chance(0.15)) {
                for _ in 0..<(1 + Int(random.next() % 2)) {
                    try link(insertLink, workID, popularArtist(&random), "featured")
                }
            }

            // Most works have a handful of recordings, a few have hundreds.
            let recordings = random.chance(0.0003) || w == 3
                ? 200 + Int(random.next() % 600)
                : 1 + Int(-log(1 - random.unit()) * (configuration.recordingsPerWork - 1.1))
            for r in 0..<recordings {
                recordingID += 1
                let version = random.pick(Self.versionTypes)
                let recordingTitle = r % 7 == 3 ? "\(title) (\(version ?? "Take"))" : title
                let duration: SQLValue = random.chance(0.05) ? .null : .real(60 + random.unit() * 540)
                let isrc: SQLValue = random.chance(0.5) ? .text("US\(random.next() % 1_000_000_000_000)") : .null
                try insertRecording.bind([.integer(recordingID), .integer(workID), .text(recordingTitle),
                                          version.map { .text($0) } ?? .null, duration, isrc,
                                          .integer(random.chance(0.6) ? 1 : 0), .text(Self.timestamp), .text(Self.timestamp)])
                try insertRecording.step()
                // Files: most recordings one or none, some several.
                let files = random.chance(configuration.filesPerRecording) ? (random.chance(0.03) ? 2 + Int(random.next() % 2) : 1) : 0
                for f in 0..<files {
                    fileID += 1
                    let format = random.pick(Self.formats)
                    let path = "/music/\(primary ?? 0)/\(workID)/\(recordingID)-\(f) \(recordingTitle.replacingSlashes).\(format)"
                    try insertFile.bind([.integer(fileID), .integer(recordingID), .text(path), .text(String(random.next(), radix: 16)),
                                         .integer(Int64(1_000_000 + random.next() % 50_000_000)), .real(1.7e9 + random.unit() * 1e7),
                                         .text(format), .integer(320), .text(Self.timestamp), .text(Self.timestamp)])
                    try insertFile.step()
                }
            }
        }
    }

    private func link(_ statement: Statement, _ work: Int64, _ artist: Int64, _ role: String) throws {
        try statement.bind([.integer(work), .integer(artist), .text(role), .text(Self.timestamp), .text(Self.timestamp)])
        try statement.step()
    }

    private func uuid(_ random: inout RandomSource) -> String {
        let hex = String(random.next(), radix: 16) + String(random.next(), radix: 16)
        let h = Array(String(repeating: "0", count: max(0, 32 - hex.count)) + hex)
        return "\(String(h[0..<8]))-\(String(h[8..<12]))-\(String(h[12..<16]))-\(String(h[16..<20]))-\(String(h[20..<32]))"
    }

    /// A stride coprime with `n`, to permute 0..<n.
    private func coprimeStride(_ n: Int) -> Int {
        var s = 7919
        while gcd(s, n) != 1 { s += 2 }
        return s
    }

    private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}

extension StringProtocol {
    /// Path components must not contain "/".
    var replacingSlashes: String { String(map { $0 == "/" ? "-" : $0 }) }
}
