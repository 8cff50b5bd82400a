/// The two cache headers every library answer carries.
public enum CacheHeader {
    /// nginx's cache status (`$upstream_cache_status`), or `OFF`.
    public static let outer = "X-Cache-Outer"
    /// The pool's inner cache: `HIT`, `MISS`, `OFF`; `-` when nginx answered.
    public static let inner = "X-Cache-Inner"
}

/// `X-Cache-Inner` as a worker writes it.
public enum InnerCacheStatus: String, Sendable {
    case hit = "HIT", miss = "MISS", off = "OFF"
}

/// What the two cache headers of one answer say.
public struct CacheStatus: Sendable, Hashable {
    /// `X-Cache-Outer`: nginx's cache status, `OFF`, or `""` when absent.
    public var outer: String
    /// `X-Cache-Inner`: `HIT`, `MISS`, `OFF`, `-` (served by nginx), or `""`.
    public var inner: String

    public init(outer: String, inner: String) {
        self.outer = outer
        self.inner = inner
    }

    /// From an answer's headers (`header(name)` finds one by name, any case).
    public init(header: (String) -> String?) {
        self.init(outer: header(CacheHeader.outer) ?? "", inner: header(CacheHeader.inner) ?? "")
    }

    /// nginx answered from its cache: the request never reached a worker.
    public var outerHit: Bool { ["HIT", "STALE", "UPDATING", "REVALIDATED"].contains(outer) }
    /// The outer layer was on and passed the request on to a worker.
    public var outerMiss: Bool { ["MISS", "EXPIRED", "BYPASS"].contains(outer) }
    public var outerOff: Bool { outer == "OFF" }

    /// A worker answered (whatever the outer layer did).
    public var reachedWorker: Bool { !outerHit }
    public var innerHit: Bool { reachedWorker && inner == "HIT" }
    public var innerMiss: Bool { reachedWorker && inner == "MISS" }
    public var innerOff: Bool { reachedWorker && inner == "OFF" }
}
