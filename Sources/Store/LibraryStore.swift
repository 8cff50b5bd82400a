import Logging
import Support
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

    /// The database path, as the pool was given it: a new file renamed over
    /// it is opened at the next request.
    public let path: String
    let configuration: Configuration
    /// How long a request's statements may run.
    public var requestTimeout: Duration? { configuration.requestTimeout }
    /// The open file and its statements; replaced whole by another file.
    private var connection: Connection
    /// The connection the current (or last) request reads with.
    public var database: Database { connection.database }
    /// A file renamed over the path that could not be served (not SQLite,
    /// not Air-Wave, unreadable), as stat saw it: logged once, tried again
    /// each second, and at once when the path names another file.
    private var refused: FileIdentity?
    /// When to try the refused file again: an error may pass (out of
    /// descriptors, the file still being written), and a worker must not
    /// stay on the old file for good because of one.
    private var retryRefusedAt: UInt64 = 0

    /// Whether the open file is the one the path names (or the path names
    /// none). False while a file renamed over it is refused: this worker
    /// answers from the old file then, and must neither store its answers
    /// in the pool's cache nor use or build the pool's artist facts, which
    /// belong to the new file.
    public var servesCurrentFile: Bool { refused == nil }
    private var facts = BigArtistFacts()
    private var dataVersion: Int64
    /// A new file was opened and no transaction has noticed it yet (its
    /// data version cannot be compared with the old connection's).
    private var reopened = false
    /// Whether the data changed since `refreshIfChanged` last said so.
    private var changeToReport = false
    /// The pool's facts about every artist, if it keeps them.
    public let artistFacts: ArtistFacts?
    /// Their epoch as read before the current read transaction; nil when
    /// they must not be used in it (the file changed in it).
    private var factsEpoch: UInt64?

    public init(path: String, configuration: Configuration = Configuration(), artistFacts: ArtistFacts? = nil) throws {
        self.path = path
        self.artistFacts = artistFacts
        self.configuration = configuration
        connection = try Connection(path: path, configuration: configuration)
        dataVersion = try connection.database.dataVersion()
    }

    /// Runs `body` in one read transaction: every statement sees the same
    /// snapshot, and SQLite takes its file lock once rather than per statement.
    /// Statements running past `Configuration.requestTimeout` are interrupted.
    ///
    /// Before the transaction, a file renamed over the path (a read replica
    /// swapped in) is opened in place of the old one; in it, the data
    /// version is compared. Either way what was derived from older data is
    /// dropped here, the one place that decides "the database changed", and
    /// `refreshIfChanged` says so.
    public func read<T>(_ body: () throws -> T) throws -> T {
        // Before the snapshot: what is built for this epoch holds no older
        // data. And before the stat: a worker that reads an epoch started
        // because of a new file sees that file (see `SharedCache`).
        factsEpoch = artistFacts?.epoch
        reopenIfReplaced()
        if !servesCurrentFile { factsEpoch = nil }
        let connection = self.connection
        connection.database.limitTime(to: configuration.requestTimeout.map { UInt64(max(0, $0.nanoseconds)) })
        defer { connection.database.limitTime(to: nil) }
        try connection.begin.step()
        do {
            try noticeChange()
            let result = try body()
            try connection.commit.step()
            return result
        } catch {
            _ = try? connection.rollback.step()
            throw error
        }
    }

    /// Whether the database changed since the last call: another program
    /// committed to the file, or another file was renamed over the path.
    /// What was derived from the older data is already dropped, and the
    /// current read transaction reads the new data. Call it inside `read`.
    public func refreshIfChanged() -> Bool {
        defer { changeToReport = false }
        return changeToReport
    }

    /// The data this transaction reads is not what was derived from before.
    private func noticeChange() throws {
        let now = try connection.database.dataVersion()
        guard reopened || now != dataVersion else { return }
        dataVersion = now
        reopened = false
        facts = BigArtistFacts()
        artistFacts?.invalidate()
        factsEpoch = nil
        changeToReport = true
    }

    /// Opens the file the path names now if it is not the one open. One that
    /// cannot be served is refused (tried again each second) and logged once, and the old file, which
    /// lives on while we hold it, is served until a good one is renamed over
    /// the path: a bad copy must not take the pool down, and answering 503
    /// would turn it into an outage of every host it was copied to. A path
    /// that names nothing (removed, or its folder unreadable) changes
    /// nothing either.
    private func reopenIfReplaced() {
        guard let now = try? FileIdentity(path: path), !now.isSameFile(as: connection.identity),
              now != refused || SystemClock.now() >= retryRefusedAt else { return }
        let started = SystemClock.now()
        do {
            let next = try Connection(path: path, configuration: configuration)
            next.database.timesStatements = connection.database.timesStatements
            let old = connection.identity
            connection = next
            reopened = true
            refused = nil
            configuration.logger?.notice("database file replaced: reopened", metadata: [
                "db": "\(path)", "old_inode": "\(old.inode)", "new_inode": "\(next.identity.inode)",
                "ms": "\(Format.milliseconds(SystemClock.now() - started))"])
        } catch {
            retryRefusedAt = SystemClock.deadline(after: .seconds(1))
            guard now != refused else { return }  // said once per file
            refused = now
            configuration.logger?.error("database file replaced by one that cannot be served: still serving the file open before (inode \(connection.identity.inode)) until a good one is renamed over it", metadata: [
                "db": "\(path)", "inode": "\(now.inode)", "error": "\(error)"])
        }
    }

    /// The pool's artist facts for this transaction, built now if nobody has
    /// (one worker builds; the others go on without meanwhile).
    private func currentFacts() throws -> ArtistFacts.View? {
        guard let artistFacts, let epoch = factsEpoch else { return nil }
        if let view = artistFacts.view(epoch: epoch) { return view }
        guard artistFacts.needsBuild(epoch: epoch) else { return nil }
        var artists = 0
        let published = try artistFacts.build(epoch: epoch) {
            let built = try connection.factStatements.get().compute()
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
        let statement = search.isEmpty ? connection.artistsPage : connection.artistsSearchPage
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
            let statement = connection.artistWorksPage
            try statement.bind(artistID, at: 1)
            try statement.bind(Int64(limit), at: 2)
            try statement.bind(skip, at: 3)
            while try statement.step() { page.append((statement.int64(0), statement.string(1))) }
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
        let count = Int(try self.count(connection.workRecordingCount, id))
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
        let statement = connection.recordingsPage
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
        let statement = connection.artist
        try statement.bind(id, at: 1)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return (statement.string(0) ?? "", statement.string(1))
    }

    private struct WorkRow {
        var title: String
        var artistID: Int64?
        var artistName: String?
        var isInstrumental: Bool
    }

    private func workRow(_ id: Int64) throws -> WorkRow? {
        let statement = connection.work
        try statement.bind(id, at: 1)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return WorkRow(title: statement.string(0) ?? "", artistID: statement.isNull(1) ? nil : statement.int64(1),
                       artistName: statement.string(2), isInstrumental: statement.bool(3))
    }

    /// The names of the work's artists in `work_artists`, by artist id, joined
    /// with ", "; empty when it has none.
    private func artistNames(ofWork id: Int64) throws -> String {
        let statement = connection.workArtistNames
        try statement.bind(id, at: 1)
        var names = ""
        while try statement.step() {
            if !names.isEmpty { names += ", " }
            names += statement.string(0) ?? ""
        }
        return names
    }

    private func totals(ofWork id: Int64) throws -> (Int, Double?) {
        let statement = connection.workTotals
        try statement.bind(id, at: 1)
        defer { statement.reset() }
        _ = try statement.step()
        return (Int(statement.int64(0)), statement.isNull(1) ? nil : statement.double(1))
    }

    /// Primary works and their recordings.
    private func artistTotals(_ id: Int64) throws -> BigArtistFacts.Totals {
        if let view = try currentFacts(), let position = view.position(of: id) {
            let totals = view.totals(at: position)
            if view.stillValid() { return BigArtistFacts.Totals(works: totals.works, recordings: totals.recordings) }
        }
        if let known = facts.totals[id] { return known }
        let works = Int(try count(connection.artistWorkCount, id))
        // Counting the recordings of thousands of works is the costly part.
        let totals = BigArtistFacts.Totals(works: works, recordings: Int(try count(connection.artistRecordingCount, id)))
        if works >= configuration.bigArtistWorks { facts.totals[id] = totals }
        return totals
    }

    /// The title order of a big artist's linked works; nil for other artists.
    private func bigArtistWorkOrder(_ id: Int64) throws -> [Int64]? {
        if let known = facts.workOrder[id] { return known }
        guard try count(connection.linkedWorkCount, id) >= configuration.bigArtistWorks else { return nil }
        let statement = connection.artistWorkOrder
        try statement.bind(id, at: 1)
        var order: [Int64] = []
        while try statement.step() { order.append(statement.int64(0)) }
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
struct FactStatements {
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
