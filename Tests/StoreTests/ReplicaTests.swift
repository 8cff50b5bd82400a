import DemoData
import Foundation
@testable import Store
import Testing

/// `airwave replicate`: a consistent, checked copy renamed over the
/// destination with its permissions; a bad source changes nothing.
@Suite struct ReplicaTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.path + "/replica-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func library(_ name: String, artists: Int = 30, prepare: (String) throws -> Void = { _ in }) throws -> String {
        try TemporaryLibrary(artists: artists, in: folder, name: name, prepare: prepare).path
    }

    /// Every row of the tables the API reads, as text: two files hold the same library when these are equal.
    static func content(_ path: String) throws -> [[String?]] {
        let db = try Database(path: path)
        return try ["artists", "works", "work_artists", "recordings", "library_files"].flatMap { try db.rows("SELECT * FROM \($0) ORDER BY 1, 2") }
    }

    /// What is left in the folder besides the given files (temporary files must not be).
    func leftovers(besides names: [String]) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { name in !names.contains { $0.hasSuffix("/" + name) } }
    }

    @Test func theCopyIsTheSourceWithTheReplacedFilesPermissions() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = try library("source") { path in
            try Database(path: path, mode: .readWrite).execute("UPDATE artists SET name = 'Only In The Source' WHERE id = 3")
        }
        let destination = try library("destination", artists: 20)
        chmod(destination, 0o640)
        let before = try FileIdentity(path: destination)
        let report = try Replica.make(from: source, to: destination)
        #expect(try Self.content(destination) == Self.content(source))
        #expect(try Database(path: destination).rows("SELECT name FROM artists WHERE id = 3") == [["Only In The Source"]])
        #expect(try !FileIdentity(path: destination).isSameFile(as: before))  // renamed over, not written in place
        var status = stat()
        stat(destination, &status)
        #expect(status.st_mode & 0o7777 == 0o640 && report.mode == 0o640 && status.st_uid == geteuid() && report.replaced)
        #expect(Int64(report.pages) * Int64(report.pageSize) == report.bytes && report.bytes == Int64(status.st_size))
        #expect(try Database(path: destination).rows("PRAGMA quick_check") == [["ok"]])
        #expect(try leftovers(besides: [source, destination]).isEmpty)
    }

    @Test func aNewDestinationGetsTheUsualMode() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = try library("source")
        let destination = folder + "/new.db"
        let mask = umask(0o022)
        defer { umask(mask) }
        let report = try Replica.make(from: source, to: destination)
        #expect(!report.replaced && report.mode == 0o644)
        #expect(try Self.content(destination) == Self.content(source))
    }

    /// A source in WAL mode, with a commit still only in its -wal: the copy
    /// has it, and is in rollback-journal mode, so that at the destination's
    /// name it never reads a -wal file left there.
    @Test func aWALSourceGivesARollbackJournalCopyWithEveryCommit() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = try library("source")
        let writer = try Database(path: source, mode: .readWrite)
        try writer.execute("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0")
        try writer.execute("UPDATE artists SET name = 'Only In The WAL' WHERE id = 4")
        #expect(FileManager.default.fileExists(atPath: source + "-wal"))
        let destination = folder + "/copy.db"
        _ = try Replica.make(from: source, to: destination)
        let copy = try Database(path: destination)
        #expect(try copy.rows("PRAGMA journal_mode") == [["delete"]])
        #expect(try copy.rows("SELECT name FROM artists WHERE id = 4") == [["Only In The WAL"]])
        #expect(!FileManager.default.fileExists(atPath: destination + "-wal"))
    }

    @Test(arguments: ["missing", "not-sqlite", "other-schema", "symlink", "same-file", "no-folder", "wal-left", "hot-journal"])
    func aBadRequestChangesNothing(kind: String) throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let good = try library("good")
        var destination = try library("destination", artists: 20)
        var source = folder + "/source.db"
        let expected: String
        switch kind {
        case "missing": expected = "source not found"
        case "not-sqlite":
            try Data("not a database, really".utf8).write(to: URL(fileURLWithPath: source))
            expected = "file is not a database"
        case "other-schema":
            try Database(path: source, mode: .create).execute("CREATE TABLE artists (id INTEGER PRIMARY KEY, name TEXT)")
            expected = "is not an Air-Wave library: missing artists.musicbrainz_id"
        case "symlink":
            source = good
            let link = folder + "/link.db"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: destination)
            destination = link
            expected = "is a symbolic link"
        case "wal-left", "hot-journal":
            source = good
            let suffix = kind == "wal-left" ? "-wal" : "-journal"
            try Data("left by the file replaced".utf8).write(to: URL(fileURLWithPath: destination + suffix))
            expected = "\(destination)\(suffix) exists"
        case "same-file":
            source = destination
            expected = "are the same file"
        default:
            source = good
            destination = folder + "/nowhere/library.db"
            expected = "does not exist"
        }
        let content = try? Self.content(destination)
        let identity = try? FileIdentity(path: destination)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let error = try #require(throws: (any Error).self) { try Replica.make(from: source, to: destination) }
        #expect("\(error)".contains(expected), "\(error)")
        #expect((try? Self.content(destination)) == content)
        #expect((try? FileIdentity(path: destination)) == identity)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == files)  // no temporary file left
    }

    /// Copies made while another program commits to the source, again and
    /// again: each is whole and one snapshot (every work its recordings).
    @Test func copiesWhileTheSourceIsWritten() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = try library("source")
        let destination = folder + "/copy.db"
        let stop = Atomic(false)
        let writer = Thread {
            guard let db = try? Database(path: source, mode: .readWrite) else { return }
            var n = 0
            while !stop.value {
                n += 1
                // A work and its recording in one transaction: a copy has both or neither.
                try? db.execute("""
                    BEGIN IMMEDIATE;
                    INSERT INTO works (title, artist_id, is_instrumental, created_at, updated_at) VALUES ('Written \(n)', 1, 0, '', '');
                    INSERT INTO recordings (work_id, title, is_verified, created_at, updated_at) VALUES (last_insert_rowid(), 'Written \(n)', 0, '', '');
                    COMMIT;
                    """)
            }
        }
        writer.start()
        var counts: [String] = []
        for _ in 0..<5 {
            _ = try Replica.make(from: source, to: destination)
            let copy = try Database(path: destination)
            #expect(try copy.rows("PRAGMA quick_check") == [["ok"]])
            let written = try copy.rows("SELECT (SELECT count(*) FROM works WHERE title LIKE 'Written %'), (SELECT count(*) FROM recordings WHERE title LIKE 'Written %')")[0]
            #expect(written[0] == written[1], "a work without its recording: \(written)")
            counts.append(written[0] ?? "")
        }
        stop.value = true
        while !writer.isFinished { usleep(1000) }
        #expect(Set(counts).count > 1, "the writer was not writing meanwhile: \(counts)")
    }
}

/// A flag two threads share.
final class Atomic<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
