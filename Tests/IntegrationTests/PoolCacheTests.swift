import Foundation
import Store
import Testing
import Traffic

/// The pool's one inner cache under abuse: workers killed at any moment,
/// one killed holding its lock halfway through an entry, a reload, another
/// program writing the file. Every body that comes back is the store's.
@Suite struct PoolCacheTests {
    static let base = "/api/v1/library"

    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        var requests = 0, failed = 0, wrong: [String] = []
        func add(requests: Int, failed: Int, wrong: [String]) {
            lock.lock()
            self.requests += requests
            self.failed += failed
            self.wrong += wrong
            lock.unlock()
        }
    }

    /// Workers SIGKILLed every 100 ms while six clients ask for 150 URLs
    /// through a cache small enough to evict all the time: no answer is ever
    /// torn or another URL's, the pool never deadlocks, and only requests in
    /// flight on a killed worker fail.
    @Test func killingWorkersUnderLoadServesNoWrongBody() throws {
        let stack = try Stack(workers: 4, extra: ["AIRWAVE_CACHE_MAX_ENTRIES": "60", "AIRWAVE_CACHE_MAX_BYTES": "200000"])
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        let urls = (1...40).map { "\(Self.base)/artists/\($0)" } + (1...40).map { "\(Self.base)/works/\($0)" }
            + (1...40).map { "\(Self.base)/works/\($0)/recordings" } + (1...20).map { "\(Self.base)/artists/\($0)/works" }
            + (0..<10).map { "\(Self.base)/artists?skip=\($0 * 7)&limit=\(5 + $0)" }
        let truth = try Dictionary(uniqueKeysWithValues: urls.map { ($0, try stack.expected($0).body) })
        let tally = Tally()
        let end = Date().addingTimeInterval(8)
        let port = stack.port
        let clients = (0..<6).map { client in
            Thread {
                var random = SystemRandomNumberGenerator()
                var (requests, failed, wrong) = (0, 0, [String]())
                var connection = try? HTTPConnection(ServerURL("http://127.0.0.1:\(port)"), timeoutSeconds: 10)
                while Date() < end, let open = connection {
                    let url = urls.randomElement(using: &random)!
                    requests += 1
                    guard let response = try? open.request(url) else {
                        failed += 1
                        connection = try? HTTPConnection(ServerURL("http://127.0.0.1:\(port)"), timeoutSeconds: 10)
                        continue
                    }
                    if response.status != 200 { failed += 1 } else if response.body != truth[url] { wrong.append("\(url) [\(client)]") }
                }
                tally.add(requests: requests, failed: failed, wrong: wrong)
            }
        }
        clients.forEach { $0.start() }
        var kills = 0
        usleep(300_000)
        while Date() < end.addingTimeInterval(-0.5) {
            if let victim = stack.workerPIDs.randomElement() {
                kill(victim, SIGKILL)
                kills += 1
            }
            usleep(100_000)
        }
        #expect(Stack.eventually(within: 15) { tally.requests > 0 && Date() > end.addingTimeInterval(1) })
        #expect(Stack.eventually(within: 10) { clients.allSatisfy(\.isFinished) })
        #expect(tally.wrong.isEmpty, "\(tally.wrong.prefix(5))")
        #expect(tally.requests > 1_000 && tally.failed <= kills, "\(tally.failed) failed for \(kills) kills")
        // Still one cache, within its bounds, answering.
        #expect(Stack.eventually(within: 2) { stack.workerPIDs.count == 4 })
        let stats = try #require(try stack.get("/api/v1/system/cache/stats").json as? [String: Any])
        let total = try #require(stats["total"] as? [String: Any])
        #expect((total["entries"] as? Int ?? 99) <= 60 && (total["bytes"] as? Int ?? 0) <= 200_000 && (total["evictions"] as? Int ?? 0) > 0)
        for url in urls.prefix(10) { #expect(try stack.get(url).body == truth[url]) }
        print("cache chaos: \(kills) kills, \(tally.requests) requests, \(tally.failed) failed, \(tally.wrong.count) wrong bodies, "
              + "\(stats["recoveries"] ?? 0) lock recoveries, \(total["evictions"] ?? 0) evictions")
    }

    /// A worker killed while it holds the cache's lock, with an entry half
    /// written and already reachable: the next request does not wait, the
    /// cache is emptied, and the half-written body is never served.
    @Test func aWorkerKilledHoldingTheLockLeavesNoDeadlockAndNoTornBody() throws {
        let stack = try Stack(workers: 2, extra: ["AIRWAVE_REQUEST_TIMEOUT": "1", "AIRWAVE_TEST_ENDPOINTS": "1"])
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        let url = Self.base + "/works/1"
        let truth = try stack.expected(url).body
        #expect(try stack.get(Self.base + "/artists/3").status == 200)  // an entry that must go too
        // The master kills it a second past the request timeout, lock held.
        let abandoned = try stack.get("/api/v1/system/test/abandon-cache-store")
        #expect(abandoned.status == 503)
        #expect(stack.log("pool.log").contains("worker killed: request over the time limit"))
        let started = Date()
        let after = try stack.get(url)
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(after.status == 200 && after.body == truth && after["x-cache-inner"] == "MISS")
        #expect(try stack.get(Self.base + "/artists/3")["x-cache-inner"] == "MISS")
        let stats = try #require(try stack.get("/api/v1/system/cache/stats").json as? [String: Any])
        #expect(stats["recoveries"] as? Int == 1)
    }

    /// Written while the pool was idle, so no worker has noticed; then new
    /// workers (a reload, or a replacement for a killed one, which finds
    /// the cache still there in the master's memory): their connections see
    /// the write, and nothing cached before it (answers, artist facts) is
    /// served again.
    @Test(arguments: ["reload", "replacement"])
    func aWriteWhileIdleThenNewWorkersIsSeen(how: String) throws {
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        let url = Self.base + "/artists/4", list = Self.base + "/artists?limit=1000"
        for _ in 0..<4 { #expect(try stack.get(url).status == 200 && stack.get(list).status == 200) }
        #expect(try stack.get(url)["x-cache-inner"] == "HIT")
        let writer = try Database(path: stack.database, mode: .readWrite)
        try writer.execute("UPDATE artists SET name = 'Renamed While Idle' WHERE id = 4")
        try writer.execute("INSERT INTO works (title, artist_id, is_instrumental, created_at, updated_at) VALUES ('Written While Idle', 4, 0, '', '')")
        let old = Set(stack.workerPIDs)
        if how == "reload" {
            #expect(try stack.make("reload").status == 0)
        } else {
            old.forEach { kill($0, SIGKILL) }
        }
        #expect(Stack.eventually(within: 10) { let now = Set(stack.workerPIDs); return now.count == 2 && now.isDisjoint(with: old) })
        for _ in 0..<4 {
            let response = try stack.get(url)
            #expect(response.body == (try stack.expected(url).body) && response.text.contains("Renamed While Idle"), "\(response.text)")
            #expect(try stack.get(list).body == (try stack.expected(list).body))
        }
    }

    /// Another program writes the file: whichever worker answers next, and
    /// every one after it, gives the new data; one worker noticing is enough.
    @Test func aWriteToTheFileIsSeenByEveryWorker() throws {
        let stack = try Stack(workers: 3)
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        let url = Self.base + "/artists/5"
        for _ in 0..<12 { #expect(try stack.get(url).status == 200) }  // every worker has served it from the cache
        let writer = try Database(path: stack.database, mode: .readWrite)
        try writer.execute("UPDATE artists SET name = 'Renamed In Place' WHERE id = 5")
        for _ in 0..<20 {
            let response = try stack.get(url)
            #expect(response.text.contains("Renamed In Place"), "\(response.text)")
        }
        // The list's facts too: its totals and order are rebuilt for the new data.
        let list = try stack.get(Self.base + "/artists?limit=1000")
        #expect(list.body == (try stack.expected(Self.base + "/artists?limit=1000").body))
    }
}
