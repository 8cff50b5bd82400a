import DemoData
import Foundation
import Testing

/// `airwave serve` on its own: start-up checks, stale sockets, SIGTERM.
@Suite struct ServeTests {
    let dir: String

    init() throws {
        dir = Stack.root + "/run/s-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func library(helperIndexes: Bool) throws -> String {
        try TemporaryLibrary(artists: 30, helperIndexes: helperIndexes, in: dir).path
    }

    func serve(_ arguments: [String]) throws -> Subprocess {
        try Subprocess(Stack.binary, ["serve"] + arguments)
    }

    @Test func warnsAboutMissingIndexesAndStopsCleanlyOnSIGTERM() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try library(helperIndexes: false)
        let socket = dir + "/pool.sock"
        let pool = try serve(["--db", db, "--socket", socket, "--workers", "2"])
        #expect(Stack.eventually(within: 10) { FileManager.default.fileExists(atPath: socket) && Stack.children(of: pool.pid).count == 2 })
        let workers = Stack.children(of: pool.pid)
        pool.signal(SIGTERM)
        let (status, log) = pool.wait()
        #expect(status == 0)
        #expect(log.contains("CREATE INDEX IF NOT EXISTS ix_library_files_recording_id ON library_files (recording_id);"))
        #expect(log.contains("CREATE INDEX IF NOT EXISTS ix_work_artists_artist_id ON work_artists (artist_id);"))
        #expect(log.contains("airwave prepare-db"))
        #expect(!FileManager.default.fileExists(atPath: socket))
        #expect(workers.allSatisfy { !Stack.isAlive($0) })
    }

    @Test func aStaleSocketFileDoesNotBlockTheStart() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try library(helperIndexes: true)
        let socket = dir + "/pool.sock"
        // A socket file nobody listens on, as a SIGKILLed pool leaves it.
        let first = try serve(["--db", db, "--socket", socket, "--workers", "1"])
        #expect(Stack.eventually(within: 10) { Stack.children(of: first.pid).count == 1 })
        let orphans = Stack.children(of: first.pid)
        first.signal(SIGKILL)
        first.wait()
        #expect(FileManager.default.fileExists(atPath: socket))
        // Workers die with their master.
        #expect(Stack.eventually(within: 1) { orphans.allSatisfy { !Stack.isAlive($0) } })

        let second = try serve(["--db", db, "--socket", socket, "--workers", "1"])
        #expect(Stack.eventually(within: 10) { Stack.children(of: second.pid).count == 1 })
        // While it runs, a third pool on the same socket is refused.
        let third = try serve(["--db", db, "--socket", socket, "--workers", "1"]).wait()
        #expect(third.status != 0 && third.output.contains("in use by a running pool"))
        second.signal(SIGTERM)
        #expect(second.wait().status == 0)
    }

    @Test(arguments: ["missing", "not-sqlite", "other-schema"])
    func refusesWhatIsNotAnAirWaveLibrary(_ kind: String) throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/bad.db"
        switch kind {
        case "not-sqlite": try Data("hello, this is not a database".utf8).write(to: URL(fileURLWithPath: path))
        case "other-schema":
            #expect(try Subprocess.run("/usr/bin/sqlite3", [path, "CREATE TABLE artists (id INTEGER PRIMARY KEY);"]).status == 0)
        default: break
        }
        let (status, output) = try serve(["--db", path, "--socket", dir + "/pool.sock"]).wait()
        #expect(status != 0)
        let expected = ["missing": "database not found", "not-sqlite": "cannot read", "other-schema": "is not an Air-Wave library"][kind]!
        #expect(output.contains(expected), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/pool.sock"))
    }
}
