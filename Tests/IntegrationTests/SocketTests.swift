import FastCGITesting
import Foundation
import Testing
import Traffic
import Support

/// The pool's socket and processes as a hostile local user or a broken
/// client meets them: nothing is open to others, nothing runs as root but
/// the masters, the socket alone grants no system endpoint, a client that
/// stalls or sends junk costs seconds, never a worker.
@Suite struct SocketTests {
    typealias R = FastCGIRecords
    static let isRoot = geteuid() == 0

    static func owner(of pid: pid_t) -> uid_t? {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("Uid:") }.flatMap { uid_t($0.split(separator: "\t")[1]) }
    }

    static func workersUser() -> (uid: uid_t, gid: gid_t)? {
        guard let entry = getpwnam("airwave") else { return nil }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    @Test func theSocketIsClosedToOthersAndWorkersAreNotRoot() throws {
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        var info = stat()
        #expect(stat(stack.runDir + "/pool.sock", &info) == 0)
        #expect(info.st_mode & 0o777 == (Self.isRoot ? 0o660 : 0o600))
        #expect(stat(stack.runDir + "/pool.scoreboard", &info) == 0 && info.st_mode & 0o077 == 0)
        #expect(stat(stack.runDir + "/system.secret", &info) == 0 && info.st_mode & 0o077 == 0)
        #expect(stat(stack.runDir + "/nginx/system.conf", &info) == 0 && info.st_mode & 0o077 == 0)  // holds the secret
        guard Self.isRoot else { return }
        let user = try #require(Self.workersUser())
        #expect(stat(stack.runDir + "/pool.sock", &info) == 0 && info.st_gid == user.gid && info.st_uid == 0)
        let nginxWorkers = Stack.children(of: try #require(stack.nginxPID))
        #expect(stack.workerPIDs.count == 2 && !nginxWorkers.isEmpty)
        for pid in stack.workerPIDs + nginxWorkers { #expect(Self.owner(of: pid) == user.uid, "pid \(pid)") }
        #expect(Self.owner(of: try #require(stack.poolPID)) == 0)
        // The workers reopen the log after logrotate: it is their group's.
        #expect(stat(stack.runDir + "/logs/pool.log", &info) == 0 && info.st_gid == user.gid && info.st_mode & 0o777 == 0o660)
    }

    @Test func theSocketAloneGrantsNoSystemEndpoint() throws {
        let stack = try Stack(workers: 1)
        defer { _ = try? stack.stop() }
        func direct(_ uri: String, secret: [UInt8]?) throws -> (status: String, body: String) {
            let client = try SocketClient(path: stack.runDir + "/pool.sock")
            client.send(R.request(uri: uri, extra: secret.map { [("AIRWAVE_SYSTEM_SECRET", $0)] } ?? []))
            let text = String(decoding: R.stdoutStream(client.receiveAll().bytes), as: UTF8.self)
            return (text.components(separatedBy: "\r\n")[0], text)
        }
        for path in ["status", "cache/stats", "metrics", "ping"] {
            #expect(try direct("/api/v1/system/" + path, secret: nil).status == "Status: 403 Forbidden", "\(path)")
            #expect(try direct("/api/v1/system/" + path, secret: Array("not-the-secret-at-all-0123456789".utf8)).status == "Status: 403 Forbidden")
            #expect(try direct("/api/v1/system/" + path, secret: stack.systemSecret).status == "Status: 200 OK")
        }
        #expect(try direct("/api/v1/library/works/1", secret: nil).status == "Status: 200 OK")
        // Through nginx's system location, which adds the secret: answered.
        #expect(try stack.get("/api/v1/system/cache/stats").status == 200)
        // A cache/clear straight through the socket: refused, nothing cleared.
        func entries() throws -> Int? {
            ((try stack.get("/api/v1/system/cache/stats").json as? [String: Any])?["total"] as? [String: Any])?["entries"] as? Int
        }
        #expect(try stack.get("/api/v1/library/works/3").status == 200)
        #expect(try entries() == 2)  // works/1 above, works/3
        let client = try SocketClient(path: stack.runDir + "/pool.sock")
        client.send(R.request(method: "POST", uri: "/api/v1/system/cache/clear"))
        #expect(String(decoding: R.stdoutStream(client.receiveAll().bytes), as: UTF8.self).hasPrefix("Status: 403"))
        #expect(try entries() == 2)
    }

    /// Twice as many stalled connections as workers, held open: requests
    /// through nginx still all answer within 5 s.
    @Test func stalledClientsCostSecondsNotWorkers() throws {
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        let stalled = try (0..<4).map { index -> SocketClient in
            let client = try SocketClient(path: stack.runDir + "/pool.sock")
            client.send(index % 2 == 0 ? [1] : R.begin() + [1, 4, 0])  // a byte; half a record
            return client
        }
        // The scoreboard, read straight from shared memory, shows them reading.
        var states: [String] = []
        #expect(Stack.eventually(within: 1) {
            let status = try? Subprocess.run(Stack.binary, ["status", "--run-dir", stack.runDir, "--json"])
            let board = status.flatMap { try? JSONSerialization.jsonObject(with: Data($0.output.utf8)) as? [String: Any] }
            states = (board?["workers"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String }
            return states.contains("reading")
        }, "\(states)")
        for id in 1...20 {
            let connection = try HTTPConnection(ServerURL("http://127.0.0.1:\(stack.port)"), timeoutSeconds: 5)
            let response = try connection.request("/api/v1/library/works/\(id)")
            #expect(response.status == 200, "request \(id)")
        }
        withExtendedLifetime(stalled) {}
        #expect(Stack.eventually(within: 5) {
            ((try? stack.get("/api/v1/system/status").json as? [String: Any])?["read_timeouts"] as? Int ?? 0) >= 4
        })
        #expect(stack.log("pool.log").contains("no whole request before the deadline"))
    }

    /// Malformed and truncated records straight to the socket: the pool
    /// keeps every worker and answers on.
    @Test func junkOnTheSocketKillsNoWorker() throws {
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        let workers = Set(stack.workerPIDs)
        let corpus: [[UInt8]] = [
            [], [0], [1], Array(repeating: 0xFF, count: 64), R.record(R.beginRequest, [0, 1, 0, 0, 0, 0, 0, 0], version: 0),
            R.begin() + R.record(R.params, [0x8F, 0xFF, 0xFF, 0xFF, 0x8F, 0xFF, 0xFF, 0xFF]) + R.record(R.params) + R.record(R.stdin),
            R.begin() + R.record(R.params, [5, 1, 65], contentLength: 65_535), R.begin(role: 3), R.begin() + R.begin(),
            R.begin() + R.record(R.stdin, [1, 2]), R.begin() + R.record(R.stdout, [1]), R.record(R.getValues, id: 0, [200, 0, 1]),
            R.begin() + R.record(R.abortRequest), R.request(uri: "/api/v1/library/works/1").dropLast(3).map { $0 },
            R.request(uri: String(repeating: "/x", count: 20_000)), R.request(uri: "/api/v1/library/artists", body: Array(repeating: 7, count: 100_000)),
            R.request(id: 0, uri: "/api/v1/library/works/1"), R.request(uri: "\u{0}\u{FFFF}"),
        ]
        var random = RandomSource(seed: 77)
        let noise = (0..<200).map { _ in (0..<Int(random.next() % 300)).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
        for bytes in corpus + noise {
            let client = try SocketClient(path: stack.runDir + "/pool.sock")
            client.send(bytes)
            client.finishSending()
            _ = client.receiveAll()
        }
        #expect(Set(stack.workerPIDs) == workers)
        let status = try #require(try stack.get("/api/v1/system/status").json as? [String: Any])
        #expect(status["restarts"] as? Int == 0 && (status["malformed_connections"] as? Int ?? 0) > 100)
        #expect(try stack.get("/api/v1/library/works/1").status == 200)
        // A valid request straight to the socket is still answered in full.
        let client = try SocketClient(path: stack.runDir + "/pool.sock")
        client.send(R.request(uri: "/api/v1/library/works/2"))
        let answer = client.receiveAll().bytes
        #expect(R.parse(answer).last?.type == R.endRequest)
        #expect(String(decoding: R.stdoutStream(answer), as: UTF8.self).contains("\"id\":2"))
    }
}
