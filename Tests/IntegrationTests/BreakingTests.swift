import DemoData
import Foundation
import Testing

/// The pool under abuse: workers killed under load, workers that cannot start.
@Suite struct BreakingTests {
    /// wrk's totals: requests, and the ones that failed (non-2xx or socket errors).
    struct Load {
        var requests = 0
        var failed = 0

        init(wrkOutput text: String) {
            func number(after label: String) -> Int {
                guard let range = text.range(of: label) else { return 0 }
                return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
            }
            requests = Int(text.split(separator: "\n").first { $0.contains("requests in") }?.split(separator: " ").first ?? "0") ?? 0
            failed = number(after: "Non-2xx or 3xx responses: ")
            for kind in ["connect ", "read ", "write ", "timeout "] { failed += number(after: kind) }
        }
    }

    @Test func killingAWorkerEvery200msFailsOnlyTheRequestsItHeld() throws {
        let stack = try Stack(workers: 4)
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        let load = try Subprocess("/usr/bin/wrk", ["-t2", "-c8", "-d10s", "http://127.0.0.1:\(stack.port)/api/v1/library/works/7/recordings"])
        var kills = 0
        let end = Date().addingTimeInterval(9.5)
        usleep(200_000)
        while Date() < end {
            if let victim = stack.workerPIDs.randomElement() {
                kill(victim, SIGKILL)
                kills += 1
            }
            usleep(200_000)
        }
        let lastKill = Date()
        let back = Stack.eventually(within: 1) { stack.workerPIDs.count == 4 }
        let recovered = Date().timeIntervalSince(lastKill)
        let (status, output) = load.wait()
        let result = Load(wrkOutput: output)
        #expect(status == 0, "\(output)")
        #expect(kills >= 40)
        #expect(result.requests >= 2_000, "at least 200 req/s: \(output)")
        // Only a request in flight on a killed worker may fail: at most one per kill.
        #expect(result.failed <= kills, "\(result.failed) failed for \(kills) kills: \(output)")
        #expect(back, "the pool is back to 4 workers within 1 s of the last kill (took \(recovered) s)")
        print("chaos: \(kills) kills, \(result.requests) requests, \(result.failed) failed, back to 4 workers after \(Int(recovered * 1000)) ms")
    }

    @Test func threeReloadsUnderLoadFailNoRequest() throws {
        let stack = try Stack(workers: 4)
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        let master = try #require(stack.poolPID)
        let first = Set(stack.workerPIDs)
        let load = try Subprocess("/usr/bin/wrk", ["-t2", "-c8", "-d8s", "http://127.0.0.1:\(stack.port)/api/v1/library/artists/3/works"])
        for _ in 0..<3 {
            usleep(2_000_000)
            #expect(try stack.make("reload").status == 0)
        }
        let (status, output) = load.wait()
        let result = Load(wrkOutput: output)
        #expect(status == 0 && result.requests >= 1_600, "at least 200 req/s: \(output)")
        #expect(result.failed == 0, "\(output)")
        // Same master, new workers, old ones gone.
        #expect(stack.poolPID == master && Stack.isAlive(master))
        #expect(Stack.eventually(within: 2) { stack.workerPIDs.count == 4 && Set(stack.workerPIDs).isDisjoint(with: first) })
        #expect(first.allSatisfy { !Stack.isAlive($0) })
        #expect(stack.log("pool.log").components(separatedBy: "[Pool] reloaded").count - 1 == 3)
        print("reload: 3 reloads, \(result.requests) requests, \(result.failed) failed")
    }

    @Test func aReloadAppliesTheSettingsFile() throws {
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        let settings = stack.runDir + "/pool.env"
        #expect(FileManager.default.fileExists(atPath: settings))
        try "AIRWAVE_WORKERS=3\nCACHE_DEFAULT_TTL=7\n".write(toFile: settings, atomically: true, encoding: .utf8)
        let old = stack.workerPIDs
        try stack.make("reload")
        // Done when the old workers have finished and exited and 3 new ones run.
        #expect(Stack.eventually(within: 5) { !old.contains(where: Stack.isAlive) && stack.workerPIDs.count == 3 })
        #expect(Stack.eventually(within: 3) { stack.log("pool.log").contains("ttl=artists=7s") })
        let status = try #require(try stack.get("/api/v1/system/status").json as? [String: Any])
        #expect((status["workers"] as? [Any])?.count == 3)
        // A malformed file: the reload is cancelled, the 3 workers go on.
        try "AIRWAVE_WORKERS\n".write(toFile: settings, atomically: true, encoding: .utf8)
        let before = Set(stack.workerPIDs)
        try stack.make("reload")
        #expect(Stack.eventually(within: 3) { stack.log("pool.log").contains("reload cancelled:") && stack.log("pool.log").contains("expected NAME=value") })
        #expect(Set(stack.workerPIDs) == before)
        // A value the new image could not use: cancelled too, not a dead pool.
        try "AIRWAVE_WORKERS=lots\n".write(toFile: settings, atomically: true, encoding: .utf8)
        try stack.make("reload")
        #expect(Stack.eventually(within: 3) { stack.log("pool.log").contains("AIRWAVE_WORKERS must be an integer, got 'lots'") })
        let master = try #require(stack.poolPID)
        #expect(Set(stack.workerPIDs) == before && Stack.isAlive(master))
        #expect(try stack.get("/api/v1/library/works/3").status == 200)
    }

    @Test func aReloadThatCouldNotStartIsCancelled() throws {
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        let workers = Set(stack.workerPIDs)
        try FileManager.default.removeItem(atPath: stack.database)
        try stack.make("reload")
        #expect(Stack.eventually(within: 3) { stack.log("pool.log").contains("reload cancelled: database not found") })
        // The running pool goes on with the workers it had (they hold the file open).
        #expect(Set(stack.workerPIDs) == workers)
        #expect(try stack.get("/api/v1/library/works/3").status == 200)
    }

    @Test func aWorkerThatCannotStartIsRestartedMoreAndMoreSlowly() throws {
        let dir = Stack.root + "/run/b-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try TemporaryLibrary(artists: 30, in: dir).path
        let pool = try Subprocess(Stack.binary, ["serve", "--db", db, "--socket", dir + "/pool.sock", "--workers", "1"])
        #expect(Stack.eventually(within: 10) { Stack.children(of: pool.pid).count == 1 })
        // The library goes away: every new worker fails to open it.
        try FileManager.default.removeItem(atPath: db)
        Stack.children(of: pool.pid).forEach { kill($0, SIGKILL) }
        usleep(3_500_000)
        #expect(Stack.isAlive(pool.pid))
        pool.signal(SIGTERM)
        let (status, log) = pool.wait()
        #expect(status == 0)
        let delays = log.split(separator: "\n").compactMap { line -> Int? in
            guard let range = line.range(of: "restart_in_ms=") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        // 100, 200, 400, 800, … : each wait longer than the one before.
        #expect(delays.count >= 3, "\(log)")
        #expect(delays.prefix(4) == [100, 200, 400, 800].prefix(delays.count))
        #expect(log.contains("worker cannot start"))
    }
}
