import CSupport

/// The pool-wide request counts and latency histograms (per route and
/// status class) and the CPU time of workers gone: in the scoreboard,
/// because a worker's own memory dies with it and each scrape is answered
/// by one worker that must see them all.
extension Scoreboard {
    /// Routes and status classes the board keeps a histogram for.
    public static let routes = Int(AIRWAVE_METRIC_ROUTES)
    public static let statusClasses = Int(AIRWAVE_METRIC_CLASSES)

    /// The histograms' upper bounds, in seconds (without +Inf).
    public static let latencyBounds: [Double] = withUnsafeBytes(of: airwave_metric_bucket_bounds_us) { raw in
        raw.bindMemory(to: Int64.self).map { Double($0) / 1_000_000 }
    }

    /// One route's and status class's requests, as read.
    public struct Latency: Sendable, Equatable {
        /// Requests at or below each of `latencyBounds`, cumulative; `count` is the +Inf bucket.
        public var cumulative: [UInt64]
        public var count: UInt64
        public var sumSeconds: Double
    }

    /// Counts one answered request: `route` below `routes`, `statusClass`
    /// 0 for 1xx up to 4 for 5xx.
    public func observe(route: Int, statusClass: Int, microseconds: Int64) {
        airwave_scoreboard_observe(board, UInt32(route), UInt32(statusClass), microseconds)
    }

    /// The histogram of `route` and `statusClass`.
    public func latency(route: Int, statusClass: Int) -> Latency {
        withUnsafeMutablePointer(to: &board.pointee.latency) { table in
            table.withMemoryRebound(to: airwave_latency.self, capacity: Self.routes * Self.statusClasses) { all in
                let cell = all + (route * Self.statusClasses + statusClass)
                let buckets = withUnsafeMutablePointer(to: &cell.pointee.buckets) { tuple in
                    tuple.withMemoryRebound(to: UInt64.self, capacity: Self.latencyBounds.count + 1) { first in
                        (0...Self.latencyBounds.count).map { airwave_loadu64(first + $0) }
                    }
                }
                var running: UInt64 = 0
                let cumulative = buckets.map { running += $0; return running }
                return Latency(cumulative: Array(cumulative.dropLast()), count: running,
                               sumSeconds: Double(airwave_loadu64(&cell.pointee.sum_us)) / 1_000_000)
            }
        }
    }

    /// User and system CPU seconds of the workers that exited (the live
    /// ones' are in /proc).
    public var exitedWorkersCPUSeconds: Double { Double(airwave_loadu64(&board.pointee.exited_cpu_us)) / 1_000_000 }

    func addExitedCPU(microseconds: UInt64) { airwave_addu64(&board.pointee.exited_cpu_us, microseconds) }

    /// The pool's CPU seconds to report, given what a scrape summed: never
    /// less than a scrape reported before. A worker reaped between the
    /// reading of `exitedWorkersCPUSeconds` and of its /proc is in neither,
    /// and a counter that goes down reads as a reset to Prometheus (a spike
    /// in `rate`).
    public func reportedCPUSeconds(_ summed: Double) -> Double {
        Double(airwave_maxu64(&board.pointee.reported_cpu_us, UInt64(max(0, summed) * 1_000_000))) / 1_000_000
    }
}
