import Foundation
import Testing

/// The whole product as a user meets it: curl-like requests to nginx on
/// loopback, the pool behind it, the README's commands to drive it.
@Suite struct StackTests {
    static let base = "/api/v1/library"

    @Test func everyEndpointAnswersAndTheOuterCacheTakesOver() throws {
        let stack = try Stack()
        defer { _ = try? stack.stop() }
        for path in ["/artists", "/artists?search=band&limit=5", "/artists/1", "/artists/1/works", "/works/2",
                     "/works/3/recordings", "/works/3/recordings?status=matched&source=library"] {
            let first = try stack.get(Self.base + path)
            #expect(first.status == 200, "\(path): \(first.text)")
            #expect(first["content-type"] == "application/json")
            #expect(first["x-cache-outer"] == "MISS" && first["x-cache-inner"] == "MISS", "\(path)")
            #expect(first.json != nil)
            // nginx renames the stored answer into its cache just after sending
            // it: the very next request may come first, on a loaded machine.
            let second = try HeadTests.getOnceStored(Self.base + path, stack)
            #expect(second["x-cache-outer"] == "HIT" && second["x-cache-inner"] == "-", "\(path)")
            #expect(second.body == first.body)
            let head = try stack.get(Self.base + path, method: "HEAD")
            #expect(head.status == 200 && head.body.isEmpty && head["x-cache-outer"] == "HIT")
        }
    }

