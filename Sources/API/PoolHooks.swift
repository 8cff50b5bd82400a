/// What the API needs from the pool it runs in, for the system endpoints
/// and the pool-wide cache counters (the pool's scoreboard provides them).
public struct PoolHooks {
    /// The body of `GET /api/v1/system/status`.
    public var status: () -> [UInt8]
    /// How many times cache/clear was asked for, pool-wide.
    public var cacheGeneration: () -> UInt64
    /// Asks every worker to drop its inner cache.
    public var clearCaches: () -> Void
    /// Publishes this worker's counters for one endpoint (its index in `Endpoint.allCases`).
    public var publishCache: (Int, CacheCounters) -> Void
    /// Every worker's counters added up (same order), and the number of workers.
    public var cacheTotals: () -> (counters: [CacheCounters], workers: Int)

    public init(status: @escaping () -> [UInt8], cacheGeneration: @escaping () -> UInt64, clearCaches: @escaping () -> Void,
                publishCache: @escaping (Int, CacheCounters) -> Void,
                cacheTotals: @escaping () -> (counters: [CacheCounters], workers: Int)) {
        self.status = status
        self.cacheGeneration = cacheGeneration
        self.clearCaches = clearCaches
        self.publishCache = publishCache
        self.cacheTotals = cacheTotals
    }
}
