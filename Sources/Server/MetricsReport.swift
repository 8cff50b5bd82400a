import Cache
import Pool
import Vocabulary

#if canImport(Glibc)
import Glibc
#endif

/// `GET /api/v1/system/metrics`: the pool in Prometheus's text format, from
/// what every worker can read: the scoreboard (requests and their latency by
/// route and status class, workers, restarts), the inner cache's counters,
/// /proc (memory, CPU) and the database file. The outer layer is nginx's
/// own and the pool never sees its hits: its numbers are the live view's
/// (`/api/v1/system/live`, from nginx's access log), not here.
public enum MetricsReport {
    public static func text(_ scoreboard: Scoreboard, cache: SharedCache?, database: String) -> [UInt8] {
        let s = scoreboard.snapshot()
        var out = Exposition()
        requests(scoreboard, to: &out)
        innerCache(cache, to: &out)
        pool(s, to: &out)
        resources(s, scoreboard: scoreboard, to: &out)
        self.database(database, cache: cache, to: &out)
        return Array(out.text.utf8)
    }

    static let statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"]

    /// Per route and status class: a counter and a latency histogram, for
    /// those that have had a request, and always for each library endpoint's
    /// 2xx and 5xx, so the alerts' rates start at zero, not at a first error.
    static func requests(_ scoreboard: Scoreboard, to out: inout Exposition) {
        let series = Route.allCases.flatMap { route in
            statusClasses.indices.map { (route, $0, scoreboard.latency(route: route.index, statusClass: $0)) }
        }.filter { route, code, latency in
            if case .library = route, code == 1 || code == 4 { return true }
            return latency.count > 0
        }
        out.family("airwave_requests_total", .counter, "Requests the pool's workers answered, by endpoint (system, other: the rest) and status class.")
        for (route, code, latency) in series {
            out.sample("airwave_requests_total", ["endpoint": route.label, "code": statusClasses[code]], Double(latency.count))
        }
        out.family("airwave_request_duration_seconds", .histogram, "Time a worker took to answer a request (not nginx's, not the write), by endpoint and status class.")
        for (route, code, latency) in series {
            out.histogram("airwave_request_duration_seconds", [("endpoint", route.label), ("code", statusClasses[code])],
                          bounds: Scoreboard.latencyBounds, cumulative: latency.cumulative, count: latency.count, sum: latency.sumSeconds)
        }
    }

    /// The pool's one inner cache: per endpoint, with its bounds.
    static func innerCache(_ cache: SharedCache?, to out: inout Exposition) {
        let counters = cache?.counters() ?? [:]
        out.single("airwave_inner_cache_enabled", .gauge, "1 when the pool's inner cache is on.", cache == nil ? 0 : 1)
        let perEndpoint: [(String, Exposition.Kind, String, (CacheCounters) -> UInt64)] = [
            ("airwave_inner_cache_hits_total", .counter, "Inner cache lookups that found a body.", { $0.hits }),
            ("airwave_inner_cache_misses_total", .counter, "Inner cache lookups that found none.", { $0.misses }),
            ("airwave_inner_cache_evictions_total", .counter, "Entries evicted (least recently used) to stay within the bounds.", { $0.evictions }),
            ("airwave_inner_cache_expirations_total", .counter, "Entries dropped when their TTL had passed.", { $0.expirations }),
            ("airwave_inner_cache_entries", .gauge, "Entries held now.", { $0.entries }),
            ("airwave_inner_cache_bytes", .gauge, "Bytes of keys and bodies held now.", { $0.bytes }),
        ]
        for (name, kind, help, value) in perEndpoint {
            out.family(name, kind, help + " By endpoint.")
            for endpoint in Endpoint.allCases { out.sample(name, ["endpoint": endpoint.rawValue], Double(value(counters[endpoint] ?? CacheCounters()))) }
        }
        out.single("airwave_inner_cache_max_entries", .gauge, "The bound on entries, for the whole pool.", Double(cache?.configuration.maxEntries ?? 0))
        out.single("airwave_inner_cache_max_bytes", .gauge, "The bound on bytes of keys and bodies, for the whole pool.", Double(cache?.configuration.maxBytes ?? 0))
        out.single("airwave_inner_cache_recoveries_total", .counter, "Times the cache was emptied because a worker died holding its lock.", Double(cache?.recoveries ?? 0))
        out.single("airwave_inner_cache_lock_timeouts_total", .counter, "Times a worker gave up waiting for the cache's lock.", Double(cache?.lockTimeouts ?? 0))
    }

