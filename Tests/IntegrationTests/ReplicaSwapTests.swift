import API
import Foundation
import Store
import Support
import Testing
import Traffic

/// `airwave replicate` renames a new copy of the library over the file a
/// live pool serves, under load, with the inner cache on and nginx's off (so
/// every answer comes from the pool): no request fails, every answer is
/// byte for byte one file's or the other's, every request sent after the
/// rename gets the new file's answer, and so does every one after the load.
@Suite struct ReplicaSwapTests {
    static let base = "/api/v1/library"

    /// A replica of the stack's file that differs from it in every URL
    /// returned: artist 5 renamed, one of its works retitled, a work added
    /// to it (its totals, from the artist facts).
    static func changedReplica(of stack: Stack) throws -> (path: String, urls: [String]) {
        let path = stack.runDir + "/replica.db"
        let made = try Subprocess.run(Stack.binary, ["replicate", stack.database, path])
        #expect(made.status == 0 && made.output.contains("replicated"), "\(made.output)")
        let writer = try Database(path: path, mode: .readWrite)
        let work = try #require(try writer.rows("""
            SELECT wa.work_id FROM work_artists wa WHERE wa.artist_id = 5
            AND EXISTS (SELECT 1 FROM recordings r WHERE r.work_id = wa.work_id) ORDER BY wa.work_id LIMIT 1
            """).first?.first ?? nil)
        try writer.execute("""
            UPDATE artists SET name = 'Swapped In Replica' WHERE id = 5;
            UPDATE works SET title = title || ' (replica)' WHERE id = \(work);
            INSERT INTO works (title, artist_id, is_instrumental, created_at, updated_at) VALUES ('Only In The Replica', 5, 0, '', '');
            """)
        let urls = ["\(base)/artists/5", "\(base)/artists/5/works", "\(base)/works/\(work)", "\(base)/works/\(work)/recordings",
                    "\(base)/artists?limit=1000", "\(base)/artists?search=swap", "\(base)/artists?skip=2&limit=300"]
        return (path, urls)
    }

    /// One client's answers: when each was sent and received (CLOCK_MONOTONIC
    /// ns, as the watcher's), and which file it came from.
    struct Answer {
        enum Source { case old, new, neither, failed }
        var sent: UInt64
        var received: UInt64
        var url: String
        var source: Source
        var detail: String
    }

    final class Answers: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Answer] = []
        func add(_ answers: [Answer]) { lock.withLock { stored += answers } }
        var all: [Answer] { lock.withLock { stored } }
    }

    @Test func aReplicaSwappedInUnderLoadIsServedWholeAndAtOnce() throws {
        let workers = 3
        let stack = try Stack(workers: workers)
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        let (replica, urls) = try Self.changedReplica(of: stack)
        let old = try Dictionary(uniqueKeysWithValues: urls.map { ($0, try stack.expected($0).body) })
        let new = try Dictionary(uniqueKeysWithValues: urls.map { url in
            (url, LibraryAPI(store: try LibraryStore(path: replica), cache: nil).respond(method: "GET", uri: url).body)
        })
        for url in urls { try #require(old[url] != new[url], "\(url) is the same in both files: it could not tell them apart") }
        // Warm: the inner cache holds every URL from the old file.
        for url in urls {
            for _ in 0..<workers { #expect(try stack.get(url).body == old[url]) }
            #expect(try stack.get(url)["x-cache-inner"] == "HIT")
        }

        let answers = Answers()
        let stop = Shared(false), answered = Shared(0)
        let port = stack.port
        let clients = (0..<4).map { client in
            Thread {
                var mine: [Answer] = []
                var connection = try? HTTPConnection(ServerURL("http://127.0.0.1:\(port)"), timeoutSeconds: 10)
                var i = client
                while !stop.value {
                    let url = urls[i % urls.count]
                    i += 1
                    let sent = SystemClock.now()
                    guard let open = connection, let response = try? open.request(url) else {
                        mine.append(Answer(sent: sent, received: SystemClock.now(), url: url, source: .failed, detail: "no answer"))
                        connection = try? HTTPConnection(ServerURL("http://127.0.0.1:\(port)"), timeoutSeconds: 10)
                        continue
                    }
                    let source: Answer.Source = response.status != 200 ? .failed
                        : response.body == old[url] ? .old : response.body == new[url] ? .new : .neither
                    mine.append(Answer(sent: sent, received: SystemClock.now(), url: url, source: source,
                                       detail: "\(response.status) inner=\(response["x-cache-inner"] ?? "?") \(response.text.prefix(120))"))
                    answered.update { $0 += 1 }
                }
                answers.add(mine)
            }
        }
        clients.forEach { $0.start() }
        // Watches the path: when it names the new file (stat every 0.2 ms).
        let before = try FileIdentity(path: stack.database)
        let renamed = Shared<UInt64>(0)
        let database = stack.database
        let watcher = Thread {
            while !stop.value {
                if let now = try? FileIdentity(path: database), !now.isSameFile(as: before) {
                    renamed.value = SystemClock.now()
                    return
                }
                usleep(200)
            }
        }
        watcher.start()
        // Under load on both sides of the swap: counted in answers, not in
        // seconds (this machine's speed varies).
        #expect(Stack.eventually(within: 60) { answered.value >= 2_000 })
        let replicate = try Subprocess.run(Stack.binary, ["replicate", replica, stack.database])
        #expect(replicate.status == 0, "\(replicate.output)")
        let atSwap = answered.value
        #expect(Stack.eventually(within: 60) { answered.value >= atSwap + 2_000 })
        stop.value = true
        #expect(Stack.eventually(within: 15) { clients.allSatisfy(\.isFinished) && watcher.isFinished })

        let all = answers.all.sorted { $0.sent < $1.sent }
        let renamedAt = renamed.value
        try #require(renamedAt > 0, "the watcher never saw the rename")
        let failed = all.filter { $0.source == .failed }, mixed = all.filter { $0.source == .neither }
        #expect(failed.isEmpty, "\(failed.prefix(3).map { "\($0.url): \($0.detail)" })")
        #expect(mixed.isEmpty, "answers from neither file: \(mixed.prefix(3).map { "\($0.url): \($0.detail)" })")
        // Every request sent after the rename was seen is answered from the new file.
        let staleAfter = all.filter { $0.sent > renamedAt && $0.source == .old }
        #expect(staleAfter.isEmpty, "old answers to requests sent after the rename: \(staleAfter.prefix(3).map { "\($0.url): \($0.detail)" })")
        let oldBefore = all.filter { $0.sent < renamedAt && $0.source == .old }.count
        let newAfter = all.filter { $0.source == .new }
        #expect(oldBefore > 100 && newAfter.count > 100, "\(oldBefore) old, \(newAfter.count) new answers")

        // After the load, whichever worker answers: the new file, from the cache again.
        var hits = 0
        for url in urls {
            for _ in 0..<(2 * workers) {
                let response = try stack.get(url)
                #expect(response.status == 200 && response.body == new[url], "\(url): \(response.text.prefix(200))")
                if response["x-cache-inner"] == "HIT" { hits += 1 }
            }
        }
        #expect(hits >= urls.count, "the inner cache is not serving the new file's answers: \(hits) hits")
        let reopens = stack.log("pool.log").split(separator: "\n").filter { $0.contains("database file replaced: reopened") }
        // One per worker that answered since (a worker replaced meanwhile opens the new file from the start).
        #expect((1...workers).contains(reopens.count), "\(reopens.count) reopens for \(workers) workers")
        let reopenTimes = reopens.compactMap { line in line.range(of: "ms=").map { line[$0.upperBound...].prefix { $0 == "." || $0.isNumber } } }

        let firstNew = newAfter.map(\.received).min() ?? renamedAt
        let lastOld = all.filter { $0.source == .old }.map(\.received).max() ?? renamedAt
        let window = all.filter { abs(Int64(bitPattern: $0.sent &- renamedAt)) <= 500_000_000 }.count
        print("""
            replica swap under load: \(all.count) requests (\(window) within 0.5 s of the rename), \(failed.count) failed, \
            \(mixed.count) from neither file; \(oldBefore) old before the rename, \(newAfter.count) new; \
            time to notice (rename to first new answer) \(Format.milliseconds(firstNew - renamedAt)) ms, \
            last old answer \(lastOld > renamedAt ? Format.milliseconds(lastOld - renamedAt) + " ms after the rename" : "before the rename"); \
            reopening took \(reopenTimes.joined(separator: ", ")) ms; \(workers) workers, inner cache on; replicate: \(replicate.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").first ?? "")
            """)
    }

    /// A file that is not a library renamed over the served one: every
    /// worker refuses it, logs it once, and serves the old file; the next
    /// good replica is served.
    @Test func aBadFileRenamedOverIsRefusedAndTheOldOneServed() throws {
        let workers = 2
        let stack = try Stack(workers: workers)
        defer { _ = try? stack.stop() }
        try stack.run("outer-cache", "off")
        let (replica, urls) = try Self.changedReplica(of: stack)
        let url = urls[0]
        let old = try stack.expected(url).body
        let pids = Set(stack.workerPIDs)
        let junk = stack.runDir + "/junk.db"
        try Data("not a database at all".utf8).write(to: URL(fileURLWithPath: junk))
        chmod(junk, 0o644)
        #expect(rename(junk, stack.database) == 0)
        for _ in 0..<(4 * workers) {
            let response = try stack.get(url)
            #expect(response.status == 200 && response.body == old, "\(response.status) \(response.text.prefix(200))")
        }
        let refusals = stack.log("pool.log").components(separatedBy: "database file replaced by one that cannot be served").count - 1
        #expect(refusals >= 1 && refusals <= workers, "\(refusals) refusals logged")
        #expect(stack.log("pool.log").contains("file is not a database"))
        #expect(Set(stack.workerPIDs) == pids)

        let replicate = try Subprocess.run(Stack.binary, ["replicate", replica, stack.database])
        #expect(replicate.status == 0, "\(replicate.output)")
        let expected = LibraryAPI(store: try LibraryStore(path: stack.database), cache: nil).respond(method: "GET", uri: url).body
        #expect(expected != old)
        for _ in 0..<(2 * workers) { #expect(try stack.get(url).body == expected) }
    }
}
