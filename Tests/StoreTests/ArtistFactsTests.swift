import DemoData
import Foundation
@testable import Store
import Testing

/// The pool's artist facts: built once for the pool, equal to what SQL
/// says, dropped when the file changes, never used half written or stale.
@Suite struct ArtistFactsTests {
    let oracle = Fixtures.oracle

    @Test func builtOnceForThePoolAndEqualToTheOracle() throws {
        let facts = try ArtistFacts(capacity: 1000)
        // Two workers over the same shared facts.
        let first = try Fixtures.store(bigArtistWorks: Int.max, artistFacts: facts)
        let second = try Fixtures.store(bigArtistWorks: Int.max, artistFacts: facts)
        try first.prepareArtistFacts()
        #expect(facts.builds == 1)
        let view = try #require(facts.view(epoch: facts.epoch))
        #expect(view.count == oracle.artists.count)
        for (position, id) in oracle.artists.keys.sorted().enumerated() {
            let (works, recordings) = oracle.totals(ofArtist: id)
            #expect(view.ids[position] == id && view.totals(at: position) == (works, recordings), "artist \(id)")
        }
        let byName = (0..<view.count).map { view.ids[Int(view.byName[$0])] }
        #expect(byName == oracle.artists(skip: 0, limit: 1000, search: "").map(\.id))
        #expect(view.stillValid())
        // The second worker uses them without building.
        #expect(try second.read { try second.artists(skip: 3, limit: 7, search: []) } == oracle.artists(skip: 3, limit: 7, search: ""))
        #expect(facts.builds == 1)
    }

    @Test func aChangedFileDropsThemAndTheNextReaderRebuilds() throws {
        let path = try TemporaryLibrary(artists: 50).path
        let facts = try ArtistFacts(capacity: 1000)
        let store = try LibraryStore(path: path, artistFacts: facts)
        try store.prepareArtistFacts()
        let epoch = facts.epoch
        let before = try store.read { try store.artist(id: 9) }
        let writer = try Database(path: path, mode: .readWrite)
        try writer.execute("INSERT INTO works (title, artist_id, is_instrumental, created_at, updated_at) VALUES ('New', 9, 0, '', '')")
        // The read that notices the change uses no facts and builds none.
        let noticed = try store.read { () throws -> ArtistDetail? in
            #expect(try store.refreshIfChanged())
            return try store.artist(id: 9)
        }
        #expect(facts.epoch == epoch + 1 && facts.view(epoch: facts.epoch) == nil && facts.builds == 1)
        #expect(noticed?.workCount == before!.workCount + 1)
        // Right after, it goes without: other workers may still be noticing.
        #expect(try store.read { try store.artist(id: 9) }?.workCount == before!.workCount + 1)
        #expect(facts.builds == 1)
        // Once the epoch has been still for a moment, the next one builds them again.
        usleep(60_000)
        #expect(try store.read { try store.artist(id: 9) }?.workCount == before!.workCount + 1)
        #expect(facts.builds == 2 && facts.view(epoch: facts.epoch) != nil)
    }

    @Test func aLibraryLargerThanTheirRoomGoesWithout() throws {
        let facts = try ArtistFacts(capacity: 10)
        let store = try Fixtures.store(bigArtistWorks: Int.max, artistFacts: facts)
        #expect(try store.read { try store.artists(skip: 0, limit: 20, search: []) } == oracle.artists(skip: 0, limit: 20, search: ""))
        #expect(facts.builds == 0 && !facts.needsBuild(epoch: facts.epoch))  // not tried again for this epoch
    }

    @Test func aBuilderThatDiedIsTakenOver() throws {
        let facts = try ArtistFacts(capacity: 1000)
        // A pid that existed and is gone.
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, &argv, nil) == 0)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        facts.facts.pointee.builder = pid
        let store = try Fixtures.store(bigArtistWorks: Int.max, artistFacts: facts)
        try store.prepareArtistFacts()
        #expect(facts.builds == 1 && facts.facts.pointee.builder == 0)
        // A live one is not.
        facts.invalidate()
        facts.facts.pointee.builder = getpid()
        try store.prepareArtistFacts()
        #expect(facts.builds == 1)
        facts.facts.pointee.builder = 0
    }
}
