import Cache
import JSON
import Pool
import Support
import Vocabulary

#if canImport(Glibc)
import Glibc
#endif

/// The pool's state, rendered: `GET /api/v1/system/status` and
/// `cache/stats` as JSON, `airwave status` as text. The one place status
/// becomes words.
public enum StatusReport {
    /// `GET /api/v1/system/status`.
    public static func json(_ s: Scoreboard.Snapshot, now: Int64 = SystemClock.wallMilliseconds()) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("master_pid", Int64(s.masterPID))
        json.field("started_at", SystemClock.isoTime(s.startedAtMilliseconds))
        json.field("uptime_seconds", (now - s.startedAtMilliseconds) / 1000)
        json.field("accepted_requests", Int64(s.accepted))
        json.field("restarts", Int64(s.restarts))
        json.field("max_busy_workers", Int64(s.maxBusy))
        json.field("all_busy_count", Int64(s.allBusy))
        json.field("read_timeouts", Int64(s.readTimeouts))
        json.field("malformed_connections", Int64(s.malformed))
        json.field("refused_connections", Int64(s.refused))
        json.field("busy_workers", s.busy)
        json.name("workers")
        json.beginArray()
        for worker in s.workers {
            json.beginObject()
            json.field("slot", worker.slot)
            json.field("pid", Int64(worker.pid))
            json.field("state", worker.state.rawValue)
            json.field("requests", Int64(worker.requests))
            json.field("started_at", worker.pid == 0 ? nil : SystemClock.isoTime(worker.startedAtMilliseconds))
            json.field("last_request_ms", Double(worker.lastDurationMicroseconds) / 1000)
            json.name("current_request")
            if let path = worker.currentPath, let elapsed = worker.currentElapsedMilliseconds {
                json.beginObject()
                json.field("path", path)
                json.field("elapsed_ms", elapsed)
                json.endObject()
            } else {
                json.null()
            }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    /// `GET /api/v1/system/cache/stats`: the pool's cache counters per
    /// endpoint and in total, with its bounds, and how many workers share it.
    public static func cacheStatsJSON(_ cache: SharedCache?, workers: Int) -> [UInt8] {
        let counters = cache?.counters() ?? [:]
        var json = JSONWriter()
        json.beginObject()
        json.field("workers", workers)
        json.field("inner_cache", cache != nil)
        json.field("max_entries", cache?.configuration.maxEntries ?? 0)
        json.field("max_bytes", cache?.configuration.maxBytes ?? 0)
        json.field("recoveries", Int64(cache?.recoveries ?? 0))
        json.field("lock_timeouts", Int64(cache?.lockTimeouts ?? 0))
        json.name("endpoints")
        json.beginObject()
        for endpoint in Endpoint.allCases { write(counters[endpoint] ?? CacheCounters(), as: endpoint.rawValue, to: &json) }
        json.endObject()
        write(counters.values.reduce(CacheCounters(), +), as: "total", to: &json)
        json.endObject()
        return json.bytes
    }

    private static func write(_ c: CacheCounters, as name: String, to json: inout JSONWriter) {
        json.key(name)
        json.beginObject()
        json.field("hits", Int64(c.hits))
        json.field("misses", Int64(c.misses))
        json.field("hit_rate", c.hitRate)
        json.field("entries", Int64(c.entries))
        json.field("bytes", Int64(c.bytes))
        json.field("evictions", Int64(c.evictions))
        json.field("expirations", Int64(c.expirations))
        json.endObject()
    }

    /// `airwave status`: the pool, its workers and, when the pool's memory
    /// can be read from here, its inner cache's totals.
    public static func text(_ s: Scoreboard.Snapshot, cache: [Endpoint: CacheCounters]?, cacheOn: Bool,
                            now: Int64 = SystemClock.wallMilliseconds()) -> String {
        let masterAlive = kill(s.masterPID, 0) == 0
        var lines = [
            "pool \(s.masterPID)\(masterAlive ? "" : " (NOT RUNNING: stale scoreboard)"), up \(duration(now - s.startedAtMilliseconds)) since \(SystemClock.isoTime(s.startedAtMilliseconds)), \(s.workers.count) workers, \(s.busy) busy",
            "accepted \(s.accepted) requests, \(s.restarts) restarts, at most \(s.maxBusy) of \(s.workers.count) busy at once, all busy \(s.allBusy) times",
        ]
        if s.refused > 0 {
            lines.append("refused: \(s.refused) TCP connections from addresses not allowed (--allow-from)")
        }
        if s.readTimeouts + s.malformed > 0 {
            lines.append("closed without an answer: \(s.readTimeouts) connections that sent no whole request in time, \(s.malformed) that were not FastCGI")
        }
        if masterAlive {
            if let cache {
                let total = cache.values.reduce(CacheCounters(), +)
                let rate = total.hitRate.map(Format.percent) ?? "-"
                lines.append("inner cache: \(total.entries) entries, \(total.bytes) bytes; \(total.hits) hits, \(total.misses) misses (\(rate)), \(total.evictions) evictions, \(total.expirations) expirations")
            } else {
                lines.append(cacheOn ? "inner cache: cannot be read from here (it is the pool's user's)" : "inner cache: off")
            }
        }
        lines.append(row(["slot", "pid", "state", "requests", "last ms", "up", "current request"]))
        for w in s.workers {
            let since = w.currentElapsedMilliseconds ?? 0
            let current = w.currentPath.map { "\($0) (\(since) ms)" } ?? (w.state == .reading ? "(reading for \(since) ms)" : "")
            let up = w.pid == 0 ? "" : duration(now - w.startedAtMilliseconds)
            let last = String(Double(w.lastDurationMicroseconds / 10) / 100)
            lines.append(row(["\(w.slot)", "\(w.pid)", w.state.rawValue, "\(w.requests)", last, up, current]))
        }
        return lines.joined(separator: "\n")
    }

    static func row(_ cells: [String]) -> String {
        let widths = [5, 8, 8, 10, 9, 9, 0]
        return zip(cells, widths).map { cell, width in
            width == 0 || cell.count >= width ? cell : cell + String(repeating: " ", count: width - cell.count)
        }.joined(separator: " ")
    }

    static func duration(_ milliseconds: Int64) -> String {
        let s = milliseconds / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        return "\(s / 3600)h\((s % 3600) / 60)m"
    }
}
