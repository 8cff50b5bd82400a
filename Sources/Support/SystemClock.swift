#if canImport(Glibc)
import Glibc
#endif

/// The one clock, as PHP-FPM's fpm_clock.c is: CLOCK_MONOTONIC nanoseconds
/// for every duration, deadline and TTL (the same in every process of the
/// pool, never stepped), CLOCK_REALTIME milliseconds for what people read.
public enum SystemClock {
    /// Monotonic nanoseconds.
    @inline(__always)
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Monotonic milliseconds: for elapsed times other processes read.
    public static func milliseconds() -> Int64 { Int64(now() / 1_000_000) }

    /// The monotonic time `duration` from now.
    public static func deadline(after duration: Duration) -> UInt64 { now() + UInt64(max(0, duration.nanoseconds)) }

    /// Sleeps until `deadline` (a `now()` value); at once if it has passed.
    public static func sleep(until deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }

    /// Milliseconds since 1970, for logs and status pages.
    public static func wallMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// `2026-11-27T18:30:00Z`.
    public static func isoTime(_ milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}

extension Duration {
    /// The whole duration in nanoseconds.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// The whole duration in milliseconds.
    public var milliseconds: Int64 { nanoseconds / 1_000_000 }
}
