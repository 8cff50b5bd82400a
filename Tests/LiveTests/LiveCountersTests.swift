import Foundation
import Live
import Testing
import Vocabulary

/// Both layers counted from log lines: per endpoint since the start, per
/// second in the window, by when nginx finished each request.
@Suite struct LiveCountersTests {
    final class Clock: @unchecked Sendable { var ms: Int64 = 1_795_831_800_000 }

    static func line(_ endpoint: Endpoint?, _ outer: String, _ inner: String, at ms: Int64, status: Int = 200) -> String {
        let seconds = ms / 1000, fraction = ms % 1000
        return #"127.0.0.1 [x] "GET /p HTTP/1.1" \#(status) 5 outer=\#(outer) inner=\#(inner) upstream_time=0.001 request_time=0.001 "#
            + #"endpoint=\#(endpoint?.rawValue ?? "-") msec=\#(seconds).\#(String(format: "%03d", fraction)) agent="t""#
    }

    @Test func perEndpointSinceTheStartAndInTheLastMinute() throws {
        let clock = Clock()
        let counters = LiveCounters(now: { clock.ms })
        let t = clock.ms
        for (endpoint, outer, inner, at) in [(Endpoint.artist, "MISS", "MISS", t - 90_000), (.artist, "HIT", "-", t - 30_000),
                                             (.artist, "MISS", "HIT", t - 2_000), (.work, "OFF", "MISS", t - 1_500),
                                             (.work, "OFF", "HIT", t - 1_400)] {
            counters.record(Array(Self.line(endpoint, outer, inner, at: at).utf8))
        }
        counters.record(Array(Self.line(nil, "OFF", "-", at: t).utf8))  // a page or a system endpoint
        counters.record(Array("garbage".utf8))
        let artist = counters.totals[Int(Endpoint.artist.index)]
        #expect(artist.requests == 3 && artist.outerHits == 1 && artist.outerMisses == 2 && artist.innerHits == 1 && artist.innerMisses == 1)
        #expect(artist.outerHitRate == 1.0 / 3 && artist.innerHitRate == 0.5)
        let minute = counters.recent(.artist, seconds: 60)
        #expect(minute.requests == 2 && minute.outerHits == 1 && minute.innerHits == 1 && minute.innerMisses == 0)
        let work = counters.recent(.work, seconds: 60)
        #expect(work.requests == 2 && work.outerOff == 2 && work.outerHitRate == nil && work.innerHitRate == 0.5)
        #expect(counters.lines == 5 && counters.otherLines == 1 && counters.unparsed == 1 && counters.late == 0)
    }

    @Test func theWindowMovesOn() throws {
        let clock = Clock()
        let counters = LiveCounters(now: { clock.ms })
        counters.record(Array(Self.line(.artists, "MISS", "MISS", at: clock.ms - 1000).utf8))
        #expect(counters.recent(.artists, seconds: 300).requests == 1)
        clock.ms += 301_000
        #expect(counters.recent(.artists, seconds: 300).requests == 0)
        // A line older than the window: counted since the start, not per second.
        counters.record(Array(Self.line(.artists, "MISS", "MISS", at: clock.ms - 400_000).utf8))
        #expect(counters.late == 1 && counters.totals[Int(Endpoint.artists.index)].requests == 2)
        // A new line in a slot an old second used: the old one's counts go.
        counters.record(Array(Self.line(.artists, "HIT", "-", at: clock.ms - 1000).utf8))
        #expect(counters.recent(.artists, seconds: 300) == { var c = LayerCounts(); c.requests = 1; c.outerHits = 1; return c }())
    }

    @Test func theJSONTheLivePageReads() throws {
        let clock = Clock()
        let counters = LiveCounters(now: { clock.ms })
        counters.record(Array(Self.line(.work, "MISS", "HIT", at: clock.ms - 1000, status: 503).utf8))
        let state = OuterCacheControl.State(state: "on", running: .off, last: (.clear, true))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(counters.json(outerCache: state, follower: nil))) as? [String: Any])
        let seconds = try #require(json["seconds"] as? [[Int]])
        #expect(seconds.count == LiveCounters.window && seconds.last == [Int(clock.ms / 1000) - 1, 1, 0, 1, 1, 0])
        let work = try #require((json["endpoints"] as? [String: Any])?["work"] as? [String: Any])
        let since = try #require(work["since_start"] as? [String: Any])
        #expect(since["requests"] as? Int == 1 && since["server_errors"] as? Int == 1 && since["inner_hit_rate"] as? Double == 1)
        let outer = try #require(json["outer_cache"] as? [String: Any])
        #expect(outer["state"] as? String == "on" && outer["running"] as? String == "off" && outer["last_action"] as? String == "clear")
    }
}
