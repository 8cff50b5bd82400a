import CacheTesting
import DemoData
import Foundation
import Logging
@testable import Store
import Support
import Testing

/// A read replica swapped in under a running store: another file renamed
/// over its path is read from the next transaction on, with nothing derived
/// from the old one kept; a file that cannot be served is refused, once, and
/// the old one served on; a request in flight finishes on the file it began.
@Suite struct ReplacedFileTests {
    /// The library, and a replacement that differs in artist 7's name and
    /// in the totals of artist 9 (a work more).
    struct Pair {
        let folder: String
        let path: String
        let replacement: String

        init() throws {
            folder = FileManager.default.temporaryDirectory.path + "/replaced-" + UUID().uuidString.prefix(8).lowercased()
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            path = try TemporaryLibrary(artists: 40, in: folder).path
            replacement = folder + "/replacement.db"
            _ = try Replica.make(from: path, to: replacement)
            let writer = try Database(path: replacement, mode: .readWrite)
            try writer.execute("UPDATE artists SET name = 'Swapped In' WHERE id = 7")
            try writer.execute("INSERT INTO works (title, artist_id, is_instrumental, created_at, updated_at) VALUES ('New', 9, 0, '', '')")
        }

        /// Renames the replacement over the served path, as `airwave replicate` does last.
        func swap() throws {
            guard rename(replacement, path) == 0 else { throw SystemError("rename") }
        }

        func remove() { try? FileManager.default.removeItem(atPath: folder) }
    }

    @Test func aFileRenamedOverThePathIsReadFromTheNextTransaction() throws {
        let pair = try Pair()
        defer { pair.remove() }
        let clock = ManualClock()
        clock.advance(by: .seconds(1))
        let facts = try ArtistFacts(capacity: 100, now: clock.source)
        var configuration = LibraryStore.Configuration()
        configuration.bigArtistWorks = 1  // the per-worker facts too
        let store = try LibraryStore(path: pair.path, configuration: configuration, artistFacts: facts)
        try store.prepareArtistFacts()
        let before = try #require(try store.read { try store.artist(id: 9) })
        let expectedAfter = try Oracle(Database(path: pair.replacement))
        let epoch = facts.epoch

        // A request in flight when the file is replaced finishes on the old one.
        let inFlight = try store.read { () throws -> (ArtistDetail?, ArtistDetail?) in
            let first = try store.artist(id: 7)
            try pair.swap()
            return (first, try store.artist(id: 7))
        }
        #expect(inFlight.0 == inFlight.1 && inFlight.0?.name != "Swapped In")
        #expect(!store.refreshIfChanged() && facts.epoch == epoch)

        // The next one opens the new file: changed, said once; the facts dropped.
        let after = try store.read { () throws -> ArtistDetail? in
            #expect(store.refreshIfChanged())
            return try store.artist(id: 9)
        }
        #expect(after?.workCount == before.workCount + 1 && after == expectedAfter.artist(9))
        #expect(facts.epoch == epoch + 1 && facts.view(epoch: facts.epoch) == nil)
        #expect(try store.read { store.refreshIfChanged() } == false)
        #expect(try store.read { try store.artist(id: 7) }?.name == "Swapped In")
        // Rebuilt from the new file once the epoch is still.
        clock.advance(by: .seconds(1))
        let list = try store.read { try store.artists(skip: 0, limit: 100, search: []) }
        #expect(facts.builds == 2 && list == expectedAfter.artists(skip: 0, limit: 100, search: ""))
        #expect(try store.artistWorks(artistID: 9, skip: 0, limit: 1000) == expectedAfter.artistWorks(9, skip: 0, limit: 1000))
    }

    @Test func aFileThatCannotBeServedIsRefusedOnceAndTheOldOneServed() throws {
        let pair = try Pair()
        defer { pair.remove() }
        let log = LogRecorder()
        var configuration = LibraryStore.Configuration()
        configuration.logger = Logger(label: "test") { _ in log }
        let store = try LibraryStore(path: pair.path, configuration: configuration)
        let old = try #require(try store.read { try store.artist(id: 7) })

        // Not SQLite, then SQLite but not Air-Wave: each refused, logged once.
        let junk = pair.folder + "/junk.db"
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: junk))
        let other = pair.folder + "/other.db"
        try Database(path: other, mode: .create).execute("CREATE TABLE artists (id INTEGER PRIMARY KEY)")
        for (bad, expected) in [(junk, "file is not a database"), (other, "is not an Air-Wave library")] {
            guard rename(bad, pair.path) == 0 else { throw SystemError("rename") }
            for _ in 0..<3 {
                #expect(try store.read { try store.artist(id: 7) } == old)
                #expect(!store.refreshIfChanged())
                #expect(!store.servesCurrentFile, "on the old file: nothing of it may reach the pool's cache or facts")
            }
            let refusals = log.messages.filter { $0.contains("cannot be served") }
            #expect(refusals.count == 1 && refusals.first?.contains(expected) == true, "\(log.messages)")
            log.clear()
        }
        // Changed in place (a chmod): tried again, refused again.
        chmod(pair.path, 0o600)
        #expect(try store.read { try store.artist(id: 7) } == old)
        #expect(log.messages.filter { $0.contains("cannot be served") }.count == 1)

        // A good file renamed over it: served from the next request.
        try pair.swap()
        #expect(try store.read { try store.artist(id: 7) }?.name == "Swapped In")
        #expect(store.refreshIfChanged())
        #expect(store.servesCurrentFile)
        #expect(log.messages.contains { $0.contains("database file replaced: reopened") })
    }

    @Test func aPathThatNamesNothingKeepsTheOpenFile() throws {
        let pair = try Pair()
        defer { pair.remove() }
        let store = try LibraryStore(path: pair.path)
        let old = try store.read { try store.artist(id: 7) }
        try FileManager.default.removeItem(atPath: pair.path)
        #expect(try store.read { try store.artist(id: 7) } == old)
        #expect(!store.refreshIfChanged())
        try pair.swap()
        #expect(try store.read { try store.artist(id: 7) }?.name == "Swapped In")
    }
}

/// Keeps every message logged through it (the refusal is said once).
final class LogRecorder: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var messages: [String] { lock.withLock { recorded } }
    func clear() { lock.withLock { recorded.removeAll() } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lock.withLock { recorded.append("\(event.level) \(event.message) \(fields)") }
    }
}
