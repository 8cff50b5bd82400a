import CSupport
import Support

#if canImport(Glibc)
import Glibc
#endif

/// What the master writes and reads: a worker started, exited, told to
/// stop; whom to kill as hung.
extension Scoreboard {
    func workerStarted(slot index: Int, pid: pid_t, replacing: Bool) {
        let s = slot(index)
        airwave_storeu64(&s.pointee.requests, 0)
        airwave_store64(&s.pointee.last_duration_us, 0)
        airwave_store64(&s.pointee.started_at_ms, SystemClock.wallMilliseconds())
        airwave_store32(&s.pointee.pid, pid)
        airwave_store32(&s.pointee.state, Int32(AIRWAVE_SLOT_STARTING.rawValue))
        if replacing { airwave_addu64(&board.pointee.restarts, 1) }
    }

    /// Whether the slot's worker died before it was ready (a start-up failure).
    func isStarting(slot index: Int) -> Bool {
        airwave_load32(&slot(index).pointee.state) == Int32(AIRWAVE_SLOT_STARTING.rawValue)
    }

    func workerExited(slot index: Int) {
        airwave_store32(&slot(index).pointee.state, Int32(AIRWAVE_SLOT_EMPTY.rawValue))
        airwave_store32(&slot(index).pointee.pid, 0)
    }

    func workerStopping(slot index: Int) {
        airwave_store32(&slot(index).pointee.state, Int32(AIRWAVE_SLOT_EXITING.rawValue))
    }

    func remove() { unlink(path) }

    /// The shared cache's memory, as the master holds it: another process
    /// (`airwave status`) maps it through /proc/MASTER/fd/N.
    public var cacheDescriptor: Int32? {
        get { let fd = airwave_load32(&board.pointee.cache_descriptor); return fd >= 0 ? fd : nil }
        set { airwave_store32(&board.pointee.cache_descriptor, newValue ?? -1) }
    }

    /// Workers running now.
    public var liveWorkers: Int {
        (0..<Int(board.pointee.slot_count)).filter { airwave_load32(&slot($0).pointee.pid) != 0 }.count
    }

    /// When the slot's current request started (monotonic ms), if it is
    /// busy, or when it started reading one, if it is reading.
    func activeSince(slot index: Int) -> (reading: Bool, since: Int64)? {
        let s = slot(index)
        let state = UInt32(airwave_load32(&s.pointee.state))
        guard state == AIRWAVE_SLOT_BUSY.rawValue || state == AIRWAVE_SLOT_READING.rawValue else { return nil }
        return (state == AIRWAVE_SLOT_READING.rawValue, airwave_load64(&s.pointee.request_started_ms))
    }

    func currentPath(slot index: Int) -> String {
        var buffer = [CChar](repeating: 0, count: Int(AIRWAVE_SCOREBOARD_PATH_BYTES))
        airwave_scoreboard_read_path(board, UInt32(index), &buffer)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
