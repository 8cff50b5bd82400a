@testable import Cache
import CacheTesting
import CSupport
import Foundation
import Testing
import Vocabulary

/// The pool's shared inner cache, in one process: TTLs, both bounds, LRU,
/// epochs, counters, and what a holder of its lock that dies leaves behind.
@Suite struct SharedCacheTests {
    let clock = ManualClock()

    func cache(entries: Int = 100, bytes: Int = 1 << 20, configure: (inout SharedCache.Configuration) -> Void = { _ in }) throws -> SharedCache {
        var configuration = SharedCache.Configuration()
        configuration.maxEntries = entries
        configuration.maxBytes = bytes
        configure(&configuration)
        return try SharedCache(configuration: configuration, now: clock.source)
    }

    @Test func hitThenExpiryAtTheEndpointsTTL() throws {
        let cache = try cache()
        let epoch = cache.epoch
        #expect(cache.lookup("a", endpoint: .workRecordings) == nil)
        cache.store("a", endpoint: .workRecordings, body: [1, 2, 3], epoch: epoch)
        #expect(cache.lookup("a", endpoint: .workRecordings) == [1, 2, 3])
        clock.advance(by: .seconds(119))
        #expect(cache.lookup("a", endpoint: .workRecordings) == [1, 2, 3])
        clock.advance(by: .seconds(1))  // recordings: 120 s
        #expect(cache.lookup("a", endpoint: .workRecordings) == nil)
        #expect(cache.count == 0 && cache.bytes == 0)
        let counters = cache.counters()[.workRecordings]!
        #expect(counters.hits == 2 && counters.misses == 2 && counters.expirations == 1 && counters.entries == 0)
    }

