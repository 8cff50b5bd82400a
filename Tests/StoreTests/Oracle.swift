@testable import Store
import Vocabulary

/// The contract's semantics computed the naive way: every table read into
/// memory, every answer derived in Swift. The store must agree with it.
struct Oracle {
    struct Artist { var id: Int64; var name: String; var mbid: String? }
    struct Work { var id: Int64; var title: String; var artistID: Int64?; var instrumental: Bool }
    struct Recording { var id: Int64; var workID: Int64; var title: String; var version: String?; var duration: Double?; var verified: Bool }
    struct File { var id: Int64; var recordingID: Int64; var path: String }

    var artists: [Int64: Artist] = [:]
    var works: [Int64: Work] = [:]
    var links: [(work: Int64, artist: Int64)] = []
    var recordings: [Recording] = []
    var files: [File] = []
    var firstFile: [Int64: File] = [:]

    init(_ db: Database) throws {
        for r in try db.rows("SELECT id, name, musicbrainz_id FROM artists") {
            artists[Int64(r[0]!)!] = Artist(id: Int64(r[0]!)!, name: r[1]!, mbid: r[2])
        }
        for r in try db.rows("SELECT id, title, artist_id, is_instrumental FROM works") {
            works[Int64(r[0]!)!] = Work(id: Int64(r[0]!)!, title: r[1]!, artistID: r[2].flatMap { Int64($0) }, instrumental: r[3] == "1")
        }
        links = try db.rows("SELECT work_id, artist_id FROM work_artists").map { (Int64($0[0]!)!, Int64($0[1]!)!) }
        // Durations read as doubles (text would round them).
        let statement = try db.prepare("SELECT id, work_id, title, version_type, duration, is_verified FROM recordings")
        while try statement.step() {
            recordings.append(Recording(id: statement.int64(0), workID: statement.int64(1), title: statement.string(2)!,
                                        version: statement.string(3), duration: statement.isNull(4) ? nil : statement.double(4),
                                        verified: statement.bool(5)))
        }
        files = try db.rows("SELECT id, recording_id, path FROM library_files").map { File(id: Int64($0[0]!)!, recordingID: Int64($0[1]!)!, path: $0[2]!) }
        for file in files where firstFile[file.recordingID].map({ file.id < $0.id }) ?? true { firstFile[file.recordingID] = file }
    }

    /// SQLite's BINARY order: bytes of the UTF-8 text.
    static func before(_ a: String, _ aID: Int64, _ b: String, _ bID: Int64) -> Bool {
        a == b ? aID < bID : a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func page<T>(_ items: [T], _ skip: Int64, _ limit: Int) -> [T] {
        guard skip < items.count else { return [] }
        return Array(items[Int(skip)..<min(items.count, Int(skip) + limit)])
    }

    func names(ofWork id: Int64) -> String {
        links.filter { $0.work == id }.map(\.artist).sorted().compactMap { artists[$0]?.name }.joined(separator: ", ")
    }

    func recordings(ofWork id: Int64) -> [Recording] { recordings.filter { $0.workID == id } }

    func totals(ofArtist id: Int64) -> (Int, Int) {
        let primary = Set(works.values.filter { $0.artistID == id }.map(\.id))
        return (primary.count, recordings.filter { primary.contains($0.workID) }.count)
    }

    func artists(skip: Int64, limit: Int, search: String) -> [ArtistListItem] {
        let needle = Self.asciiLower(search)
        let matching = artists.values.filter { search.isEmpty || Self.asciiLower($0.name).contains(needle) }
            .sorted { Self.before($0.name, $0.id, $1.name, $1.id) }
        return Self.page(matching, skip, limit).map {
            let (works, recordings) = totals(ofArtist: $0.id)
            return ArtistListItem(id: $0.id, name: $0.name, workCount: works, recordingCount: recordings)
        }
    }

    func artist(_ id: Int64) -> ArtistDetail? {
        guard let a = artists[id] else { return nil }
        let (works, recordings) = totals(ofArtist: id)
        return ArtistDetail(id: id, name: a.name, musicbrainzID: a.mbid, workCount: works, recordingCount: recordings)
    }

    func artistWorks(_ id: Int64, skip: Int64, limit: Int) -> [ArtistWork]? {
        guard let artist = artists[id] else { return nil }
        let linked = Set(links.filter { $0.artist == id }.map(\.work)).compactMap { works[$0] }
            .sorted { Self.before($0.title, $0.id, $1.title, $1.id) }
        return Self.page(linked, skip, limit).map { w in
            let recs = recordings(ofWork: w.id)
            let durations = recs.compactMap(\.duration)
            let names = names(ofWork: w.id)
            return ArtistWork(id: w.id, title: w.title, artistNames: names.isEmpty ? artist.name : names,
                              recordingCount: recs.count, durationTotal: durations.isEmpty ? nil : durations.reduce(0, +))
        }
    }

    func work(_ id: Int64) -> WorkDetail? {
        guard let w = works[id] else { return nil }
        let primaryName = w.artistID.flatMap { artists[$0]?.name }
        let names = names(ofWork: id)
        return WorkDetail(id: id, title: w.title, artistID: w.artistID, artistName: primaryName,
                          artistNames: names.isEmpty ? (primaryName ?? "Unknown") : names,
                          isInstrumental: w.instrumental, recordingCount: recordings(ofWork: id).count)
    }

    func recordings(_ workID: Int64, skip: Int64, limit: Int, status: StatusFilter, source: SourceFilter) -> [RecordingItem]? {
        guard let w = works[workID] else { return nil }
        let names = names(ofWork: workID)
        let items = recordings(ofWork: workID).sorted { Self.before($0.title, $0.id, $1.title, $1.id) }.compactMap { r -> RecordingItem? in
            let first = firstFile[r.id]
            switch status {
            case .all: break
            case .matched: if !r.verified { return nil }
            case .unmatched: if r.verified { return nil }
            }
            switch source {
            case .all: break
            case .library: if first == nil { return nil }
            case .metadata: if first != nil { return nil }
            }
            return RecordingItem(id: r.id, title: r.title, artistDisplay: names.isEmpty ? "Unknown" : names, duration: r.duration,
                                 versionType: r.version, workTitle: w.title, isVerified: r.verified, hasFile: first != nil,
                                 filename: first.map { String($0.path.split(separator: "/", omittingEmptySubsequences: false).last!) })
        }
        return Self.page(items, skip, limit)
    }

    static func asciiLower(_ s: String) -> [UInt8] { s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 } }
}

extension Array where Element == UInt8 {
    func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
