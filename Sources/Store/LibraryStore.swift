import Logging
import Vocabulary

/// The library's navigation queries over one read-only connection, each
/// statement prepared once. One per worker process; not thread-safe.
public final class LibraryStore {
    /// Store settings.
    public struct Configuration: Sendable {
        /// Map this many bytes of the file (reads become memory reads, shared
        /// between workers through the page cache). 0 turns it off.
        public var mmapBytes: Int64 = 1 << 30
        /// Artists with at least this many works get their totals and title
        /// order kept for the current data version (see `BigArtistFacts`).
        public var bigArtistWorks = 64
        /// Logs each SQL statement with its time when set (`DB_ECHO`).
        public var echo: Logger?
        /// Logs what the store does once in a while (artist facts built).
        public var logger: Logger?
        /// A request's statements are interrupted after this long; nil: never.
        public var requestTimeout: Duration? = .seconds(10)

        public init() {}
    }

    public let database: Database
    let configuration: Configuration
    /// How long a request's statements may run.
    public var requestTimeout: Duration? { configuration.requestTimeout }
    private let artistStatement, artistWorkCount, artistRecordingCount, artistsPage, artistsSearchPage: Statement
    private let linkedWorkCount, artistWorksPage, artistWorkOrder: Statement
    private let workStatement, workTotals, workRecordingCount, workArtistNames, recordingsPage: Statement
    private let begin, commit, rollback: Statement
    private var facts = BigArtistFacts()
    private var dataVersion: Int64
    /// The pool's facts about every artist, if it keeps them.
    public let artistFacts: ArtistFacts?
    /// Their epoch as read before the current read transaction; nil when
    /// they must not be used in it (the file changed in it).
    private var factsEpoch: UInt64?
    private lazy var factStatements = Result { try FactStatements(database) }

    public init(path: String, configuration: Configuration = Configuration(), artistFacts: ArtistFacts? = nil) throws {
        self.artistFacts = artistFacts
        database = try Database(path: path, mode: .readOnly)
        self.configuration = configuration
        if configuration.mmapBytes > 0 { try database.execute("PRAGMA mmap_size = \(configuration.mmapBytes)") }
        database.echo = configuration.echo
        artistStatement = try database.prepare(Queries.artist)
        artistWorkCount = try database.prepare(Queries.artistWorkCount)
        artistRecordingCount = try database.prepare(Queries.artistRecordingCount)
        artistsPage = try database.prepare(Queries.artistsPage)
        artistsSearchPage = try database.prepare(Queries.artistsSearchPage)
        linkedWorkCount = try database.prepare(Queries.linkedWorkCount)
        artistWorksPage = try database.prepare(Queries.artistWorksPage)
        artistWorkOrder = try database.prepare(Queries.artistWorkOrder)
        workStatement = try database.prepare(Queries.work)
        workTotals = try database.prepare(Queries.workTotals)
        workRecordingCount = try database.prepare(Queries.workRecordingCount)
        workArtistNames = try database.prepare(Queries.workArtistNames)
        recordingsPage = try database.prepare(Queries.recordingsPage)
        begin = try database.prepare("BEGIN")
        commit = try database.prepare("COMMIT")
        rollback = try database.prepare("ROLLBACK")
        dataVersion = try database.dataVersion()
    }

    /// Runs `body` in one read transaction: every statement sees the same
    /// snapshot, and SQLite takes its file lock once rather than per statement.
    /// Statements running past `Configuration.requestTimeout` are interrupted.
    public func read<T>(_ body: () throws -> T) throws -> T {
        // Before the snapshot: what is built for this epoch holds no older data.
        factsEpoch = artistFacts?.epoch
        database.limitTime(to: configuration.requestTimeout.map { UInt64(max(0, $0.nanoseconds)) })
        defer { database.limitTime(to: nil) }
        try begin.step()
        do {
            let result = try body()
            try commit.step()
            return result
        } catch {
            _ = try? rollback.step()
            throw error
        }
    }

    /// Checks whether another program changed the file since the last call;
    /// if so, drops everything derived from the older data and returns true.
    /// Call it inside `read`, so the answer that follows uses that snapshot.
    public func refreshIfChanged() throws -> Bool {
        let now = try database.dataVersion()
        guard now != dataVersion else { return false }
        dataVersion = now
        facts = BigArtistFacts()
        artistFacts?.invalidate()
        factsEpoch = nil
        return true
    }