    static func pool(_ s: Scoreboard.Snapshot, to out: inout Exposition) {
        out.family("airwave_workers", .gauge, "Worker slots by state.")
        for state in [WorkerState.starting, .idle, .reading, .busy, .exiting, .empty] {
            out.sample("airwave_workers", ["state": state.rawValue], Double(s.workers.filter { $0.state == state }.count))
        }
        out.single("airwave_worker_restarts_total", .counter, "Workers started to replace one that exited.", Double(s.restarts))
        out.single("airwave_accepted_requests_total", .counter, "Requests the workers read (answered or in progress).", Double(s.accepted))
        out.family("airwave_dropped_connections_total", .counter, "Connections closed without an answer, by reason.")
        out.sample("airwave_dropped_connections_total", ["reason": "read_timeout"], Double(s.readTimeouts))
        out.sample("airwave_dropped_connections_total", ["reason": "malformed"], Double(s.malformed))
        out.sample("airwave_dropped_connections_total", ["reason": "refused"], Double(s.refused))
        out.single("airwave_start_time_seconds", .gauge, "When the pool (this scoreboard: a reload starts a new one) started, Unix time.",
                   Double(s.startedAtMilliseconds) / 1000)
    }

    /// Memory and CPU of the master and its live workers, and the room they have.
    static func resources(_ s: Scoreboard.Snapshot, scoreboard: Scoreboard, to out: inout Exposition) {
        let exitedCPU = scoreboard.exitedWorkersCPUSeconds
        let pids = [s.masterPID] + s.workers.map(\.pid).filter { $0 != 0 }
        // Every process's own pages, and the shared memory once: all of them map the same.
        let memory = pids.compactMap(ProcessStats.memory)
        out.single("airwave_resident_memory_bytes", .gauge,
                   "Memory the master and its workers hold that the kernel cannot drop: each one's own (RssAnon of /proc/PID/status), and the shared cache and facts once (the most RssShmem any of them has); the database's pages are page cache, not counted.",
                   memory.map(\.anonymous).reduce(0, +) + (memory.map(\.shared).max() ?? 0))
        out.single("airwave_memory_limit_bytes", .gauge, "The memory the pool may use: its cgroup's memory.max, else the machine's MemTotal.",
                   ProcessStats.memoryLimitBytes() ?? 0)
        out.single("airwave_cpu_seconds_total", .counter,
                   "User and system CPU time of the master and its workers, those that exited included (/proc/PID/stat, rusage).",
                   scoreboard.reportedCPUSeconds(pids.compactMap(ProcessStats.cpuSeconds).reduce(exitedCPU, +)))
        out.single("airwave_cpu_cores", .gauge, "The CPUs the pool may use: its cgroup's cpu.max quota, else the CPUs it may run on.",
                   ProcessStats.cores())
    }

    /// Which database file the pool serves, and which contents: SQLite's
    /// `PRAGMA data_version` belongs to one connection, so what identifies
    /// the contents for every worker is the file (a replica renamed over it
    /// is a new inode; a write in place moves its mtime and size) and the
    /// inner cache's epoch, which moves whenever a worker sees the file
    /// changed (or starts, or the cache is cleared).
    static func database(_ path: String, cache: SharedCache?, to out: inout Exposition) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        out.single("airwave_database_inode", .gauge, "The database file's inode: a new file renamed over the path changes it.", Double(info.st_ino))
        out.single("airwave_database_size_bytes", .gauge, "The database file's size.", Double(info.st_size))
        out.single("airwave_database_modified_time_seconds", .gauge, "The database file's mtime, Unix time.",
                   Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        if let cache {
            out.single("airwave_inner_cache_epoch", .gauge, "The inner cache's epoch: moves when a worker sees the database changed, starts, or the cache is cleared.",
                       Double(cache.epoch))
        }
    }
}
