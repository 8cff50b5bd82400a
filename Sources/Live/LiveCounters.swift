import JSON
import Support
import Vocabulary

/// Both cache layers per endpoint, from nginx's access log: since the live
/// view started, and per second for the last `window` seconds (by when
/// nginx finished each request, so lines flushed late still land in their
/// second). One process owns them (`airwave live`): no locks.
public final class LiveCounters {
    /// Seconds kept per second: the page's chart spans them.
    public static let window = 300

    public let startedAt: Int64
    public private(set) var totals = [LayerCounts](repeating: LayerCounts(), count: Endpoint.allCases.count)
    /// Lines of the log that named a library endpoint, that named none
    /// (pages, system endpoints), and that were not of the log's shape.
    public private(set) var lines = 0, otherLines = 0, unparsed = 0
    /// Counted in the totals only: older than the window when read.
    public private(set) var late = 0
    /// Ring of seconds: `second[i]` is which second `counts[i]` holds.
    private var second = [Int64](repeating: -1, count: window)
    private var counts = [[LayerCounts]](repeating: [LayerCounts](repeating: LayerCounts(), count: Endpoint.allCases.count), count: window)
    /// Wall-clock milliseconds; tests move it.
    private let now: () -> Int64

    public init(now: @escaping () -> Int64 = { SystemClock.wallMilliseconds() }) {
        self.now = now
        startedAt = now()
    }

    /// One line of the log, as read.
    public func record(_ bytes: some Collection<UInt8>) {
        guard let line = AccessLogLine(bytes) else { unparsed += 1; return }
        record(line)
    }

    public func record(_ line: AccessLogLine) {
        guard let endpoint = line.endpoint else { otherLines += 1; return }
        lines += 1
        let index = Int(endpoint.index)
        totals[index].add(line)
        let at = (line.milliseconds ?? now()) / 1000
        let newest = now() / 1000
        guard at > newest - Int64(Self.window), at <= newest + 5 else { late += 1; return }
        let slot = Int(at % Int64(Self.window))
        if second[slot] != at {
            guard second[slot] < at else { late += 1; return }
            second[slot] = at
            counts[slot] = [LayerCounts](repeating: LayerCounts(), count: Endpoint.allCases.count)
        }
        counts[slot][index].add(line)
    }

    /// One endpoint's counts over the last `seconds` whole seconds.
    public func recent(_ endpoint: Endpoint, seconds: Int) -> LayerCounts {
        let newest = now() / 1000
        return (0..<min(seconds, Self.window)).reduce(LayerCounts()) { sum, back in
            let at = newest - 1 - Int64(back)
            let slot = Int(at % Int64(Self.window))
            return second[slot] == at ? sum + counts[slot][Int(endpoint.index)] : sum
        }
    }

    /// Every endpoint's counts in second `at` (none if not kept).
    func counts(at: Int64) -> LayerCounts {
        let slot = Int(at % Int64(Self.window))
        guard at >= 0, second[slot] == at else { return LayerCounts() }
        return counts[slot].reduce(LayerCounts(), +)
    }

    /// `GET /api/v1/system/live`: per endpoint and in total, since the start
    /// and over the last minute, and the last `window` seconds one by one
    /// (the last whole second last).
    public func json(outerCache: OuterCacheControl.State, follower: AccessLogFollower?) -> [UInt8] {
        let nowMs = now(), newest = nowMs / 1000
        var json = JSONWriter(capacity: 64 << 10)
        json.beginObject()
        json.field("started_at", SystemClock.isoTime(startedAt))
        json.field("now_ms", nowMs)
        json.name("outer_cache")
        outerCache.write(to: &json)
        json.name("access_log")
        json.beginObject()
        json.field("path", follower?.path)
        json.field("following", follower?.isFollowing ?? false)
        json.field("lines", lines)
        json.field("other_lines", otherLines)
        json.field("unparsed", unparsed)
        json.field("late", late)
        json.endObject()
        json.name("endpoints")
        json.beginObject()
        for endpoint in Endpoint.allCases {
            json.key(endpoint.rawValue)
            write(total: totals[Int(endpoint.index)], lastMinute: recent(endpoint, seconds: 60), to: &json)
        }
        json.endObject()
        json.name("total")
        write(total: totals.reduce(LayerCounts(), +),
              lastMinute: Endpoint.allCases.map { recent($0, seconds: 60) }.reduce(LayerCounts(), +), to: &json)
        json.name("seconds")
        json.beginArray()
        for at in (newest - Int64(Self.window))..<newest {
            let c = counts(at: at)
            json.beginArray()
            for value in [at, Int64(c.requests), Int64(c.outerHits), Int64(c.outerMisses), Int64(c.innerHits), Int64(c.innerMisses)] {
                json.value(value)
            }
            json.endArray()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    private func write(total: LayerCounts, lastMinute: LayerCounts, to json: inout JSONWriter) {
        json.beginObject()
        json.name("since_start")
        total.write(to: &json)
        json.name("last_minute")
        lastMinute.write(to: &json)
        json.endObject()
    }
}