    /// The pool's artist facts for this transaction, built now if nobody has
    /// (one worker builds; the others go on without meanwhile).
    private func currentFacts() throws -> ArtistFacts.View? {
        guard let artistFacts, let epoch = factsEpoch else { return nil }
        if let view = artistFacts.view(epoch: epoch) { return view }
        guard artistFacts.needsBuild(epoch: epoch) else { return nil }
        var artists = 0
        let published = try artistFacts.build(epoch: epoch) {
            let built = try factStatements.get().compute()
            artists = built.ids.count
            return built
        }
        if published, artists > 0 {
            configuration.logger?.info("artist facts built", metadata: [
                "artists": "\(artists)", "ms": "\(artistFacts.lastBuildMicroseconds / 1000)", "epoch": "\(epoch)"])
        } else if artists > artistFacts.capacity {
            configuration.logger?.warning("artist facts not kept: \(artists) artists, room for \(artistFacts.capacity); lists count totals per page until a reload makes more room")
        }
        return artistFacts.view(epoch: epoch)
    }

    /// Builds the artist facts now if they are missing (a worker about to
    /// take requests, so that the first ones need not).
    public func prepareArtistFacts() throws {
        try read { _ = try currentFacts() }
    }

    // MARK: Artists

    /// `GET /artists`: ordered by name, then id. `search` (UTF-8 bytes) is
    /// matched as SQLite's LIKE matches: bytes, ASCII case folded.
    public func artists(skip: Int64, limit: Int, search: [UInt8]) throws -> [ArtistListItem] {
        let statement = search.isEmpty ? artistsPage : artistsSearchPage
        try statement.bind(Int64(limit), at: 1)
        try statement.bind(skip, at: 2)
        if !search.isEmpty { try statement.bind(text: Self.likePattern(search), at: 3) }
        if search.isEmpty, let page = try artistsFromFacts(skip: skip, limit: limit) { return page }
        var page: [(Int64, String)] = []
        while try statement.step() { page.append((statement.int64(0), statement.string(1) ?? "")) }
        return try page.map { id, name in
            let totals = try artistTotals(id)
            return ArtistListItem(id: id, name: name, workCount: totals.works, recordingCount: totals.recordings)
        }
    }

    /// A page of the unfiltered list straight from the facts' name order:
    /// no walk of the name index to the offset, no totals to count.
    private func artistsFromFacts(skip: Int64, limit: Int) throws -> [ArtistListItem]? {
        guard let view = try currentFacts() else { return nil }
        var page: [ArtistListItem] = []
        let start = Int(min(skip, Int64(view.count)))
        for rank in start..<min(view.count, start + limit) {
            let position = Int(view.byName[rank])
            guard position < view.count else { return nil }  // a build overwrote it meanwhile
            let id = view.ids[position]
            guard let (name, _) = try artistRow(id) else { return nil }
            let totals = view.totals(at: position)
            page.append(ArtistListItem(id: id, name: name, workCount: totals.works, recordingCount: totals.recordings))
        }
        return view.stillValid() ? page : nil
    }

    /// `GET /artists/{id}`, or nil when there is no such artist.
    public func artist(id: Int64) throws -> ArtistDetail? {
        guard let (name, mbid) = try artistRow(id) else { return nil }
        let totals = try artistTotals(id)
        return ArtistDetail(id: id, name: name, musicbrainzID: mbid, workCount: totals.works, recordingCount: totals.recordings)
    }

    /// `GET /artists/{id}/works`: every work linked to the artist, ordered by
    /// title then id; nil when there is no such artist.
    public func artistWorks(artistID: Int64, skip: Int64, limit: Int) throws -> [ArtistWork]? {
        guard let (artistName, _) = try artistRow(artistID) else { return nil }
        var page: [(Int64, String?)] = []
        if let order = try bigArtistWorkOrder(artistID) {
            let start = Int(min(skip, Int64(order.count)))
            page = order[start..<min(order.count, start + limit)].map { ($0, nil) }
        } else {
            try artistWorksPage.bind(artistID, at: 1)
            try artistWorksPage.bind(Int64(limit), at: 2)
            try artistWorksPage.bind(skip, at: 3)
            while try artistWorksPage.step() { page.append((artistWorksPage.int64(0), artistWorksPage.string(1))) }
        }
        return try page.map { id, knownTitle in
            let title = try knownTitle ?? workRow(id)?.title ?? ""
            let (count, duration) = try totals(ofWork: id)
            let names = try artistNames(ofWork: id)
            return ArtistWork(id: id, title: title, artistNames: names.isEmpty ? artistName : names,
                              recordingCount: count, durationTotal: duration)
        }
    }

