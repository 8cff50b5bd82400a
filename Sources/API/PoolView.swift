import Cache

/// What the API needs from the pool it runs in: the bodies of
/// `/api/v1/system/status`, `cache/stats` and `metrics` (the server renders
/// them, from the pool's scoreboard and its shared cache).
public protocol PoolView {
    func statusJSON() -> [UInt8]
    func cacheStatsJSON(_ cache: SharedCache?) -> [UInt8]
    /// The Prometheus text format (`metricsContentType`); `database`: the file's path.
    func metricsText(_ cache: SharedCache?, database: String) -> [UInt8]
}

/// The Prometheus text exposition format's media type, version 0.0.4.
public let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"
