import Traffic

/// The pool's counters over a run next to what the headers said.
public struct PoolCheck: Sendable {
    public var lines: [String] = []
    public var agrees = true
    /// Requests of the run the pool accepted (nil when the pool was reloaded).
    public var accepted: Int?

    /// `before` and `after` read around the run, with nothing else between.
    public init(before: PoolCounters, after: PoolCounters, observations: [Observation]) {
        if before.poolStarted != after.poolStarted {
            lines.append("⚠ the pool was reloaded or restarted during the run (it started at \(before.poolStarted), now \(after.poolStarted)): "
                         + "its request count started again, so it cannot be compared")
            agrees = false
            return
        }
        // The run's own requests that reached a worker, and the two readings after it (of each host).
        let reached = observations.filter { $0.cache.reachedWorker }.count
        let accepted = after.accepted - before.accepted - 2 * after.pools
        self.accepted = accepted
        compare("requests that reached a worker", pool: accepted, headers: reached)
        for name in Set(analysedTemplates.map(\.cacheStatsName)).sorted() {
            let mine = observations.filter { $0.template.cacheStatsName == name }
            compare("\(name) inner hits", pool: (after.hits[name] ?? 0) - (before.hits[name] ?? 0),
                    headers: mine.filter { $0.cache.innerHit }.count)
            compare("\(name) inner misses", pool: (after.misses[name] ?? 0) - (before.misses[name] ?? 0),
                    headers: mine.filter { $0.cache.innerMiss }.count)
        }
        if agrees { lines.insert("✓ the pool's counters agree with the headers (\(reached) requests reached a worker)", at: 0) }
    }

    private mutating func compare(_ what: String, pool: Int, headers: Int) {
        guard pool != headers else { return }
        agrees = false
        lines.append("✗ \(what): the pool counted \(pool), the headers said \(headers)"
                     + (pool > headers ? " (other clients were using the server at the same time?)" : ""))
    }
}