    @Test func eachEndpointHasItsOwnDefaultTTL() throws {
        let cache = try cache()
        for endpoint in Endpoint.allCases { cache.store(endpoint.rawValue, endpoint: endpoint, body: [0], epoch: cache.epoch) }
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

    @Test func leastRecentlyUsedGoesFirstWhenFullByCount() throws {
        let cache = try cache(entries: 3)
        for key in ["a", "b", "c"] { cache.store(key, endpoint: .artist, body: [0], epoch: cache.epoch) }
        _ = cache.lookup("a", endpoint: .artist)  // b is now the least recently used
        cache.store("d", endpoint: .artist, body: [0], epoch: cache.epoch)
        #expect(cache.lookup("b", endpoint: .artist) == nil)
        #expect(cache.lookup("a", endpoint: .artist) != nil && cache.lookup("c", endpoint: .artist) != nil && cache.lookup("d", endpoint: .artist) != nil)
        #expect(cache.count == 3 && cache.counters()[.artist]!.evictions == 1)
    }

    @Test func evictsByBytesAndSkipsBodiesLargerThanTheBound() throws {
        // Sizes count key and body: "k1" + 40 bytes = 42.
        let cache = try cache(bytes: 100)
        cache.store("k1", endpoint: .work, body: Array(repeating: 1, count: 40), epoch: cache.epoch)
        cache.store("k2", endpoint: .work, body: Array(repeating: 2, count: 40), epoch: cache.epoch)
        #expect(cache.bytes == 84)
        cache.store("k3", endpoint: .work, body: Array(repeating: 3, count: 40), epoch: cache.epoch)
        #expect(cache.bytes == 84 && cache.count == 2)
        #expect(cache.lookup("k1", endpoint: .work) == nil)
        #expect(!cache.store("huge", endpoint: .work, body: Array(repeating: 0, count: 200), epoch: cache.epoch))
        #expect(cache.lookup("huge", endpoint: .work) == nil)
        #expect(cache.lookup("k2", endpoint: .work) == Array(repeating: 2, count: 40) && cache.lookup("k3", endpoint: .work) != nil)
    }

    @Test func replacingAKeyKeepsTheAccountsRight() throws {
        let cache = try cache()
        cache.store("a", endpoint: .artist, body: [1, 2, 3], epoch: cache.epoch)
        cache.store("a", endpoint: .artist, body: [4], epoch: cache.epoch)
        #expect(cache.count == 1 && cache.bytes == 2 && cache.lookup("a", endpoint: .artist) == [4])
        cache.clear()
        #expect(cache.count == 0 && cache.bytes == 0 && cache.lookup("a", endpoint: .artist) == nil)
        #expect(cache.counters()[.artist]!.entries == 0 && cache.counters()[.artist]!.bytes == 0)
    }

    @Test func aZeroTTLStoresNothing() throws {
        let cache = try cache { $0.ttl[.artists] = .zero }
        #expect(!cache.store("x", endpoint: .artists, body: [1], epoch: cache.epoch))
        #expect(cache.lookup("x", endpoint: .artists) == nil)
    }

    /// Keys and bodies are bytes: lengths across chunk boundaries come back
    /// exactly; keys that differ in one byte, or are a prefix, are apart.
    @Test func bytesComeBackExactly() throws {
        let cache = try cache(entries: 200, bytes: 4 << 20)
        var random = SystemRandomNumberGenerator()
        let lengths = [0, 1, 255, 256, 257, 511, 512, 513, 4096, 100_000, 300_000]
        var stored: [[UInt8]: [UInt8]] = [:]
        for (index, length) in lengths.enumerated() {
            let key = Array("key \(index) ".utf8) + (0..<index * 97).map { _ in UInt8.random(in: 0...255, using: &random) }
            let body = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(cache.store(key, endpoint: .work, body: body, epoch: cache.epoch))
            stored[key] = body
        }
        for (key, body) in stored {
            #expect(cache.lookup(key, endpoint: .work) == body)
            #expect(cache.lookup(key + [0], endpoint: .work) == nil && cache.lookup(Array(key.dropLast()), endpoint: .work) == nil)
        }
        // "é" composed and decomposed: two keys.
        cache.store(Array("caf\u{E9}".utf8), endpoint: .artists, body: [1], epoch: cache.epoch)
        #expect(cache.lookup(Array("cafe\u{301}".utf8), endpoint: .artists) == nil)
    }

    @Test func anEntryOfAnotherEpochIsNeitherStoredNorServed() throws {
        let cache = try cache()
        let before = cache.epoch
        cache.store("a", endpoint: .artist, body: [1], epoch: before)
        let after = cache.clear()
        #expect(after == before + 1 && cache.epoch == after)
        #expect(cache.lookup("a", endpoint: .artist) == nil)
        // A body computed under the old epoch, stored late: dropped.
        #expect(!cache.store("b", endpoint: .artist, body: [2], epoch: before))
        #expect(cache.lookup("b", endpoint: .artist) == nil)
        #expect(cache.store("b", endpoint: .artist, body: [2], epoch: after))
        #expect(cache.lookup("b", endpoint: .artist) == [2])
    }

    /// A holder of the lock that is stopped, not dead (SIGSTOP, a
    /// debugger): nobody waits for it more than 200 ms. A lookup misses, a
    /// store stores nothing, a clear still starts a new epoch, and the
    /// counters are read as they stand.
    @Test func aStoppedHolderStopsNobody() throws {
        let cache = try cache()
        cache.store("a", endpoint: .artist, body: [1], epoch: cache.epoch)
        let epoch = cache.epoch
        let holding = DispatchSemaphore(value: 0), released = DispatchSemaphore(value: 0)
        Thread {
            holding.signal()
            cache.holdLockForTesting(milliseconds: 1_500)
            released.signal()
        }.start()
        holding.wait()
        usleep(100_000)  // the thread has the lock
        #expect(cache.lookup("a", endpoint: .artist) == nil)
        #expect(!cache.store("b", endpoint: .artist, body: [2], epoch: epoch))
        #expect(cache.clear() == epoch + 1 && cache.epoch == epoch + 1)
        #expect(cache.counters()[.artist]?.entries == 1)  // read without the lock: "a" is still there
        #expect(cache.lockTimeouts == 4)
        released.wait()
        // The clear moved the epoch: "a", computed before it, is never served again.
        #expect(cache.lookup("a", endpoint: .artist) == nil)
        #expect(cache.store("a", endpoint: .artist, body: [3], epoch: cache.epoch))
        #expect(cache.lookup("a", endpoint: .artist) == [3])
    }

    /// A holder of the lock that dies (here: a thread that exits holding it,
    /// its entry half written and already reachable) leaves no deadlock and
    /// no torn body: the next locker empties the cache.
    @Test func aHolderThatDiesHalfwayLeavesNoTornBody() throws {
        let cache = try cache()
        cache.store("other", endpoint: .artist, body: [1], epoch: cache.epoch)
        let epoch = cache.epoch
        let body = [UInt8](repeating: 9, count: 5_000)
        let done = DispatchSemaphore(value: 0)
        Thread {
            cache.abandonStoreForTesting(Array("torn".utf8), endpoint: .work, body: body)
            done.signal()
        }.start()
        done.wait()
        usleep(50_000)  // the thread is gone, holding the lock
        #expect(cache.lookup("torn", endpoint: .work) == nil)
        #expect(cache.lookup("other", endpoint: .artist) == nil)  // everything went
        #expect(cache.recoveries == 1 && cache.epoch == epoch + 1 && cache.count == 0)
        #expect(cache.store("torn", endpoint: .work, body: body, epoch: cache.epoch))
        #expect(cache.lookup("torn", endpoint: .work) == body)
    }

    @Test func manyOperationsKeepTheListConsistent() throws {
        let cache = try cache(entries: 50, bytes: 2_000)
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
                #expect(cache.store(key, endpoint: .artist, body: Array(repeating: 0, count: Int.random(in: 1...60, using: &random)), epoch: cache.epoch))
                model.removeAll { $0 == key }
                model.append(key)
            }
            #expect(cache.count <= 50 && cache.bytes <= 2_000)
        }
        // The cache holds exactly the most recently used keys.
        let recent = model.suffix(cache.count)
        #expect(recent.allSatisfy { cache.lookup($0, endpoint: .artist) != nil })
        let counters = cache.counters().values.reduce(CacheCounters(), +)
        #expect(Int(counters.entries) == cache.count && counters.evictions > 0)
    }
}

/// Keys written as text in these tests; the cache itself takes bytes.
extension SharedCache {
    func lookup(_ key: String, endpoint: Endpoint) -> [UInt8]? { lookup(Array(key.utf8), endpoint: endpoint) }
    @discardableResult
    func store(_ key: String, endpoint: Endpoint, body: [UInt8], epoch: UInt64) -> Bool {
        store(Array(key.utf8), endpoint: endpoint, body: body, epoch: epoch)
    }
}