    // MARK: Works

    /// `GET /works/{id}`, or nil when there is no such work.
    public func work(id: Int64) throws -> WorkDetail? {
        guard let row = try workRow(id) else { return nil }
        let names = try artistNames(ofWork: id)
        try workRecordingCount.bind(id, at: 1)
        _ = try workRecordingCount.step()
        let count = Int(workRecordingCount.int64(0))
        workRecordingCount.reset()
        return WorkDetail(id: id, title: row.title, artistID: row.artistID, artistName: row.artistName,
                          artistNames: names.isEmpty ? (row.artistName ?? unknownArtist) : names,
                          isInstrumental: row.isInstrumental, recordingCount: count)
    }

    /// `GET /works/{id}/recordings`: ordered by title then id, filtered;
    /// nil when there is no such work.
    public func recordings(workID: Int64, skip: Int64, limit: Int,
                           status: StatusFilter, source: SourceFilter) throws -> [RecordingItem]? {
        guard let work = try workRow(workID) else { return nil }
        let names = try artistNames(ofWork: workID)
        let display = names.isEmpty ? unknownArtist : names
        let statement = recordingsPage
        try statement.bind(workID, at: 1)
        try statement.bind(status == .all ? -1 : (status == .matched ? 1 : 0), at: 2)
        try statement.bind(source == .all ? -1 : (source == .library ? 1 : 0), at: 3)
        try statement.bind(Int64(limit), at: 4)
        try statement.bind(skip, at: 5)
        var items: [RecordingItem] = []
        while try statement.step() {
            let path = statement.string(5)
            items.append(RecordingItem(
                id: statement.int64(0), title: statement.string(1) ?? "", artistDisplay: display,
                duration: statement.isNull(2) ? nil : statement.double(2), versionType: statement.string(3),
                workTitle: work.title, isVerified: statement.bool(4), hasFile: path != nil,
                filename: path.map(Self.lastPathComponent)))
        }
        return items
    }

    // MARK: Pieces

    private func artistRow(_ id: Int64) throws -> (String, String?)? {
        try artistStatement.bind(id, at: 1)
        defer { artistStatement.reset() }
        guard try artistStatement.step() else { return nil }
        return (artistStatement.string(0) ?? "", artistStatement.string(1))
    }

    private struct WorkRow {
        var title: String
        var artistID: Int64?
        var artistName: String?
        var isInstrumental: Bool
    }

    private func workRow(_ id: Int64) throws -> WorkRow? {
        try workStatement.bind(id, at: 1)
        defer { workStatement.reset() }
        guard try workStatement.step() else { return nil }
        return WorkRow(title: workStatement.string(0) ?? "", artistID: workStatement.isNull(1) ? nil : workStatement.int64(1),
                       artistName: workStatement.string(2), isInstrumental: workStatement.bool(3))
    }

    /// The names of the work's artists in `work_artists`, by artist id, joined
    /// with ", "; empty when it has none.
    private func artistNames(ofWork id: Int64) throws -> String {
        try workArtistNames.bind(id, at: 1)
        var names = ""
        while try workArtistNames.step() {
            if !names.isEmpty { names += ", " }
            names += workArtistNames.string(0) ?? ""
        }
        return names
    }

    private func totals(ofWork id: Int64) throws -> (Int, Double?) {
        try workTotals.bind(id, at: 1)
        defer { workTotals.reset() }
        _ = try workTotals.step()
        return (Int(workTotals.int64(0)), workTotals.isNull(1) ? nil : workTotals.double(1))
    }

    /// Primary works and their recordings.
    private func artistTotals(_ id: Int64) throws -> BigArtistFacts.Totals {
        if let view = try currentFacts(), let position = view.position(of: id) {
            let totals = view.totals(at: position)
            if view.stillValid() { return BigArtistFacts.Totals(works: totals.works, recordings: totals.recordings) }
        }
        if let known = facts.totals[id] { return known }
        let works = Int(try count(artistWorkCount, id))
        // Counting the recordings of thousands of works is the costly part.
        let totals = BigArtistFacts.Totals(works: works, recordings: Int(try count(artistRecordingCount, id)))
        if works >= configuration.bigArtistWorks { facts.totals[id] = totals }
        return totals
    }

