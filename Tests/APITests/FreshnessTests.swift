@testable import API
import Cache
import CacheTesting
import DemoData
import Foundation
import Store
import Support
import Testing

/// Two workers in one process, as the pool has them: each its own
/// connection, one shared cache and one set of artist facts. A write that
/// one of them notices is never answered from older data by either, in a
/// rollback-journal file or a WAL one.
@Suite struct FreshnessTests {
    @Test(arguments: ["DELETE", "WAL"])
    func aWriteOneWorkerNoticesIsSeenByBoth(journalMode: String) throws {
        let library = try TemporaryLibrary(artists: 30) { path in
            try Database(path: path, mode: .readWrite).execute("PRAGMA journal_mode = \(journalMode)")
        }
        defer { library.remove() }
        let cache = try SharedCache()
        let facts = try ArtistFacts(capacity: 100)
        func worker() throws -> LibraryAPI { LibraryAPI(store: try LibraryStore(path: library.path, artistFacts: facts), cache: cache) }
        let (first, second) = (try worker(), try worker())
        facts.waitUntilSettled()
        try first.store.prepareArtistFacts()
        #expect(facts.builds == 1)
        let url = Fixture.base + "/artists/7", list = Fixture.base + "/artists?limit=100"
        for api in [first, second, first, second] {
            #expect(api.respond(method: "GET", uri: url).status == 200 && api.respond(method: "GET", uri: list).status == 200)
        }
        #expect(second.respond(method: "GET", uri: url).innerCache == .hit)

        let writer = try Database(path: library.path, mode: .readWrite)
        #expect(try writer.rows("PRAGMA journal_mode")[0][0] == journalMode.lowercased())
        try writer.execute("UPDATE artists SET name = 'Renamed \(journalMode)' WHERE id = 7")
        try writer.execute("INSERT INTO works (title, artist_id, is_instrumental, created_at, updated_at) VALUES ('New', 7, 0, '', '')")

        // The oracle: a connection of its own, no cache, no facts.
        let oracle = LibraryAPI(store: try LibraryStore(path: library.path), cache: nil)
        for api in [second, first, second, first] {
            #expect(api.respond(method: "GET", uri: url).body == oracle.respond(method: "GET", uri: url).body)
            #expect(api.respond(method: "GET", uri: list).body == oracle.respond(method: "GET", uri: list).body)
        }
        #expect(String(decoding: first.respond(method: "GET", uri: url).body, as: UTF8.self).contains("Renamed \(journalMode)"))
    }

    /// A read replica renamed over the file while one worker is in the
    /// middle of a request: that request finishes on the old file, but what
    /// it computed cannot be stored once another worker has opened the new
    /// file and started a new epoch; from then on both answer from the new
    /// file only, the list's artist facts included.
    @Test func aFileRenamedOverIsSeenByBothAndNothingOlderIsStoredAfter() throws {
        let library = try TemporaryLibrary(artists: 30)
        let replacement = try TemporaryLibrary(artists: 30, name: "replacement") { path in
            let writer = try Database(path: path, mode: .readWrite)
            try writer.execute("UPDATE artists SET name = 'Swapped In' WHERE id = 7")
            try writer.execute("INSERT INTO works (title, artist_id, is_instrumental, created_at, updated_at) VALUES ('New', 7, 0, '', '')")
        }
        defer { library.remove(); replacement.remove() }
        let cache = try SharedCache()
        let facts = try ArtistFacts(capacity: 100)
        func worker() throws -> LibraryAPI { LibraryAPI(store: try LibraryStore(path: library.path, artistFacts: facts), cache: cache) }
        let (first, second) = (try worker(), try worker())
        facts.waitUntilSettled()
        try first.store.prepareArtistFacts()
        let url = Fixture.base + "/artists/7", list = Fixture.base + "/artists?limit=100"
        for api in [first, second, first, second] {
            #expect(api.respond(method: "GET", uri: url).status == 200 && api.respond(method: "GET", uri: list).status == 200)
        }
        #expect(first.respond(method: "GET", uri: url).innerCache == .hit && second.respond(method: "GET", uri: list).innerCache == .hit)
        let newURL = LibraryAPI(store: try LibraryStore(path: replacement.path), cache: nil).respond(method: "GET", uri: url).body
        let newList = LibraryAPI(store: try LibraryStore(path: replacement.path), cache: nil).respond(method: "GET", uri: list).body

        // The first worker is in a request (its epoch read, its snapshot
        // taken) when the new file is renamed in and the second one answers.
        let request = LibraryRequest.artist(id: 7)
        let epoch = cache.epoch
        let oldBody = try first.store.read { () throws -> [UInt8] in
            _ = try first.body(for: request)
            guard rename(replacement.path, library.path) == 0 else { throw SystemError("rename") }
            let answer = second.respond(method: "GET", uri: url)
            #expect(answer.body == newURL && answer.innerCache == .miss)
            return try first.body(for: request)
        }
        #expect(!String(decoding: oldBody, as: UTF8.self).contains("Swapped In"))
        #expect(cache.epoch > epoch)
        #expect(!cache.store(request.cacheKey, endpoint: request.endpoint, body: oldBody, epoch: epoch))

        for api in [first, second, first, second] {
            #expect(api.respond(method: "GET", uri: url).body == newURL)
            #expect(api.respond(method: "GET", uri: list).body == newList)
        }
        #expect(first.respond(method: "GET", uri: url).innerCache == .hit)
    }

    /// A file renamed over the path that cannot be served: the worker goes
    /// on answering from the old file, but none of those answers reaches the
    /// pool's cache, where the other workers would take them for the new
    /// file's, and the artist facts are neither used nor built from it.
    @Test func aWorkerStillOnTheOldFileKeepsItsAnswersToItself() throws {
        let library = try TemporaryLibrary(artists: 30)
        defer { library.remove() }
        let cache = try SharedCache()
        let facts = try ArtistFacts(capacity: 100)
        let api = LibraryAPI(store: try LibraryStore(path: library.path, artistFacts: facts), cache: cache)
        facts.waitUntilSettled()
        let url = Fixture.base + "/artists/7", list = Fixture.base + "/artists?limit=100"
        #expect(api.respond(method: "GET", uri: url).innerCache == .miss && api.respond(method: "GET", uri: url).innerCache == .hit)

        let junk = library.path + ".junk"
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: junk))
        #expect(rename(junk, library.path) == 0)
        cache.clear()  // as a worker that opened the new file would have
        let builds = facts.builds
        for _ in 0..<3 {
            #expect(api.respond(method: "GET", uri: url).status == 200)
            #expect(api.respond(method: "GET", uri: list).status == 200)
        }
        #expect(api.respond(method: "GET", uri: url).innerCache == .miss, "nothing was stored")
        #expect(cache.counters().values.map(\.entries).reduce(0, +) == 0)
        #expect(facts.builds == builds, "no facts built from the old file")
    }
}
