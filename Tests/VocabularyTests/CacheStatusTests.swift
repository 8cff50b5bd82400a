import Testing
import Vocabulary

/// What the two cache headers mean, as the tools read them.
@Suite struct CacheStatusTests {
    @Test func cacheStatusesFromHeaders() {
        let hit = CacheStatus(outer: "HIT", inner: "-")
        #expect(hit.outerHit && !hit.reachedWorker && !hit.innerHit && !hit.innerMiss)
        let passed = CacheStatus(outer: "MISS", inner: "HIT")
        #expect(passed.outerMiss && passed.reachedWorker && passed.innerHit)
        let off = CacheStatus(outer: "OFF", inner: "MISS")
        #expect(off.outerOff && !off.outerMiss && off.reachedWorker && off.innerMiss)
        #expect(CacheStatus(outer: "STALE", inner: "-").outerHit && CacheStatus(outer: "EXPIRED", inner: "MISS").outerMiss)
    }

    @Test func readFromHeadersByName() {
        let headers = ["X-Cache-Outer": "MISS", "X-Cache-Inner": "HIT"]
        #expect(CacheStatus { headers[$0] } == CacheStatus(outer: "MISS", inner: "HIT"))
        #expect(CacheStatus { _ in nil } == CacheStatus(outer: "", inner: ""))
        #expect(InnerCacheStatus.allCasesRaw == ["HIT", "MISS", "OFF"])
    }
}

extension InnerCacheStatus {
    static var allCasesRaw: [String] { [InnerCacheStatus.hit, .miss, .off].map(\.rawValue) }
}