    /// The title order of a big artist's linked works; nil for other artists.
    private func bigArtistWorkOrder(_ id: Int64) throws -> [Int64]? {
        if let known = facts.workOrder[id] { return known }
        guard try count(linkedWorkCount, id) >= configuration.bigArtistWorks else { return nil }
        try artistWorkOrder.bind(id, at: 1)
        var order: [Int64] = []
        while try artistWorkOrder.step() { order.append(artistWorkOrder.int64(0)) }
        facts.workOrder[id] = order
        return order
    }

    private func count(_ statement: Statement, _ id: Int64) throws -> Int64 {
        try statement.bind(id, at: 1)
        defer { statement.reset() }
        _ = try statement.step()
        return statement.int64(0)
    }

    /// `search` as a LIKE pattern matching it literally anywhere in the name.
    static func likePattern(_ search: [UInt8]) -> [UInt8] {
        var pattern: [UInt8] = [UInt8(ascii: "%")]
        for byte in search {
            if byte == UInt8(ascii: "%") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "\\") { pattern.append(UInt8(ascii: "\\")) }
            pattern.append(byte)
        }
        return pattern + [UInt8(ascii: "%")]
    }

    static func lastPathComponent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }
}

/// What the store keeps about big artists for one data version: the totals
/// and title order that would otherwise cost thousands of index reads per
/// request. Derived from the file, dropped whole when the file changes; it
/// holds no response and has no TTL (that is the inner cache's job).
struct BigArtistFacts {
    struct Totals: Equatable {
        var works: Int
        var recordings: Int
    }
    var totals: [Int64: Totals] = [:]
    var workOrder: [Int64: [Int64]] = [:]
}

/// The statements that build the artist facts, prepared by the first
/// worker that builds them.
private struct FactStatements {
    let artistIDs, artistsByName, workArtists, recordingsPerWork: Statement

    init(_ database: Database) throws {
        artistIDs = try database.prepare(Queries.Facts.artistIDs)
        artistsByName = try database.prepare(Queries.Facts.artistsByName)
        workArtists = try database.prepare(Queries.Facts.workArtists)
        recordingsPerWork = try database.prepare(Queries.Facts.recordingsPerWork)
    }

    /// Every artist's totals and the name order, from four passes.
    func compute() throws -> ArtistFacts.Built {
        for statement in [artistIDs, artistsByName, workArtists, recordingsPerWork] { statement.reset() }
        var built = ArtistFacts.Built()
        while try artistIDs.step() { built.ids.append(artistIDs.int64(0)) }
        let ids = built.ids
        func position(_ id: Int64) -> Int? {
            var low = 0, high = ids.count
            while low < high {
                let middle = (low + high) / 2
                if ids[middle] < id { low = middle + 1 } else { high = middle }
            }
            return low < ids.count && ids[low] == id ? low : nil
        }
        built.works = [UInt32](repeating: 0, count: ids.count)
        built.recordings = [UInt32](repeating: 0, count: ids.count)
        built.byName.reserveCapacity(ids.count)
        while try artistsByName.step() { built.byName.append(UInt32(position(artistsByName.int64(0))!)) }
        // Works in id order and recordings counted per work in work id
        // order: one merge, each work's count added to its primary artist.
        var hasWork = try workArtists.step()
        while try recordingsPerWork.step() {
            let work = recordingsPerWork.int64(0), count = UInt32(clamping: recordingsPerWork.int64(1))
            while hasWork && workArtists.int64(0) < work {
                if !workArtists.isNull(1), let artist = position(workArtists.int64(1)) { built.works[artist] += 1 }
                hasWork = try workArtists.step()
            }
            if hasWork && workArtists.int64(0) == work, !workArtists.isNull(1), let artist = position(workArtists.int64(1)) {
                built.recordings[artist] += count
            }
        }
        while hasWork {
            if !workArtists.isNull(1), let artist = position(workArtists.int64(1)) { built.works[artist] += 1 }
            hasWork = try workArtists.step()
        }
        return built
    }
}
