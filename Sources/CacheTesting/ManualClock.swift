import Support
import Synchronization

/// Time that only moves when a test says so: TTL tests never sleep. The
/// shared cache reads it as CLOCK_MONOTONIC nanoseconds (`source`).
public final class ManualClock: Sendable {
    private let nanoseconds = Atomic<UInt64>(1_000_000_000)

    public init() {}

    public var now: UInt64 { nanoseconds.load(ordering: .relaxed) }

    public func advance(by duration: Duration) {
        nanoseconds.add(UInt64(duration.nanoseconds), ordering: .relaxed)
    }

    /// What the cache calls for the time.
    public var source: @Sendable () -> UInt64 { { [self] in now } }
}
