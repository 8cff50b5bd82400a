import Foundation
import Traffic

/// What the pool itself counted, read from `GET /api/v1/system/cache/stats`
/// and `/status` (nginx lets only loopback clients reach them).
public struct PoolCounters: Sendable {
    public init(hits: [String: Int], misses: [String: Int], innerCacheOn: Bool, accepted: Int, restarts: Int, workerPIDs: Set<Int>) {
        self.hits = hits; self.misses = misses; self.innerCacheOn = innerCacheOn
        self.accepted = accepted; self.restarts = restarts; self.workerPIDs = workerPIDs
    }

    /// Inner-cache hits and misses per endpoint (cache/stats names).
    public var hits: [String: Int]
    public var misses: [String: Int]
    public var innerCacheOn: Bool
    public var accepted: Int
    public var restarts: Int
    public var workerPIDs: Set<Int>

    public static let statsPath = "/api/v1/system/cache/stats"
    public static let statusPath = "/api/v1/system/status"
    public static let clearPath = "/api/v1/system/cache/clear"

    /// Reads both; `status` first, so the accepted count of a reading taken
    /// before a run includes both of its own requests.
    public static func read(_ connection: HTTPConnection) throws(TrafficError) -> PoolCounters {
        let status = try object(connection, statusPath)
        let stats = try object(connection, statsPath)
        guard let endpoints = stats["endpoints"] as? [String: [String: Any]],
              let accepted = (status["accepted_requests"] as? NSNumber)?.intValue,
              let workers = status["workers"] as? [[String: Any]] else {
            throw TrafficError("the pool's stats or status answer has an unexpected shape")
        }
        var counters = PoolCounters(hits: [:], misses: [:], innerCacheOn: (stats["inner_cache"] as? Bool) ?? false, accepted: accepted,
                                    restarts: (status["restarts"] as? NSNumber)?.intValue ?? 0,
                                    workerPIDs: Set(workers.compactMap { ($0["pid"] as? NSNumber)?.intValue }.filter { $0 != 0 }))
        for (name, values) in endpoints {
            counters.hits[name] = (values["hits"] as? NSNumber)?.intValue ?? 0
            counters.misses[name] = (values["misses"] as? NSNumber)?.intValue ?? 0
        }
        return counters
    }

    /// Empties every worker's inner cache.
    public static func clear(_ connection: HTTPConnection) throws(TrafficError) {
        let response = try connection.request(clearPath, method: "POST")
        guard response.status == 200 else { throw TrafficError("POST \(clearPath) answered \(response.status): \(response.text.prefix(200))") }
    }

    static func object(_ connection: HTTPConnection, _ path: String) throws(TrafficError) -> [String: Any] {
        let response = try connection.request(path)
        guard response.status == 200 else {
            throw TrafficError("GET \(path) answered \(response.status) (nginx serves it to loopback clients only)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw TrafficError("GET \(path): not a JSON object")
        }
        return object
    }
}

/// The pool's counters over a run next to what the headers said.
public struct PoolCheck: Sendable {
    public var lines: [String] = []
    public var agrees = true
    /// Requests of the run the pool accepted (nil when workers changed).
    public var accepted: Int?

    /// `before` and `after` read around the run, with nothing else between.
    public init(before: PoolCounters, after: PoolCounters, observations: [Observation]) {
        if before.workerPIDs != after.workerPIDs || before.restarts != after.restarts {
            let gone = before.workerPIDs.subtracting(after.workerPIDs).sorted()
            lines.append("⚠ workers changed during the run (gone: \(gone.map(String.init).joined(separator: ", "))): "
                         + "a new worker's counters start from zero, so the pool's sums cannot be compared")
            agrees = false
            return
        }
        // The run's own requests that reached a worker, and the two readings after it.
        let reached = observations.filter { $0.cache.reachedWorker }.count
        let accepted = after.accepted - before.accepted - 2
        self.accepted = accepted
        compare("requests that reached a worker", pool: accepted, headers: reached)
        for name in Set(analysedTemplates.map(\.cacheStatsName)).sorted() {
            let mine = observations.filter { $0.template.cacheStatsName == name }
            compare("\(name) inner hits", pool: (after.hits[name] ?? 0) - (before.hits[name] ?? 0),
                    headers: mine.filter { $0.cache.innerHit }.count)
            compare("\(name) inner misses", pool: (after.misses[name] ?? 0) - (before.misses[name] ?? 0),
                    headers: mine.filter { $0.cache.innerMiss }.count)
        }
        if agrees { lines.insert("✓ the pool's counters agree with the headers (\(reached) requests reached a worker)", at: 0) }
    }

    private mutating func compare(_ what: String, pool: Int, headers: Int) {
        guard pool != headers else { return }
        agrees = false
        lines.append("✗ \(what): the pool counted \(pool), the headers said \(headers)"
                     + (pool > headers ? " (other clients were using the server at the same time?)" : ""))
    }
}