    @Test func errorsAreJSONAndNeverCachedByNginx() throws {
        let stack = try Stack()
        defer { _ = try? stack.stop() }
        for (path, method, status) in [("/artists/abc", "GET", 422), ("/artists/999999", "GET", 404), ("/nope", "GET", 404),
                                       ("/artists", "POST", 405), ("/works/1", "DELETE", 405), ("/artists?limit=0", "GET", 422)] {
            for _ in 0..<2 {
                let response = try stack.get(Self.base + path, method: method)
                #expect(response.status == status, "\(method) \(path)")
                #expect((response.json as? [String: Any])?["detail"] is String, "\(method) \(path): \(response.text)")
                #expect(response["x-cache-outer"] != "HIT")
                #expect(response["x-cache-inner"] == "MISS")
                if status == 405 { #expect(response["allow"] == "GET, HEAD") }
            }
        }
        // Requests nginx refuses before the pool: JSON too.
        for (path, method, status) in [(Self.base + "/artists/%00", "GET", 400), (Self.base + "/artists/" + String(repeating: "9", count: 10_000), "GET", 414),
                                       (Self.base + "/artists", "TRACE", 405)] {
            let response = try stack.get(path, method: method)
            #expect(response.status == status && response["content-type"] == "application/json", "\(method) \(path.prefix(60))")
            #expect((response.json as? [String: Any])?["detail"] is String)
        }
        let other = try stack.get("/api/v2/anything")
        #expect(other.status == 404 && (other.json as? [String: Any])?["detail"] as? String == "Not Found")
        #expect(try stack.get("/api/v1/system/ping").text == "pong")
        #expect(try stack.get("/").text.contains("/api/v1/library/artists"))
        // The access log records both layers and the upstream time.
        #expect(Stack.eventually(within: 3) { stack.log("access.log").contains("outer=HIT inner=- upstream_time=") || stack.log("access.log").contains("outer=MISS inner=MISS upstream_time=0") })
    }

    @Test func outerCacheOffAndOnAgain() throws {
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        let url = Self.base + "/artists/4/works"
        #expect(try stack.get(url)["x-cache-outer"] == "MISS")
        #expect(try HeadTests.getOnceStored(url, stack)["x-cache-outer"] == "HIT")

        let off = try stack.run("outer-cache", "off")
        #expect(off.status == 0 && off.output.contains("outer cache: OFF"))
        var inner: [String] = []
        for _ in 0..<30 {
            let response = try stack.get(url)
            #expect(response.status == 200 && response["x-cache-outer"] == "OFF")
            inner.append(response["x-cache-inner"] ?? "?")
        }
        // The pool's one inner cache got the answer with the first request
        // above: every worker finds it there.
        #expect(inner == Array(repeating: "HIT", count: 30))

        let on = try stack.run("outer-cache", "on")
        #expect(on.status == 0 && on.output.contains("outer cache: ON"))
        // nginx's entry is still there (5 minutes), so the outer layer answers again.
        let again = try stack.get(url)
        #expect(again["x-cache-outer"] == "HIT" && again["x-cache-inner"] == "-")
        #expect(try stack.run("status").output.contains("outer cache: ON"))
    }

    @Test func innerCacheOffSaysOff() throws {
        let stack = try Stack(extra: ["AIRWAVE_INNER_CACHE": "off"])
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        for _ in 0..<5 {
            let response = try stack.get(Self.base + "/works/5")
            #expect(response["x-cache-outer"] == "OFF" && response["x-cache-inner"] == "OFF")
        }
    }

    @Test func aKilledWorkerIsReplacedAndRequestsKeepBeingAnswered() throws {
        let stack = try Stack(workers: 3)
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        let before = stack.workerPIDs
        #expect(before.count == 3)
        let victim = before[0]
        kill(victim, SIGKILL)
        #expect(Stack.eventually(within: 2) { let now = stack.workerPIDs; return now.count == 3 && !now.contains(victim) })
        for id in 1...60 {
            #expect(try stack.get(Self.base + "/works/\(id)").status == 200)
        }
        #expect(stack.log("pool.log").contains("worker_pid=\(victim)"))
        #expect(stack.log("pool.log").contains("killed by SIGKILL"))
    }

    @Test func downLeavesNoProcessAndNoSocket() throws {
        let stack = try Stack(workers: 2)
        _ = try stack.get(Self.base + "/artists")
        let pids = stack.allPIDs()
        #expect(pids.count >= 4)  // pool master + 2 workers + nginx master (+ its workers)
        let runDir = stack.runDir
        let down = try stack.make("down")
        #expect(down.status == 0 && down.output.contains("airwave is down"))
        #expect(pids.allSatisfy { !Stack.isAlive($0) }, "left: \(pids.filter(Stack.isAlive))")
        #expect(!FileManager.default.fileExists(atPath: runDir + "/pool.sock"))
        #expect(!FileManager.default.fileExists(atPath: runDir + "/pool.pid"))
        #expect(stack.log("pool.log").contains("pool stopped"))
        try? FileManager.default.removeItem(atPath: runDir)
    }

    @Test func statusComesFromTheScoreboard() throws {
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        for id in 1...20 { _ = try stack.get(Self.base + "/works/\(id)") }
        var status = try #require(try stack.get("/api/v1/system/status").json as? [String: Any])
        var workers = try #require(status["workers"] as? [[String: Any]])
        #expect(Set(workers.compactMap { $0["pid"] as? Int32 }) == Set(stack.workerPIDs))
        #expect(status["master_pid"] as? Int32 == stack.poolPID && status["restarts"] as? Int == 0)
        // Every accepted request was counted by exactly one worker (the status request too).
        let accepted = try #require(status["accepted_requests"] as? Int)
        #expect(accepted >= 21 && workers.compactMap { $0["requests"] as? Int }.reduce(0, +) == accepted)
        #expect(workers.contains { ($0["current_request"] as? [String: Any])?["path"] as? String == "/api/v1/system/status" })

        // A replaced worker: one restart, the new pid on the board.
        let victim = stack.workerPIDs[0]
        kill(victim, SIGKILL)
        #expect(Stack.eventually(within: 2) { stack.workerPIDs.count == 2 && !stack.workerPIDs.contains(victim) })
        status = try #require(try stack.get("/api/v1/system/status").json as? [String: Any])
        workers = try #require(status["workers"] as? [[String: Any]])
        #expect(status["restarts"] as? Int == 1)
        #expect(Set(workers.compactMap { $0["pid"] as? Int32 }) == Set(stack.workerPIDs))

        // Every worker stuck: the CLI still answers from the shared memory.
        let frozen = stack.workerPIDs
        frozen.forEach { kill($0, SIGSTOP) }
        defer { frozen.forEach { kill($0, SIGCONT) } }
        let cli = try Subprocess.run(Stack.binary, ["status", "--run-dir", stack.runDir])
        #expect(cli.status == 0, "\(cli.output)")
        #expect(cli.output.contains("pool \(stack.poolPID!)") && cli.output.contains("1 restarts"))
        #expect(frozen.allSatisfy { cli.output.contains(" \($0) ") })
        let json = try Subprocess.run(Stack.binary, ["status", "--run-dir", stack.runDir, "--json"])
        #expect((try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])?["restarts"] as? Int == 1)
    }

    @Test func workersAreRecycledAfterMaxRequests() throws {
        let stack = try Stack(workers: 1, extra: ["AIRWAVE_MAX_REQUESTS": "5"])
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        var pids = Set<pid_t>()
        for id in 1...24 {
            #expect(try stack.get(Self.base + "/works/\(id)").status == 200)
            pids.formUnion(stack.workerPIDs)
        }
        // 25 requests with the start-up ping, 5 (+0 jitter) each: at least 5 workers in turn.
        #expect(Stack.eventually(within: 2) { stack.log("pool.log").components(separatedBy: "recycled after max_requests").count - 1 >= 4 })
        #expect(pids.count >= 4)
        #expect(!stack.log("pool.log").contains("restart_in_ms"))  // no crash backoff for a recycle
    }

    @Test func aRunawayQueryIsStoppedAndItsWorkerLivesOn() throws {
        let stack = try Stack(workers: 1, extra: ["AIRWAVE_REQUEST_TIMEOUT": "1", "AIRWAVE_TEST_ENDPOINTS": "1", "AIRWAVE_SLOW_REQUEST_MS": "300"])
        defer { _ = try? stack.stop() }
        let worker = stack.workerPIDs
        let started = Date()
        let slow = try stack.get("/api/v1/system/test/slow")
        // The issue's bound: a 503 within the limit + 1 s (nginx alone would wait 60 s).
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(slow.status == 503)
        #expect(((slow.json as? [String: Any])?["detail"] as? String)?.contains("longer than 1 s") == true)
        #expect(stack.workerPIDs == worker)
        #expect(try stack.get(Self.base + "/works/1").status == 200)
        #expect(stack.log("pool.log").contains("request timed out"))
        // The slow log: the path, the time, and each statement's time.
        let slowLine = stack.log("pool.log").split(separator: "\n").first { $0.contains("slow request") }
        #expect(slowLine?.contains("uri=/api/v1/system/test/slow") == true)
        #expect(slowLine?.contains("ms WITH RECURSIVE c(x)") == true, "\(slowLine ?? "no slow-request line")")
        #expect(!stack.log("pool.log").contains("uri=/api/v1/library/works/1 "))  // a fast one is not logged
    }

    @Test func aHungWorkerIsKilledAndReplaced() throws {
        let stack = try Stack(workers: 2, extra: ["AIRWAVE_REQUEST_TIMEOUT": "1", "AIRWAVE_TEST_ENDPOINTS": "1"])
        defer { _ = try? stack.stop() }
        let before = Set(stack.workerPIDs)
        let started = Date()
        let hang = try stack.get("/api/v1/system/test/hang")
        // Killed once it is 1 s past the 1 s timeout (the master looks every 250 ms).
        #expect(Date().timeIntervalSince(started) < 3.5)
        #expect(hang.status == 503 && hang["content-type"] == "application/json")
        #expect(Stack.eventually(within: 2) { let now = Set(stack.workerPIDs); return now.count == 2 && now != before })
        #expect(stack.log("pool.log").contains("worker killed: request over the time limit"))
        #expect(stack.log("pool.log").contains("path=/api/v1/system/test/hang"))
        #expect(try stack.get(Self.base + "/works/1").status == 200)
        // Without the flag, the test endpoints do not exist.
        let plain = try Stack(workers: 1)
        defer { _ = try? plain.stop() }
        #expect(try plain.get("/api/v1/system/test/hang").status == 404)
    }

    @Test func logsAreReopenedOnSIGUSR1() throws {
        let stack = try Stack(workers: 2, extra: ["DB_ECHO": "true"])
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        let logs = stack.runDir + "/logs/"
        // logrotate moves the file away, then signals the master.
        try FileManager.default.moveItem(atPath: logs + "pool.log", toPath: logs + "pool.log.1")
        kill(try #require(stack.poolPID), SIGUSR1)
        #expect(Stack.eventually(within: 3) { stack.log("pool.log").contains("log file reopened") })
        // Both workers write to the new file too (each answers one of these at least once).
        usleep(200_000)
        for id in 11...30 { _ = try stack.get(Self.base + "/works/\(id)") }
        #expect(Stack.eventually(within: 3) {
            let pids = Set(stack.log("pool.log").split(separator: "\n").filter { $0.contains("ms: SELECT") }.compactMap { line in
                line.range(of: "pid=").map { String(line[$0.upperBound...].prefix { $0.isNumber }) }
            })
            return pids.count == 2
        })
        #expect(!(try String(contentsOfFile: logs + "pool.log.1", encoding: .utf8)).contains("[11]"))
    }

