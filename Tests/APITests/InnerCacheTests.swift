@testable import API
import Testing

@Suite struct InnerCacheTests {
    let clock = ManualClock()

    func cache(entries: Int = 100, bytes: Int = 1 << 20) -> InnerCache<ManualClock> {
        var configuration = InnerCache<ManualClock>.Configuration()
        configuration.maxEntries = entries
        configuration.maxBytes = bytes
        return InnerCache(configuration: configuration, clock: clock)
    }

    @Test func hitThenExpiryAtTheEndpointsTTL() {
        let cache = cache()
        #expect(cache.lookup("a", endpoint: .workRecordings) == nil)
        cache.store("a", endpoint: .workRecordings, body: [1, 2, 3])
        #expect(cache.lookup("a", endpoint: .workRecordings) == [1, 2, 3])
        clock.advance(by: .seconds(119))
        #expect(cache.lookup("a", endpoint: .workRecordings) == [1, 2, 3])
        clock.advance(by: .seconds(1))  // recordings: 120 s
        #expect(cache.lookup("a", endpoint: .workRecordings) == nil)
        #expect(cache.count == 0 && cache.bytes == 0)
        let counters = cache.counters[.workRecordings]!
        #expect(counters.hits == 2 && counters.misses == 2 && counters.expirations == 1 && counters.entries == 0)
    }

    @Test func eachEndpointHasItsOwnDefaultTTL() {
        let cache = cache()
        for endpoint in Endpoint.allCases { cache.store(endpoint.rawValue, endpoint: endpoint, body: [0]) }
        clock.advance(by: .seconds(60))
        #expect(cache.lookup("artists", endpoint: .artists) == nil)
        #expect(cache.lookup("work_recordings", endpoint: .workRecordings) != nil)
        clock.advance(by: .seconds(60))
        #expect(cache.lookup("work_recordings", endpoint: .workRecordings) == nil)
        #expect(cache.lookup("artist_works", endpoint: .artistWorks) != nil)
        clock.advance(by: .seconds(60))
        #expect(cache.lookup("artist_works", endpoint: .artistWorks) == nil)
        #expect(cache.lookup("artist", endpoint: .artist) != nil && cache.lookup("work", endpoint: .work) != nil)
        clock.advance(by: .seconds(120))
        #expect(cache.lookup("artist", endpoint: .artist) == nil && cache.lookup("work", endpoint: .work) == nil)
    }

    @Test func leastRecentlyUsedGoesFirstWhenFullByCount() {
        let cache = cache(entries: 3)
        for key in ["a", "b", "c"] { cache.store(key, endpoint: .artist, body: [0]) }
        _ = cache.lookup("a", endpoint: .artist)  // b is now the least recently used
        cache.store("d", endpoint: .artist, body: [0])
        #expect(cache.lookup("b", endpoint: .artist) == nil)
        #expect(cache.lookup("a", endpoint: .artist) != nil && cache.lookup("c", endpoint: .artist) != nil && cache.lookup("d", endpoint: .artist) != nil)
        #expect(cache.count == 3 && cache.counters[.artist]!.evictions == 1)
    }

    @Test func evictsByBytesAndSkipsBodiesLargerThanTheBound() {
        // Sizes count key and body: "k1" + 40 bytes = 42.
        let cache = cache(bytes: 100)
        cache.store("k1", endpoint: .work, body: Array(repeating: 1, count: 40))
        cache.store("k2", endpoint: .work, body: Array(repeating: 2, count: 40))
        #expect(cache.bytes == 84)
        cache.store("k3", endpoint: .work, body: Array(repeating: 3, count: 40))
        #expect(cache.bytes == 84 && cache.count == 2)
        #expect(cache.lookup("k1", endpoint: .work) == nil)
        cache.store("huge", endpoint: .work, body: Array(repeating: 0, count: 200))
        #expect(cache.lookup("huge", endpoint: .work) == nil)
        #expect(cache.lookup("k2", endpoint: .work) != nil && cache.lookup("k3", endpoint: .work) != nil)
    }

    @Test func replacingAKeyKeepsTheAccountsRight() {
        let cache = cache()
        cache.store("a", endpoint: .artist, body: [1, 2, 3])
        cache.store("a", endpoint: .artist, body: [4])
        #expect(cache.count == 1 && cache.bytes == 2 && cache.lookup("a", endpoint: .artist) == [4])
        cache.removeAll()
        #expect(cache.count == 0 && cache.bytes == 0 && cache.lookup("a", endpoint: .artist) == nil)
        #expect(cache.counters[.artist]!.entries == 0 && cache.counters[.artist]!.bytes == 0)
    }

    @Test func aZeroTTLStoresNothing() {
        var configuration = InnerCache<ManualClock>.Configuration()
        configuration.ttl[.artists] = .zero
        let cache = InnerCache(configuration: configuration, clock: clock)
        cache.store("x", endpoint: .artists, body: [1])
        #expect(cache.lookup("x", endpoint: .artists) == nil)
    }

    @Test func manyOperationsKeepTheListConsistent() {
        let cache = cache(entries: 50, bytes: 2_000)
        var model: [String] = []  // most recent last
        var random = SystemRandomNumberGenerator()
        for step in 0..<5_000 {
            let key = "k\(Int.random(in: 0..<120, using: &random))"
            if step % 3 == 0 {
                if cache.lookup(key, endpoint: .artist) != nil {
                    model.removeAll { $0 == key }
                    model.append(key)
                }
            } else {
                cache.store(key, endpoint: .artist, body: Array(repeating: 0, count: Int.random(in: 1...60, using: &random)))
                model.removeAll { $0 == key }
                model.append(key)
            }
            #expect(cache.count <= 50 && cache.bytes <= 2_000)
        }
        // The cache holds exactly the most recently used keys.
        let recent = model.suffix(cache.count)
        #expect(recent.allSatisfy { cache.lookup($0, endpoint: .artist) != nil })
    }
}

/// Keys written as text in these tests; the cache itself takes bytes.
private extension InnerCache {
    func lookup(_ key: String, endpoint: Endpoint) -> [UInt8]? { lookup(Array(key.utf8), endpoint: endpoint) }
    func store(_ key: String, endpoint: Endpoint, body: [UInt8]) { store(Array(key.utf8), endpoint: endpoint, body: body) }
}
