@testable import API
import Cache
import CacheTesting
import DemoData
import Foundation
import Store
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
}
