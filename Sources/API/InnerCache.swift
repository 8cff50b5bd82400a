/// One endpoint's inner-cache counters.
public struct CacheCounters: Equatable, Sendable {
    public var hits = 0, misses = 0, evictions = 0, expirations = 0, entries = 0, bytes = 0

    public init() {}

    /// From the scoreboard's order (see `values`).
    public init<C: Collection>(values: C) where C.Element == UInt64 {
        let v = values.map { Int(clamping: $0) } + [Int](repeating: 0, count: max(0, 6 - values.count))
        (hits, misses, evictions, expirations, entries, bytes) = (v[0], v[1], v[2], v[3], v[4], v[5])
    }

}

/// A worker's cache of finished response bodies: a TTL per endpoint, bounds
/// on entries and on bytes, least-recently-used eviction. Time comes from the
/// clock it is given, so tests move time instead of sleeping.
public final class InnerCache<C: Clock> where C.Duration == Duration {
    /// Cache settings, with the contract's defaults.
    public struct Configuration: Sendable {
        /// Time to live per endpoint.
        public var ttl: [Endpoint: Duration] = Dictionary(uniqueKeysWithValues: Endpoint.allCases.map { ($0, .seconds($0.defaultTTL)) })
        /// At most this many entries.
        public var maxEntries = 10_000
        /// At most this many bytes of keys and bodies.
        public var maxBytes = 64 << 20

        public init() {}
    }

    public typealias Counters = CacheCounters

    private struct Entry {
        var key: [UInt8]
        var body: [UInt8]
        var endpoint: Endpoint
        var expires: C.Instant
        var older: Int  // towards the least recently used; -1 at the end
        var newer: Int  // towards the most recently used; -1 at the end
        var size: Int { key.count + body.count }
    }

    public let configuration: Configuration
    private let clock: C
    private var slots: [Entry?] = []
    private var freeSlots: [Int] = []
    /// Keys are bytes: `[UInt8]` compares and hashes byte for byte, where
    /// `String` would take canonically equivalent texts for the same key.
    private var index: [[UInt8]: Int] = [:]
    private var newest = -1, oldest = -1
    public private(set) var bytes = 0
    public private(set) var counters: [Endpoint: Counters] = [:]
    public var count: Int { index.count }

    public init(configuration: Configuration = Configuration(), clock: C) {
        self.configuration = configuration
        self.clock = clock
    }

    /// The body stored under `key`, if still fresh; counts a hit or a miss.
    public func lookup(_ key: [UInt8], endpoint: Endpoint) -> [UInt8]? {
        guard let slot = index[key], let entry = slots[slot] else {
            counters[endpoint, default: Counters()].misses += 1
            return nil
        }
        if clock.now >= entry.expires {
            remove(slot)
            counters[endpoint, default: Counters()].expirations += 1
            counters[endpoint, default: Counters()].misses += 1
            return nil
        }
        unlink(slot)
        pushNewest(slot)
        counters[endpoint, default: Counters()].hits += 1
        return entry.body
    }

    /// Stores `body` under `key`, evicting the least recently used entries
    /// until both bounds hold. A body larger than the byte bound is not stored.
    public func store(_ key: [UInt8], endpoint: Endpoint, body: [UInt8]) {
        if let slot = index[key] { remove(slot) }
        let ttl = configuration.ttl[endpoint] ?? .seconds(endpoint.defaultTTL)
        let entry = Entry(key: key, body: body, endpoint: endpoint, expires: clock.now.advanced(by: ttl), older: -1, newer: -1)
        guard ttl > .zero, configuration.maxEntries > 0, entry.size <= configuration.maxBytes else { return }
        while index.count >= configuration.maxEntries || bytes + entry.size > configuration.maxBytes, oldest >= 0 {
            counters[slots[oldest]!.endpoint, default: Counters()].evictions += 1
            remove(oldest)
        }
        let slot = freeSlots.popLast() ?? { slots.append(nil); return slots.count - 1 }()
        slots[slot] = entry
        index[key] = slot
        bytes += entry.size
        counters[endpoint, default: Counters()].entries += 1
        counters[endpoint, default: Counters()].bytes += entry.size
        pushNewest(slot)
    }

    /// Drops every entry (the counters of hits and misses stay).
    public func removeAll() {
        slots.removeAll()
        freeSlots.removeAll()
        index.removeAll()
        newest = -1
        oldest = -1
        bytes = 0
        for endpoint in counters.keys {
            counters[endpoint]!.entries = 0
            counters[endpoint]!.bytes = 0
        }
    }

    private func remove(_ slot: Int) {
        let entry = slots[slot]!
        unlink(slot)
        index[entry.key] = nil
        slots[slot] = nil
        freeSlots.append(slot)
        bytes -= entry.size
        counters[entry.endpoint]!.entries -= 1
        counters[entry.endpoint]!.bytes -= entry.size
    }

    private func unlink(_ slot: Int) {
        let entry = slots[slot]!
        if entry.older >= 0 { slots[entry.older]!.newer = entry.newer } else { oldest = entry.newer }
        if entry.newer >= 0 { slots[entry.newer]!.older = entry.older } else { newest = entry.older }
        slots[slot]!.older = -1
        slots[slot]!.newer = -1
    }

    private func pushNewest(_ slot: Int) {
        slots[slot]!.older = newest
        slots[slot]!.newer = -1
        if newest >= 0 { slots[newest]!.newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}
