import CSupport
import Vocabulary

/// One endpoint's inner-cache counters, exact for the pool: the C struct the
/// shared cache keeps them in (`SharedCache.h`), with named fields, read by
/// `cache/stats`, `airwave status` and, through those, the tools.
public typealias CacheCounters = airwave_cache_counters

extension CacheCounters {
    /// Hits over lookups; nil before any.
    public var hitRate: Double? { hits + misses == 0 ? nil : Double(hits) / Double(hits + misses) }

    public static func + (a: CacheCounters, b: CacheCounters) -> CacheCounters {
        CacheCounters(hits: a.hits + b.hits, misses: a.misses + b.misses, evictions: a.evictions + b.evictions,
                      expirations: a.expirations + b.expirations, entries: a.entries + b.entries, bytes: a.bytes + b.bytes)
    }
}

extension CacheCounters: @retroactive Equatable {
    public static func == (a: CacheCounters, b: CacheCounters) -> Bool {
        (a.hits, a.misses, a.evictions, a.expirations, a.entries, a.bytes) == (b.hits, b.misses, b.evictions, b.expirations, b.entries, b.bytes)
    }
}
