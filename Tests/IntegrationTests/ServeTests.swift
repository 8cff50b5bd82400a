import DemoData
import FastCGITesting
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

    /// The pool on TCP (nginx on another host): only the allowed address
    /// gets an answer, anybody else is closed and logged; a reload applies
    /// a new allowed list to the socket it keeps, and refuses to move it.
    @Test func onTCPOnlyNginxsAddressIsAnsweredAndAReloadKeepsTheAddress() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try library(helperIndexes: true)
        let port = try Stack.freePort()
        let settings = dir + "/pool.env"
        try "AIRWAVE_LISTEN=127.0.0.1:\(port)\nAIRWAVE_ALLOW_FROM=127.0.0.2\n".write(toFile: settings, atomically: true, encoding: .utf8)
        let pool = try serve(["--db", db, "--config", settings, "--scoreboard", dir + "/pool.scoreboard", "--workers", "2"])
        defer { pool.signal(SIGTERM); _ = pool.wait() }
        #expect(Stack.eventually(within: 10) { pool.output.contains("pool started") && Stack.children(of: pool.pid).count == 2 })
        #expect(pool.output.contains("listen=127.0.0.1:\(port)") && pool.output.contains("allowed=127.0.0.2"))

        func ask(from source: String) throws -> String {
            let client = try SocketClient(host: "127.0.0.1", port: UInt16(port), source: source, timeoutSeconds: 5)
            client.send(FastCGIRecords.request(uri: "/api/v1/library/works/3"))
            return String(decoding: FastCGIRecords.stdoutStream(client.receiveAll().bytes), as: UTF8.self)
        }
        #expect(try ask(from: "127.0.0.2").contains(#""id":3"#))
        #expect(try ask(from: "127.0.0.1") == "")
        #expect(Stack.eventually(within: 3) { pool.output.contains("refused a connection from 127.0.0.1: not an allowed nginx address") })

        // Another port in the settings: the reload is cancelled, the pool goes on where it is.
        let workers = Set(Stack.children(of: pool.pid))
        try "AIRWAVE_LISTEN=127.0.0.1:\(try Stack.freePort())\nAIRWAVE_ALLOW_FROM=127.0.0.2\n".write(toFile: settings, atomically: true, encoding: .utf8)
        pool.signal(SIGHUP)
        #expect(Stack.eventually(within: 5) { pool.output.contains("reload cancelled: the listen address changed") })
        #expect(Set(Stack.children(of: pool.pid)) == workers)

        // Another allowed list: applied by the reload, on the same socket.
        try "AIRWAVE_LISTEN=127.0.0.1:\(port)\nAIRWAVE_ALLOW_FROM=127.0.0.1\n".write(toFile: settings, atomically: true, encoding: .utf8)
        pool.signal(SIGHUP)
        #expect(Stack.eventually(within: 10) { !workers.contains(where: Stack.isAlive) && Stack.children(of: pool.pid).count == 2 })
        #expect(try ask(from: "127.0.0.1").contains(#""id":3"#))
        #expect(try ask(from: "127.0.0.2") == "")
    }
}
