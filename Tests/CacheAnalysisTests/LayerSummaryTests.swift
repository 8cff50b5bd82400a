import Testing
import Traffic
@testable import CacheAnalysis
import Vocabulary

@Suite struct LayerSummaryTests {
    static func observation(_ outer: String, _ inner: String, ms: Double, _ template: Template = .artist) -> Observation {
        Observation(template: template, target: "/x", status: 200, nanoseconds: UInt64(ms * 1e6), cache: CacheStatus(outer: outer, inner: inner))
    }

    @Test func theOuterLayerIsJudgedOnEveryRequestTheInnerOnlyOnThoseThatReachedAWorker() {
        // 6 outer hits (1 ms), 3 outer misses of which 1 inner hit (4 ms) and 2 inner misses (10, 20 ms),
        // 1 outer EXPIRED + inner miss (30 ms).
        let list = Array(repeating: Self.observation("HIT", "-", ms: 1), count: 6)
            + [Self.observation("MISS", "HIT", ms: 4), Self.observation("MISS", "MISS", ms: 10),
               Self.observation("MISS", "MISS", ms: 20), Self.observation("EXPIRED", "MISS", ms: 30)]
        let outer = LayerSummary(.outer, list)
        #expect(outer.enabled && outer.requests == 10 && outer.hits == 6 && outer.misses == 4)
        #expect(outer.hitRate == 0.6)
        #expect(outer.avgHit == 1 && outer.p50Hit == 1)
        #expect(outer.avgMiss == 16 && outer.p50Miss == 15)           // (4+10+20+30)/4, median of 4,10,20,30
        #expect(outer.speedup == 16)
        #expect(outer.effective == 7)                                  // (6+64)/10
        #expect(outer.bestHitRate == 0.9)                              // one URL: only its first request must miss
        let inner = LayerSummary(.inner, list)
        #expect(inner.enabled && inner.requests == 4 && inner.hits == 1 && inner.misses == 3)
        #expect(inner.bestHitRate == 0.75)
        #expect(inner.hitRate == 0.25)
        #expect(inner.avgHit == 4 && inner.avgMiss == 20 && inner.p50Miss == 20 && inner.speedup == 5)
        #expect(inner.effective == 16)
    }

    @Test func theBestRateCountsEachDistinctURLsFirstRequestAsAMiss() {
        func seen(_ target: String) -> Observation {
            Observation(template: .work, target: target, status: 200, nanoseconds: 1, cache: CacheStatus(outer: "OFF", inner: "MISS"))
        }
        let list = ["/a", "/b", "/a", "/a", "/c", "/b", "/a", "/d"].map(seen)  // 4 distinct in 8
        #expect(LayerSummary(.outer, list).bestHitRate == 0.5 && LayerSummary(.inner, list).bestHitRate == 0.5)
        #expect(LayerSummary(.inner, []).bestHitRate == nil)
    }

    @Test func aLayerThatSaysOffIsOff() {
        let list = [Self.observation("OFF", "OFF", ms: 1), Self.observation("OFF", "OFF", ms: 3)]
        let outer = LayerSummary(.outer, list), inner = LayerSummary(.inner, list)
        #expect(!outer.enabled && !inner.enabled && outer.hitRate == nil && inner.hitRate == nil)
        #expect(outer.effective == 2)
        // Every request answered by nginx: the inner layer was asked nothing.
        let served = LayerSummary(.inner, [Self.observation("HIT", "-", ms: 1)])
        #expect(served.requests == 0 && served.hitRate == nil && served.enabled)
        #expect(Recommendations.lines(.work, .inner, served, outerInFront: true) == ["- GET /works/{id} [inner]: no request reached this layer (the outer layer answered them all)"])
    }

    @Test func theSeedsThresholds() {
        #expect(Recommendations.hitRate(0.85).word == "Excellent" && Recommendations.hitRate(0.72).word == "Good")
        #expect(Recommendations.hitRate(0.5).word == "Fair" && Recommendations.hitRate(0.39).word == "Poor")
        #expect(Recommendations.hitRate(0.8).word == "Good" && Recommendations.hitRate(0.6).word == "Good" && Recommendations.hitRate(0.4).word == "Fair")
        #expect(Recommendations.speedup(50.8).word == "good" && Recommendations.speedup(15).word == "warning" && Recommendations.speedup(9.9).word == "poor")
        let list = Array(repeating: Self.observation("HIT", "-", ms: 0.1), count: 17) + Array(repeating: Self.observation("MISS", "MISS", ms: 5), count: 3)
        let lines = Recommendations.lines(.artist, .outer, LayerSummary(.outer, list), outerInFront: true)
        #expect(lines == ["✓ GET /artists/{id} [outer]: Excellent hit rate (85.0%), above the 80.0% target (users browse the same artists repeatedly)",
                          "  ✓ speedup 50.0x is good (good > 20x, poor < 10x)"])
        // Behind an outer layer, the inner one is not held to the endpoint's target.
        let inner = Recommendations.lines(.artist, .inner, LayerSummary(.inner, list), outerInFront: true)
        #expect(inner == ["ℹ GET /artists/{id} [inner]: Poor hit rate (0.0%) behind the outer layer"])
        let alone = Recommendations.lines(.work, .inner, LayerSummary(.inner, list.map {
            Self.observation("OFF", $0.cache.outerHit ? "HIT" : "MISS", ms: 1) }), outerInFront: false)
        #expect(alone == ["✓ GET /works/{id} [inner]: Excellent hit rate (85.0%), above the 80.0% target (work details rarely change)",
                          "  ✗ speedup 1.0x is poor (good > 20x, poor < 10x)"])
    }
}
