import Cache

/// What the API needs from the pool it runs in: the bodies of
/// `/api/v1/system/status` and `cache/stats` (the server renders both, from
/// the pool's scoreboard and its shared cache).
public protocol PoolView {
    func statusJSON() -> [UInt8]
    func cacheStatsJSON(_ cache: SharedCache?) -> [UInt8]
}
