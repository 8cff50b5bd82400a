import JSON
import Vocabulary

/// What some requests' access-log lines say about both cache layers, as
/// `cache-analysis` reads the same statuses from the headers: the outer
/// layer asked about every request, the inner one only about those that
/// reached a worker.
public struct LayerCounts: Sendable, Equatable {
    public var requests = 0
    /// Served by nginx's cache (HIT, STALE, UPDATING, REVALIDATED).
    public var outerHits = 0
    /// Passed on by nginx's cache (MISS, EXPIRED, BYPASS).
    public var outerMisses = 0
    /// The outer layer was off.
    public var outerOff = 0
    public var innerHits = 0
    public var innerMisses = 0
    public var innerOff = 0
    /// Answers of 500 or more.
    public var serverErrors = 0

    public init() {}

    public mutating func add(_ line: AccessLogLine) {
        requests += 1
        let cache = line.cache
        if cache.outerHit { outerHits += 1 } else if cache.outerMiss { outerMisses += 1 } else if cache.outerOff { outerOff += 1 }
        if cache.innerHit { innerHits += 1 } else if cache.innerMiss { innerMisses += 1 } else if cache.innerOff { innerOff += 1 }
        if line.status >= 500 { serverErrors += 1 }
    }

    public static func + (a: LayerCounts, b: LayerCounts) -> LayerCounts {
        var sum = a
        sum.requests += b.requests
        sum.outerHits += b.outerHits
        sum.outerMisses += b.outerMisses
        sum.outerOff += b.outerOff
        sum.innerHits += b.innerHits
        sum.innerMisses += b.innerMisses
        sum.innerOff += b.innerOff
        sum.serverErrors += b.serverErrors
        return sum
    }

    /// Hits over hits and misses, or nil when the layer was never asked.
    public var outerHitRate: Double? { Self.rate(outerHits, outerMisses) }
    public var innerHitRate: Double? { Self.rate(innerHits, innerMisses) }

    static func rate(_ hits: Int, _ misses: Int) -> Double? { hits + misses == 0 ? nil : Double(hits) / Double(hits + misses) }

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("requests", requests)
        json.field("outer_hits", outerHits)
        json.field("outer_misses", outerMisses)
        json.field("outer_off", outerOff)
        json.field("inner_hits", innerHits)
        json.field("inner_misses", innerMisses)
        json.field("inner_off", innerOff)
        json.field("server_errors", serverErrors)
        json.field("outer_hit_rate", outerHitRate)
        json.field("inner_hit_rate", innerHitRate)
        json.endObject()
    }
}
