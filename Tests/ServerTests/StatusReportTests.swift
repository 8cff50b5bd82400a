import Cache
import Foundation
@testable import Pool
@testable import Server
import Testing

/// Status rendered in one place: the status endpoint's JSON, `cache/stats`
/// and `airwave status`'s text, from the same board.
@Suite struct StatusReportTests {
    @Test func theBoardAsJSONAndAsText() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("status-\(UUID()).sb").path
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, slots: 2, masterPID: getpid())
        board.workerStarted(slot: 0, pid: 4242, replacing: false)
        board.workerReady(slot: 0)
        board.begin(slot: 0, path: ArraySlice("/api/v1/library/works/1".utf8))
        let snapshot = board.snapshot()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(StatusReport.json(snapshot))) as? [String: Any])
        #expect(json["accepted_requests"] as? Int == 1 && json["busy_workers"] as? Int == 1)
        let workers = try #require(json["workers"] as? [[String: Any]])
        #expect(workers.map { $0["state"] as? String } == ["busy", "empty"])
        #expect((workers[0]["current_request"] as? [String: Any])?["path"] as? String == "/api/v1/library/works/1")

        let text = StatusReport.text(snapshot, cache: nil, cacheOn: false)
        #expect(text.contains("accepted 1 requests, 0 restarts") && text.contains("inner cache: off"))
        #expect(text.contains("4242     busy") && text.contains("/api/v1/library/works/1 ("))

        let cache = try SharedCache()
        cache.store(Array("artist 1".utf8), endpoint: .artist, body: [1, 2, 3], epoch: cache.epoch)
        _ = cache.lookup(Array("artist 1".utf8), endpoint: .artist)
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(StatusReport.cacheStatsJSON(cache, workers: 2))) as? [String: Any])
        let total = try #require(stats["total"] as? [String: Any])
        #expect(stats["workers"] as? Int == 2 && total["hits"] as? Int == 1 && total["entries"] as? Int == 1 && total["bytes"] as? Int == 11)
        let withCache = StatusReport.text(snapshot, cache: cache.counters(), cacheOn: true)
        #expect(withCache.contains("inner cache: 1 entries, 11 bytes; 1 hits, 0 misses (100.0%)"))
    }
}
