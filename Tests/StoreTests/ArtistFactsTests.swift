import CacheTesting
import CSupport
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
        let clock = ManualClock()
        let facts = try ArtistFacts(capacity: 1000, now: clock.source)
        clock.advance(by: .seconds(1))
        let store = try LibraryStore(path: path, artistFacts: facts)
        try store.prepareArtistFacts()
        let epoch = facts.epoch
        let before = try store.read { try store.artist(id: 9) }
        let writer = try Database(path: path, mode: .readWrite)
        try writer.execute("INSERT INTO works (title, artist_id, is_instrumental, created_at, updated_at) VALUES ('New', 9, 0, '', '')")
        // The read that notices the change uses no facts and builds none.
        let noticed = try store.read { () throws -> ArtistDetail? in
            #expect(store.refreshIfChanged())
            return try store.artist(id: 9)
        }
        #expect(facts.epoch == epoch + 1 && facts.view(epoch: facts.epoch) == nil && facts.builds == 1)
        #expect(noticed?.workCount == before!.workCount + 1)
        // Right after, it goes without: other workers may still be noticing.
        #expect(try store.read { try store.artist(id: 9) }?.workCount == before!.workCount + 1)
        #expect(facts.builds == 1)
        // Once the epoch has been still for a moment, the next one builds them again.
        clock.advance(by: .milliseconds(49))
        #expect(try store.read { try store.artist(id: 9) }?.workCount == before!.workCount + 1)
        #expect(facts.builds == 1)
        clock.advance(by: .milliseconds(1))
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
        // A builder that is gone, holding the claim (as a worker killed halfway).
        let gone = DispatchSemaphore(value: 0)
        Thread {
            #expect(airwave_facts_claim(facts.facts) != 0)
            gone.signal()
        }.start()
        gone.wait()
        usleep(50_000)  // the thread has exited
        let store = try Fixtures.store(bigArtistWorks: Int.max, artistFacts: facts)
        try store.prepareArtistFacts()
        #expect(facts.builds == 1)
        // A live one is not: here this thread holds the claim.
        facts.invalidate()
        facts.waitUntilSettled()
        #expect(airwave_facts_claim(facts.facts) != 0)
        try store.prepareArtistFacts()
        #expect(facts.builds == 1 && facts.view(epoch: facts.epoch) == nil)
        airwave_facts_release(facts.facts)
        try store.prepareArtistFacts()
        #expect(facts.builds == 2 && facts.view(epoch: facts.epoch) != nil)
    }

    /// A builder killed between opening a buffer and publishing it leaves
    /// that buffer's sequence odd: the next build still publishes facts
    /// readers use.
    @Test func aBuildCutShortLeavesNothingUnusable() throws {
        let facts = try ArtistFacts(capacity: 1000)
        let store = try Fixtures.store(bigArtistWorks: Int.max, artistFacts: facts)
        let spare = 1 - (facts.facts.pointee.current & 1)
        airwave_facts_begin_write(facts.facts, spare)  // and never published
        try store.prepareArtistFacts()
        #expect(facts.builds == 1 && facts.facts.pointee.current == spare)
        #expect(facts.view(epoch: facts.epoch) != nil)
    }

    /// A library with no artists, or works without recordings: facts all the same.
    @Test func emptyAndRecordinglessLibraries() throws {
        let empty = try TemporaryLibrary(artists: 5) { path in
            let writer = try Database(path: path, mode: .readWrite)
            for table in ["library_files", "recordings", "work_artists", "works", "artists"] { try writer.execute("DELETE FROM \(table)") }
        }
        defer { empty.remove() }
        let facts = try ArtistFacts(capacity: 10)
        let store = try LibraryStore(path: empty.path, artistFacts: facts)
        try store.prepareArtistFacts()
        #expect(try store.read { try store.artists(skip: 0, limit: 10, search: []) }.isEmpty)

        let bare = try TemporaryLibrary(artists: 5) { path in
            let writer = try Database(path: path, mode: .readWrite)
            try writer.execute("DELETE FROM library_files")
            try writer.execute("DELETE FROM recordings")
        }
        defer { bare.remove() }
        let bareFacts = try ArtistFacts(capacity: 100)
        let bareStore = try LibraryStore(path: bare.path, artistFacts: bareFacts)
        try bareStore.prepareArtistFacts()
        #expect(bareFacts.builds == 1)
        let listed = try bareStore.read { try bareStore.artists(skip: 0, limit: 100, search: []) }
        let plain = try LibraryStore(path: bare.path)
        #expect(listed == (try plain.read { try plain.artists(skip: 0, limit: 100, search: []) }))
        #expect(listed.allSatisfy { $0.recordingCount == 0 } && !listed.isEmpty)
    }
}
