@testable import Store
import Testing
import Vocabulary

/// Every endpoint's answer, compared field for field with the naive oracle,
/// through each of the store's paths (plain SQL, kept big-artist facts, the
/// pool's artist facts).
@Suite struct LibraryStoreTests {
    static let paths = Fixtures.Path.allCases
    let oracle = Fixtures.oracle

    var someArtists: [Int64] { Array(oracle.artists.keys.sorted().prefix(40)) + biggestArtists + [0, -1, 999_999] }
    var biggestArtists: [Int64] {
        let counts = Dictionary(grouping: oracle.links, by: \.artist).mapValues(\.count)
        return counts.sorted { $0.value > $1.value }.prefix(3).map(\.key)
    }
    var someWorks: [Int64] {
        let big = Dictionary(grouping: oracle.recordings, by: \.workID).max { $0.value.count < $1.value.count }!.key
        return Array(1...60) + [big, 0, -5, 9_999_999]
    }

    @Test(arguments: paths)
    func artistDetail(path: Fixtures.Path) throws {
        let store = try path.store()
        // In read transactions, as the API asks: the artist facts are used in one.
        for id in someArtists {
            let artist = try store.read { try store.artist(id: id) }
            #expect(artist == oracle.artist(id), "artist \(id)")
        }
        if path == .artistFacts { #expect(store.artistFacts?.builds == 1) }
    }

    @Test(arguments: paths)
    func artistsListPagesAndSearch(path: Fixtures.Path) throws {
        let store = try path.store()
        for (skip, limit) in [(0, 50), (0, 1), (37, 20), (100, 1000), (119, 5), (500, 10)] as [(Int64, Int)] {
            #expect(try store.read { try store.artists(skip: skip, limit: limit, search: []) } == oracle.artists(skip: skip, limit: limit, search: ""))
        }
        // Literal: % and _ match themselves; ASCII case folds; non-ASCII does not.
        for search in ["%", "_", "100%", "under_", "QUOTED", "\"", "\\", "🎸", "сергей", "Сергей", "a", "zzz-none", "'"] {
            let got = try store.read { try store.artists(skip: 0, limit: 1000, search: Array(search.utf8)) }
            #expect(got == oracle.artists(skip: 0, limit: 1000, search: search), "search \(search)")
        }
        #expect(try store.artists(skip: 0, limit: 10, search: Array("%".utf8)).map(\.name) == ["100% Pure"])
        #expect(try store.artists(skip: 0, limit: 10, search: Array("_".utf8)).map(\.name) == ["Under_score"])
        #expect(try store.artists(skip: 0, limit: 10, search: Array("sergei".utf8)).isEmpty)
    }

    @Test(arguments: paths)
    func artistWorksPagesIncludeCollaborations(path: Fixtures.Path) throws {
        let store = try path.store()
        for id in someArtists {
            for (skip, limit) in [(0, 24), (0, 1000), (5, 3), (10_000, 24)] as [(Int64, Int)] {
                #expect(try store.artistWorks(artistID: id, skip: skip, limit: limit) == oracle.artistWorks(id, skip: skip, limit: limit),
                        "artist \(id) skip \(skip) limit \(limit)")
            }
        }
    }

    @Test func workDetail() throws {
        let store = try Fixtures.store(bigArtistWorks: 64)
        for id in someWorks { #expect(try store.work(id: id) == oracle.work(id), "work \(id)") }
    }

    @Test func recordingsEveryFilterCombination() throws {
        let store = try Fixtures.store(bigArtistWorks: 64)
        for id in someWorks {
            for status in StatusFilter.allCases {
                for source in SourceFilter.allCases {
                    for (skip, limit) in [(0, 100), (3, 7), (0, 1000)] as [(Int64, Int)] {
                        #expect(try store.recordings(workID: id, skip: skip, limit: limit, status: status, source: source)
                                == oracle.recordings(id, skip: skip, limit: limit, status: status, source: source),
                                "work \(id) \(status) \(source) \(skip) \(limit)")
                    }
                }
            }
        }
    }

    /// The rows the generator plants, checked against the contract's words
    /// rather than the oracle, so the two cannot share a mistake.
    @Test func fallbacksOnPlantedRows() throws {
        let store = try Fixtures.store(bigArtistWorks: 64)
        // Work 1: no primary artist and no linked artist at all.
        let orphan = try #require(try store.work(id: 1))
        #expect(orphan.artistID == nil && orphan.artistName == nil && orphan.artistNames == "Unknown")
        #expect(try store.recordings(workID: 1, skip: 0, limit: 5, status: .all, source: .all)?.allSatisfy { $0.artistDisplay == "Unknown" } == true)
        // Work 4: no primary artist, one featured artist: names come from work_artists.
        let featured = try #require(try store.work(id: 4))
        #expect(featured.artistName == nil && featured.artistNames != "Unknown" && !featured.artistNames.isEmpty)
        // Work 2 has collaborators: names ordered by artist id, joined with ", ".
        let duet = try #require(try store.work(id: 2))
        let ids = oracle.links.filter { $0.work == 2 }.map(\.artist).sorted()
        #expect(ids.count >= 2)
        #expect(duet.artistNames == ids.map { oracle.artists[$0]!.name }.joined(separator: ", "))
        // Nasty text comes back byte for byte.
        #expect(try store.artist(id: 3)?.name == "Control\u{01}\u{1F}Char\tTab\nNewline")
        #expect(try store.artist(id: 8)?.name == "👩‍🎤 ZWJ Singer")
    }

    @Test func filenameIsTheLowestIdFilesLastPathComponent() throws {
        let store = try Fixtures.store(bigArtistWorks: 64)
        let byRecording = Dictionary(grouping: oracle.files, by: \.recordingID)
        let several = try #require(byRecording.first { $0.value.count > 1 })
        let recording = try #require(oracle.recordings.first { $0.id == several.key })
        let items = try #require(try store.recordings(workID: recording.workID, skip: 0, limit: 1000, status: .all, source: .library))
        let item = try #require(items.first { $0.id == recording.id })
        let lowest = several.value.min { $0.id < $1.id }!
        #expect(item.hasFile && item.filename == String(lowest.path.split(separator: "/").last!))
    }

    @Test func nullDurationsAndTotals() throws {
        let store = try Fixtures.store(bigArtistWorks: 64)
        let nullDuration = try #require(oracle.recordings.first { $0.duration == nil })
        let items = try #require(try store.recordings(workID: nullDuration.workID, skip: 0, limit: 1000, status: .all, source: .all))
        #expect(items.first { $0.id == nullDuration.id }?.duration == nil)
        // A duration_total adds the non-NULL durations only.
        let work = nullDuration.workID
        let artist = try #require(oracle.links.first { $0.work == work }?.artist)
        let listed = try #require(try store.artistWorks(artistID: artist, skip: 0, limit: 1000)?.first { $0.id == work })
        let expected = oracle.recordings(ofWork: work).compactMap(\.duration)
        #expect(listed.durationTotal == (expected.isEmpty ? nil : expected.reduce(0, +)))
    }
}
