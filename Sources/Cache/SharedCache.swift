import CSupport
import Vocabulary
import Support

/// The pool's inner cache: finished 200 bodies in memory every worker maps
/// (the master creates it before the fork), so a URL misses once per pool.
/// One bound on entries and one on bytes for the whole pool, least recently
/// used eviction, a TTL per endpoint, the counters kept with it. Layout,
/// locking and recovery from a worker killed mid-write: `SharedCache.h`.
///
/// Fresh across workers. Each worker notices a change of the database file
/// with its own connection's `PRAGMA data_version`, which no other process
/// can compare, so the cache keeps an epoch instead:
/// 1. a request reads `epoch` before its read transaction starts;
/// 2. a worker that sees the file changed, in that transaction, calls
///    `clear()` (a new epoch) and stores nothing from that request (a
///    commit, or another file renamed over the path: the worker stats it
///    after step 1, so once a new epoch has begun for a new file, every
///    request that reads that epoch reads that file);
/// 3. a body is stored with the epoch of step 1 (not at all if the epoch
///    has moved on) and served only while that epoch is current.
/// A body computed before a commit C was computed in a snapshot older than
/// C, under an epoch read before C; the first worker to see C starts a new
/// epoch before it serves anything from a snapshot holding C.
public final class SharedCache: @unchecked Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Time to live per endpoint.
        public var ttl: [Endpoint: Duration] = Dictionary(uniqueKeysWithValues: Endpoint.allCases.map { ($0, .seconds($0.defaultTTL)) })
        /// At most this many entries, for the pool.
        public var maxEntries = 10_000
        /// At most this many bytes of keys and bodies, for the pool.
        public var maxBytes = 64 << 20

        public init() {}
    }

    public let configuration: Configuration
    /// The memory (`airwave status` reads its counters through the descriptor).
    public let memory: SharedMemory
    let cache: UnsafeMutablePointer<airwave_cache>
    /// CLOCK_MONOTONIC nanoseconds (the same in every process); tests move it.
    private let now: @Sendable () -> UInt64
    /// A body is copied out of shared memory here first.
    private var scratch = [UInt8](repeating: 0, count: 1 << 16)

    /// A new, empty cache for the pool (the master, before the fork; a
    /// reload's new image makes its own, as its workers would empty an old
    /// one anyway: see `LibraryAPI.init`).
    public init(configuration: Configuration = Configuration(), now: @escaping @Sendable () -> UInt64 = { SystemClock.now() }) throws {
        guard (0...Int(UInt32.max / 2)).contains(configuration.maxEntries), configuration.maxBytes >= 0 else {
            throw CacheError("cache bounds out of range: \(configuration.maxEntries) entries, \(configuration.maxBytes) bytes")
        }
        let size = airwave_cache_size(UInt32(configuration.maxEntries), UInt64(configuration.maxBytes))
        guard size > 0 else { throw CacheError("a cache of \(configuration.maxBytes) bytes needs too many chunks") }
        memory = try SharedMemory(name: "airwave-cache", size: Int(size))
        cache = memory.base.bindMemory(to: airwave_cache.self, capacity: 1)
        self.configuration = configuration
        self.now = now
        let rc = airwave_cache_init(cache, size, UInt32(configuration.maxEntries), UInt64(configuration.maxBytes), Self.nanoseconds(configuration.ttl))
        guard rc == 0 else { throw CacheError("cannot set up the cache's lock: \(SystemError("pthread_mutex_init", code: rc))") }
    }

    /// The current epoch: read it before a request's read transaction.
    public var epoch: UInt64 { airwave_cache_epoch(cache) }

    /// The body stored under `key`, if fresh and of the current epoch
    /// (counted as a hit, else a miss).
    public func lookup(_ key: [UInt8], endpoint: Endpoint) -> [UInt8]? {
        while true {
            let length = key.withUnsafeBufferPointer { key in
                scratch.withUnsafeMutableBufferPointer { out in
                    airwave_cache_lookup(cache, endpoint.index, key.baseAddress, UInt32(key.count), now(), out.baseAddress, UInt64(out.count))
                }
            }
            guard length >= 0 else { return nil }
            if length <= scratch.count { return Array(scratch[0..<Int(length)]) }
            scratch = [UInt8](repeating: 0, count: Int(length))  // bigger than any before: grow, ask again
        }
    }

    /// Stores `body`, computed under `epoch` (see the type's comment).
    @discardableResult
    public func store(_ key: [UInt8], endpoint: Endpoint, body: [UInt8], epoch: UInt64) -> Bool {
        guard key.count < UInt32.max, body.count < UInt32.max else { return false }
        return key.withUnsafeBufferPointer { key in
            body.withUnsafeBufferPointer { body in
                airwave_cache_store(cache, endpoint.index, key.baseAddress, UInt32(key.count), body.baseAddress, UInt32(body.count), epoch, now())
            }
        } != 0
    }

    /// Empties the cache for the whole pool and starts a new epoch.
    @discardableResult
    public func clear() -> UInt64 { airwave_cache_clear(cache) }

    /// Every endpoint's counters (exact: read under the lock).
    public func counters() -> [Endpoint: CacheCounters] {
        var values = [CacheCounters](repeating: CacheCounters(), count: Int(AIRWAVE_CACHE_ENDPOINTS))
        var recoveries: UInt64 = 0
        airwave_cache_read_counters(cache, &values, &recoveries)
        return Dictionary(uniqueKeysWithValues: Endpoint.allCases.map { ($0, values[Int($0.index)]) })
    }

    public var totals: CacheCounters { counters().values.reduce(CacheCounters(), +) }
    public var count: Int { Int(totals.entries) }
    public var bytes: Int { Int(totals.bytes) }

    /// How many times a worker died holding the lock and the cache was emptied.
    public var recoveries: UInt64 {
        var values = [CacheCounters](repeating: CacheCounters(), count: Int(AIRWAVE_CACHE_ENDPOINTS))
        var recoveries: UInt64 = 0
        airwave_cache_read_counters(cache, &values, &recoveries)
        return recoveries
    }

    /// How many times a worker gave up waiting for the lock (200 ms: a holder
    /// stopped, not dead) and answered without the cache.
    public var lockTimeouts: UInt64 { airwave_cache_lock_timeouts(cache) }

    /// For the fault tests: hold the lock for `milliseconds`, as a worker
    /// stopped (SIGSTOP, a debugger) in the middle of a lookup would.
    public func holdLockForTesting(milliseconds: UInt32) { airwave_cache_test_hold_lock(cache, milliseconds) }

    /// For the fault tests: leave an entry half written, the lock held, as a
    /// worker killed in the middle of `store` would.
    public func abandonStoreForTesting(_ key: [UInt8], endpoint: Endpoint, body: [UInt8]) {
        key.withUnsafeBufferPointer { key in
            body.withUnsafeBufferPointer { body in
                airwave_cache_test_abandon_store(cache, endpoint.index, key.baseAddress, UInt32(key.count), body.baseAddress, UInt32(body.count))
            }
        }
    }

    /// The counters of another process's cache, read without its lock (for
    /// `airwave status`: a moment's view, each number exact).
    public static func counters(in memory: SharedMemory) -> [Endpoint: CacheCounters]? {
        guard memory.size >= MemoryLayout<airwave_cache>.size else { return nil }
        let cache = memory.base.assumingMemoryBound(to: airwave_cache.self)
        guard cache.pointee.magic == AIRWAVE_CACHE_MAGIC, cache.pointee.version == AIRWAVE_CACHE_VERSION,
              let offset = MemoryLayout<airwave_cache>.offset(of: \.counters) else { return nil }
        let values = (memory.base + offset).assumingMemoryBound(to: CacheCounters.self)
        return Dictionary(uniqueKeysWithValues: Endpoint.allCases.map { ($0, values[Int($0.index)]) })
    }

    private static func nanoseconds(_ ttl: [Endpoint: Duration]) -> [UInt64] {
        Endpoint.allCases.map { UInt64(max(0, (ttl[$0] ?? .seconds($0.defaultTTL)).nanoseconds)) }
    }
}

/// A cache that cannot be set up.
public struct CacheError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
