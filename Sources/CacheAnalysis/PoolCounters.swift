import Foundation
import Traffic
import Vocabulary

/// What the pool itself counted, read from `GET /api/v1/system/cache/stats`
/// and `/status` (nginx lets only loopback clients reach them). Behind a
/// cluster's nginx (`/api/v1/system/hosts` says how many hosts), the sum
/// over every host's own endpoints.
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
    /// The pools read: a cluster's hosts, or 1.
    public var pools = 1

    public static let statsPath = Paths.cacheStats
    public static let statusPath = Paths.status
    public static let clearPath = Paths.cacheClear

    /// Reads both; `status` first, so the accepted count of a reading taken
    /// before a run includes both of its own requests.
    public static func read(_ connection: HTTPConnection) throws(TrafficError) -> PoolCounters {
        let hosts = try hostCount(connection)
        guard hosts > 0 else { return try read(connection, statusPath, statsPath) }
        var sum = PoolCounters(hits: [:], misses: [:], innerCacheOn: true, accepted: 0, poolStarted: "")
        for n in 1...hosts {
            let host = try read(connection, Paths.onHost(n, statusPath), Paths.onHost(n, statsPath))
            sum.hits.merge(host.hits, uniquingKeysWith: +)
            sum.misses.merge(host.misses, uniquingKeysWith: +)
            sum.innerCacheOn = sum.innerCacheOn && host.innerCacheOn
            sum.accepted += host.accepted
            // Any host restarted meanwhile changes this.
            sum.poolStarted += (n > 1 ? " " : "") + host.poolStarted
        }
        sum.pools = hosts
        return sum
    }

    /// The hosts behind a cluster's nginx; 0 for one pool (its 404).
    static func hostCount(_ connection: HTTPConnection) throws(TrafficError) -> Int {
        let response = try connection.request(Paths.hosts)
        guard response.status == 200 else { return 0 }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let hosts = (object["hosts"] as? NSNumber)?.intValue, (1...64).contains(hosts) else {
            throw TrafficError("GET \(Paths.hosts): not a cluster's host count")
        }
        return hosts
    }

    private static func read(_ connection: HTTPConnection, _ statusPath: String, _ statsPath: String) throws(TrafficError) -> PoolCounters {
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

    /// Empties the pool's inner cache (every host's, in a cluster).
    public static func clear(_ connection: HTTPConnection) throws(TrafficError) {
        let hosts = try hostCount(connection)
        for path in hosts == 0 ? [clearPath] : (1...hosts).map({ Paths.onHost($0, clearPath) }) {
            let response = try connection.request(path, method: "POST",
                                                  headers: ["\(Paths.systemPostHeader.name): \(Paths.systemPostHeader.value)"])
            guard response.status == 200 else { throw TrafficError("POST \(path) answered \(response.status): \(response.text.prefix(200))") }
        }
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
