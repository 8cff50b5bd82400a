import Foundation
import Traffic
import Vocabulary

/// What the pool itself counted, read from `GET /api/v1/system/cache/stats`
/// and `/status` (nginx lets only loopback clients reach them).
public struct PoolCounters: Sendable {
    public init(hits: [String: Int], misses: [String: Int], innerCacheOn: Bool, accepted: Int, poolStarted: String) {
        self.hits = hits; self.misses = misses; self.innerCacheOn = innerCacheOn
        self.accepted = accepted; self.poolStarted = poolStarted
    }

    /// Inner-cache hits and misses per endpoint (cache/stats names): the
    /// pool's, kept with its shared cache, so a replaced worker changes nothing.
    public var hits: [String: Int]
    public var misses: [String: Int]
    public var innerCacheOn: Bool
    /// Requests the pool accepted, from its scoreboard.
    public var accepted: Int
    /// When the pool (its scoreboard) started: a reload starts a new one.
    public var poolStarted: String

    public static let statsPath = Paths.cacheStats
    public static let statusPath = Paths.status
    public static let clearPath = Paths.cacheClear

    /// Reads both; `status` first, so the accepted count of a reading taken
    /// before a run includes both of its own requests.
    public static func read(_ connection: HTTPConnection) throws(TrafficError) -> PoolCounters {
        let status = try object(connection, statusPath)
        let stats = try object(connection, statsPath)
        guard let endpoints = stats["endpoints"] as? [String: [String: Any]],
              let accepted = (status["accepted_requests"] as? NSNumber)?.intValue,
              let started = status["started_at"] as? String else {
            throw TrafficError("the pool's stats or status answer has an unexpected shape")
        }
        var counters = PoolCounters(hits: [:], misses: [:], innerCacheOn: (stats["inner_cache"] as? Bool) ?? false, accepted: accepted,
                                    poolStarted: started)
        for (name, values) in endpoints {
            counters.hits[name] = (values["hits"] as? NSNumber)?.intValue ?? 0
            counters.misses[name] = (values["misses"] as? NSNumber)?.intValue ?? 0
        }
        return counters
    }

    /// Empties the pool's inner cache.
    public static func clear(_ connection: HTTPConnection) throws(TrafficError) {
        let response = try connection.request(clearPath, method: "POST",
                                              headers: ["\(Paths.systemPostHeader.name): \(Paths.systemPostHeader.value)"])
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