    @Test func cacheStatsAgreeWithTheHeadersAndOneMissServesThePool() throws {
        let stack = try Stack(workers: 3)
        defer { _ = try? stack.stop() }
        func stats() throws -> [String: Any] { try #require(try stack.get("/api/v1/system/cache/stats").json as? [String: Any]) }
        func counter(_ s: [String: Any], _ endpoint: String, _ name: String) -> Int? {
            ((s["endpoints"] as? [String: Any])?[endpoint] as? [String: Any])?[name] as? Int
        }
        // Outer layer on: one URL 10 times → nginx misses once, the pool sees one request.
        var outer: [String] = []
        for _ in 0..<10 { outer.append(try stack.get(Self.base + "/works/9")["x-cache-outer"] ?? "?") }
        #expect(outer.filter { $0 == "MISS" }.count == 1 && outer.filter { $0 == "HIT" }.count == 9)
        var s = try stats()
        #expect(counter(s, "work", "misses") == 1 && counter(s, "work", "hits") == 0 && counter(s, "work", "entries") == 1)

        // Outer layer off: every request reaches a worker, each on a new
        // connection; the pool's one cache misses once, and the headers and
        // the counters agree exactly.
        try stack.run("outer-cache", "off")
        var inner: [String] = []
        for _ in 0..<30 { inner.append(try stack.get(Self.base + "/artists/2")["x-cache-inner"] ?? "?") }
        s = try stats()
        #expect(inner.first == "MISS" && inner.dropFirst().allSatisfy { $0 == "HIT" }, "\(inner)")
        #expect(counter(s, "artist", "hits") == 29 && counter(s, "artist", "misses") == 1 && counter(s, "artist", "entries") == 1)
        #expect(s["workers"] as? Int == 3 && s["max_entries"] as? Int == 10_000)
        // Several workers answered, from the one cache.
        let status = try #require(try stack.get("/api/v1/system/status").json as? [String: Any])
        #expect(((status["workers"] as? [[String: Any]]) ?? []).filter { ($0["requests"] as? Int ?? 0) > 1 }.count >= 2)

        // cache/clear empties the pool's cache: no entry left, one miss again.
        let clear = try stack.get("/api/v1/system/cache/clear", method: "POST", headers: [HTTP.asked])
        #expect(clear.status == 200)
        s = try stats()
        #expect(counter(s, "artist", "entries") == 0 && counter(s, "work", "entries") == 0)
        #expect((s["total"] as? [String: Any])?["bytes"] as? Int == 0)
        var after: [String] = []
        for _ in 0..<30 { after.append(try stack.get(Self.base + "/artists/2")["x-cache-inner"] ?? "?") }
        #expect(after.first == "MISS" && after.filter { $0 == "MISS" }.count == 1)
        #expect(try stack.get("/api/v1/system/cache/clear").status == 405)
    }

    @Test func settingsFromTheEnvironment() throws {
        // A zero TTL keeps nothing; DB_ECHO logs every statement with its time.
        let stack = try Stack(workers: 1, extra: ["CACHE_DEFAULT_TTL": "0", "DB_ECHO": "true"])
        defer { _ = try? stack.stop() }
        try stack.make("outer-cache-off")
        for _ in 0..<3 { #expect(try stack.get(Self.base + "/works/7")["x-cache-inner"] == "MISS") }
        let log = stack.log("pool.log")
        #expect(log.contains("ttl=artists=0s artist=0s artist_works=0s work=0s work_recordings=0s"))
        #expect(log.contains("ms: SELECT w.title, w.artist_id, a.name, w.is_instrumental"))
        #expect(log.contains("[7]"))
    }

    @Test func twoStacksSideBySide() throws {
        let a = try Stack(workers: 1)
        defer { _ = try? a.stop() }
        let b = try Stack(workers: 1)
        defer { _ = try? b.stop() }
        try a.run("outer-cache", "off")
        #expect(try a.get(Self.base + "/artists/1")["x-cache-outer"] == "OFF")
        #expect(try b.get(Self.base + "/artists/1")["x-cache-outer"] == "MISS")
        // A second `up` on a running stack refuses rather than starting twice.
        let again = try a.run("up")
        #expect(again.status != 0 && again.output.contains("already running"))
    }
}
