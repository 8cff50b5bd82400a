import CSupport
import Support

#if canImport(Glibc)
import Glibc
#endif

/// The board at one moment, as the status endpoint and `airwave status`
/// read it: the only place a worker's C state becomes a name.
extension Scoreboard {
    /// One worker as the scoreboard shows it.
    public struct Worker: Sendable, Equatable {
        public var slot: Int
        public var pid: Int32
        public var state: WorkerState
        public var requests: UInt64
        public var startedAtMilliseconds: Int64
        public var lastDurationMicroseconds: Int64
        /// The request in progress (its path), if busy.
        public var currentPath: String?
        /// How long the request in progress (or its reading) has run, in ms.
        public var currentElapsedMilliseconds: Int64?
    }

    /// The whole board at one moment.
    public struct Snapshot: Sendable {
        public var masterPID: Int32
        public var startedAtMilliseconds: Int64
        public var accepted: UInt64
        public var restarts: UInt64
        public var maxBusy: UInt32
        public var allBusy: UInt64
        /// Connections closed without an answer: no whole request in time, or not FastCGI.
        public var readTimeouts: UInt64
        public var malformed: UInt64
        /// TCP connections from an address not allowed: closed at once.
        public var refused: UInt64
        public var workers: [Worker]
        public var busy: Int { workers.filter { $0.state == .busy }.count }
    }

    public func snapshot() -> Snapshot {
        let b = board
        let now = SystemClock.milliseconds()
        let workers = (0..<Int(b.pointee.slot_count)).map { index -> Worker in
            let s = slot(index)
            let state = airwave_load32(&s.pointee.state)
            var current: String?
            if state == Int32(AIRWAVE_SLOT_BUSY.rawValue) { current = currentPath(slot: index) }
            let active = current != nil || state == Int32(AIRWAVE_SLOT_READING.rawValue)
            let elapsed = active ? max(0, now - airwave_load64(&s.pointee.request_started_ms)) : nil
            return Worker(slot: index, pid: airwave_load32(&s.pointee.pid), state: WorkerState(state),
                          requests: airwave_loadu64(&s.pointee.requests), startedAtMilliseconds: airwave_load64(&s.pointee.started_at_ms),
                          lastDurationMicroseconds: airwave_load64(&s.pointee.last_duration_us), currentPath: current,
                          currentElapsedMilliseconds: elapsed)
        }
        return Snapshot(masterPID: b.pointee.master_pid, startedAtMilliseconds: b.pointee.started_at_ms,
                        accepted: airwave_loadu64(&b.pointee.accepted), restarts: airwave_loadu64(&b.pointee.restarts),
                        maxBusy: airwave_loadu32(&b.pointee.max_busy), allBusy: airwave_loadu64(&b.pointee.all_busy),
                        readTimeouts: airwave_loadu64(&b.pointee.read_timeouts), malformed: airwave_loadu64(&b.pointee.malformed),
                        refused: airwave_loadu64(&b.pointee.refused), workers: workers)
    }
}

/// A worker's state, as the scoreboard holds it (`airwave_worker_state`).
public enum WorkerState: String, Sendable {
    /// Forked, not ready yet (opening the database).
    case starting
    /// Waiting for a connection.
    case idle
    /// Reading a request from a connection it accepted.
    case reading
    /// Answering one.
    case busy
    /// Told to stop: finishing, then exiting.
    case exiting
    /// No worker in the slot (between a death and a restart).
    case empty

    init(_ raw: Int32) {
        switch UInt32(raw) {
        case AIRWAVE_SLOT_STARTING.rawValue: self = .starting
        case AIRWAVE_SLOT_IDLE.rawValue: self = .idle
        case AIRWAVE_SLOT_READING.rawValue: self = .reading
        case AIRWAVE_SLOT_BUSY.rawValue: self = .busy
        case AIRWAVE_SLOT_EXITING.rawValue: self = .exiting
        default: self = .empty
        }
    }
}
