import Foundation
import Testing
import Traffic
@testable import CacheAnalysis
import Vocabulary

@Suite struct CrossCheckTests {
    static func counters(accepted: Int, hits: Int, misses: Int, started: String = "2026-11-28T10:00:00Z") -> PoolCounters {
        PoolCounters(hits: ["artist": hits], misses: ["artist": misses], innerCacheOn: true, accepted: accepted, poolStarted: started)
    }
    static let seen = [LayerSummaryTests.observation("MISS", "MISS", ms: 1), LayerSummaryTests.observation("MISS", "HIT", ms: 1),
                       LayerSummaryTests.observation("HIT", "-", ms: 1)]

    @Test func agreesWhenThePoolCountedWhatTheHeadersSaid() {
        // Two requests reached a worker, plus the two readings of the counters.
        let check = PoolCheck(before: Self.counters(accepted: 100, hits: 5, misses: 7), after: Self.counters(accepted: 104, hits: 6, misses: 8), observations: Self.seen)
        #expect(check.agrees, "\(check.lines)")
        #expect(check.lines == ["✓ the pool's counters agree with the headers (2 requests reached a worker)"])
    }

    @Test func saysWhereItDisagrees() {
        let check = PoolCheck(before: Self.counters(accepted: 100, hits: 5, misses: 7), after: Self.counters(accepted: 110, hits: 9, misses: 8), observations: Self.seen)
        #expect(!check.agrees)
        #expect(check.lines.contains("✗ requests that reached a worker: the pool counted 8, the headers said 2 (other clients were using the server at the same time?)"))
        #expect(check.lines.contains { $0.hasPrefix("✗ artist inner hits: the pool counted 4, the headers said 1") })
        let reloaded = PoolCheck(before: Self.counters(accepted: 100, hits: 5, misses: 7),
                                 after: Self.counters(accepted: 2, hits: 6, misses: 8, started: "2026-11-28T10:05:00Z"), observations: Self.seen)
        #expect(!reloaded.agrees && reloaded.lines.count == 1 && reloaded.lines[0].contains("reloaded or restarted during the run"))
    }

    @Test func readsItsOwnLinesFromTheAccessLog() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("airwave-access-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let old = #"127.0.0.1 [x] "GET /old HTTP/1.1" 200 5 outer=MISS inner=MISS upstream_time=0.001 request_time=0.001 agent="me/1""# + "\n"
        try old.write(toFile: path, atomically: false, encoding: .utf8)
        let log = AccessLog(path: path)
        let start = log.end()
        let lines = [
            #"127.0.0.1 [x] "GET /a HTTP/1.1" 200 5 outer=MISS inner=MISS upstream_time=0.001 request_time=0.001 agent="me/1""#,
            #"127.0.0.1 [x] "GET /b HTTP/1.1" 200 5 outer=MISS inner=HIT upstream_time=0.001 request_time=0.001 agent="other""#,
            #"127.0.0.1 [x] "GET /a HTTP/1.1" 200 5 outer=MISS inner=HIT upstream_time=0.001 request_time=0.001 agent="me/1""#,
            #"127.0.0.1 [x] "GET /a HTTP/1.1" 200 5 outer=HIT inner=- upstream_time=- request_time=0.000 agent="me/1""#,
        ]
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try handle.close()
        #expect(log.statuses(from: start, agent: "me/1") == [CacheStatus(outer: "MISS", inner: "MISS"), CacheStatus(outer: "MISS", inner: "HIT"),
                                                              CacheStatus(outer: "HIT", inner: "-")])
        let agree = AccessLogCheck(log: log, from: start, agent: "me/1", observations: Self.seen, wait: 0)
        #expect(agree.agrees && agree.lines[0].hasPrefix("✓ nginx's access log agrees with the headers (3 lines"))
        let disagree = AccessLogCheck(log: log, from: start, agent: "me/1", observations: Array(Self.seen.prefix(2)), wait: 0)
        #expect(!disagree.agrees && disagree.lines == ["✗ outer=HIT inner=-: nginx's log has 1 lines, the headers said 0"])
    }
}
