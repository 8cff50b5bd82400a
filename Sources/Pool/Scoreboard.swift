import CSupport
import JSON

#if canImport(Glibc)
import Glibc
#endif

/// The pool's scoreboard: one slot per worker (pid, state, current request,
/// requests served, last duration) and the pool's counters, in a file mapped
/// shared (layout in `Scoreboard.h`). The master creates it before the fork;
/// each worker writes only its own slot; the status endpoint and
/// `airwave status` read it, so it answers even when every worker is stuck.
public final class Scoreboard {
    public let path: String
    /// In a worker: the slot it writes (set after the fork); -1 in the master.
    public internal(set) var ownSlot = -1
    let board: UnsafeMutablePointer<airwave_scoreboard>
    private let size: Int

    private init(path: String, board: UnsafeMutablePointer<airwave_scoreboard>, size: Int) {
        self.path = path
        self.board = board
        self.size = size
    }

    deinit { munmap(board, size) }

    /// A new, empty scoreboard for `slots` workers (the master, before the fork).
    public static func create(path: String, slots: Int, masterPID: pid_t) throws -> Scoreboard {
        let size = Int(airwave_scoreboard_size(UInt32(slots)))
        // A new file, never the old one truncated: workers of the image before
        // a reload still have the old one mapped while they finish.
        unlink(path)
        // Only the master's user reads it (the paths in flight are in it);
        // workers that run as another user keep the mapping they inherit.
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PoolError(description: "cannot create the scoreboard \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(size)) == 0, let memory = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), memory != MAP_FAILED else {
            throw PoolError(description: "cannot map the scoreboard \(path): \(String(cString: strerror(errno)))")
        }
        let board = memory.bindMemory(to: airwave_scoreboard.self, capacity: 1)
        board.pointee.magic = AIRWAVE_SCOREBOARD_MAGIC
        board.pointee.version = AIRWAVE_SCOREBOARD_VERSION
        board.pointee.slot_count = UInt32(slots)
        board.pointee.master_pid = masterPID
        board.pointee.started_at_ms = wallClockMilliseconds()
        board.pointee.cache_descriptor = -1
        return Scoreboard(path: path, board: board, size: size)
    }

    /// An existing scoreboard, read-only (`airwave status`, from another process).
    public static func open(path: String) throws -> Scoreboard {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PoolError(description: "no scoreboard at \(path) (is the pool running?)") }
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        let size = Int(info.st_size)
        guard size >= MemoryLayout<airwave_scoreboard>.size,
              let memory = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), memory != MAP_FAILED else {
            throw PoolError(description: "\(path) is not a scoreboard")
        }
        let board = memory.bindMemory(to: airwave_scoreboard.self, capacity: 1)
        guard board.pointee.magic == AIRWAVE_SCOREBOARD_MAGIC, board.pointee.version == AIRWAVE_SCOREBOARD_VERSION,
              Int(airwave_scoreboard_size(board.pointee.slot_count)) <= size else {
            munmap(memory, size)
            throw PoolError(description: "\(path) is not a scoreboard of this version")
        }
        return Scoreboard(path: path, board: board, size: size)
    }

    private func slot(_ index: Int) -> UnsafeMutablePointer<airwave_slot> {
        airwave_scoreboard_slot(board, UInt32(index))
    }

    // MARK: Written by the master

    func workerStarted(slot index: Int, pid: pid_t, replacing: Bool) {
        let s = slot(index)
        airwave_storeu64(&s.pointee.requests, 0)
        airwave_store64(&s.pointee.last_duration_us, 0)
        airwave_store64(&s.pointee.started_at_ms, wallClockMilliseconds())
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

    /// When the slot's current request started (wall clock ms), if it is
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

    // MARK: Written by a worker, its own slot only

    /// The worker opened what it needs and is about to accept.
    func workerReady(slot index: Int) {
        airwave_store32(&slot(index).pointee.state, Int32(AIRWAVE_SLOT_IDLE.rawValue))
    }

    /// The worker accepted a connection and is reading its request.
    func reading(slot index: Int) {
        airwave_scoreboard_reading(board, UInt32(index), wallClockMilliseconds())
    }

    /// The connection ended without a request: back to waiting for one.
    func idle(slot index: Int) {
        airwave_scoreboard_idle(board, UInt32(index))
    }

    /// The request is read: `path` is its URI, bytes as nginx sent them.
    func begin(slot index: Int, path: ArraySlice<UInt8>?) {
        (path ?? []).withUnsafeBytes { bytes in
            airwave_scoreboard_begin(board, UInt32(index), bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                                     UInt64(bytes.count), wallClockMilliseconds())
        }
    }

    /// Why a connection was closed without an answer.
    enum Dropped {
        case readTimeout, malformed
    }

    func count(_ dropped: Dropped) {
        switch dropped {
        case .readTimeout: airwave_addu64(&board.pointee.read_timeouts, 1)
        case .malformed: airwave_addu64(&board.pointee.malformed, 1)
        }
    }

    func end(slot index: Int, microseconds: Int64) {
        airwave_scoreboard_end(board, UInt32(index), microseconds)
    }

    // MARK: Read

    /// One worker as the scoreboard shows it.
    public struct Worker: Sendable, Equatable {
        public var slot: Int
        public var pid: Int32
        public var state: String
        public var requests: UInt64
        public var startedAtMilliseconds: Int64
        public var lastDurationMicroseconds: Int64
        /// The request in progress (path, when it started), if busy.
        public var currentPath: String?
        public var currentStartedAtMilliseconds: Int64?
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
        public var workers: [Worker]
        public var busy: Int { workers.filter { $0.state == "busy" }.count }
    }

    public func snapshot() -> Snapshot {
        let b = board
        let workers = (0..<Int(b.pointee.slot_count)).map { index -> Worker in
            let s = slot(index)
            let state = airwave_load32(&s.pointee.state)
            var current: String?
            if state == Int32(AIRWAVE_SLOT_BUSY.rawValue) { current = currentPath(slot: index) }
            let since = state == Int32(AIRWAVE_SLOT_READING.rawValue) ? airwave_load64(&s.pointee.request_started_ms) : nil
            return Worker(slot: index, pid: airwave_load32(&s.pointee.pid), state: Self.name(of: state),
                          requests: airwave_loadu64(&s.pointee.requests), startedAtMilliseconds: airwave_load64(&s.pointee.started_at_ms),
                          lastDurationMicroseconds: airwave_load64(&s.pointee.last_duration_us), currentPath: current,
                          currentStartedAtMilliseconds: current == nil ? since : airwave_load64(&s.pointee.request_started_ms))
        }
        return Snapshot(masterPID: b.pointee.master_pid, startedAtMilliseconds: b.pointee.started_at_ms,
                        accepted: airwave_loadu64(&b.pointee.accepted), restarts: airwave_loadu64(&b.pointee.restarts),
                        maxBusy: airwave_loadu32(&b.pointee.max_busy), allBusy: airwave_loadu64(&b.pointee.all_busy),
                        readTimeouts: airwave_loadu64(&b.pointee.read_timeouts), malformed: airwave_loadu64(&b.pointee.malformed),
                        workers: workers)
    }

    static func name(of state: Int32) -> String {
        switch UInt32(state) {
        case AIRWAVE_SLOT_IDLE.rawValue: "idle"
        case AIRWAVE_SLOT_BUSY.rawValue: "busy"
        case AIRWAVE_SLOT_EXITING.rawValue: "exiting"
        case AIRWAVE_SLOT_STARTING.rawValue: "starting"
        case AIRWAVE_SLOT_READING.rawValue: "reading"
        default: "empty"
        }
    }
}

extension Scoreboard.Snapshot {
    /// `GET /api/v1/system/status`.
    public func json(now: Int64 = wallClockMilliseconds()) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("master_pid", Int64(masterPID))
        json.field("started_at", isoTime(startedAtMilliseconds))
        json.field("uptime_seconds", (now - startedAtMilliseconds) / 1000)
        json.field("accepted_requests", Int64(accepted))
        json.field("restarts", Int64(restarts))
        json.field("max_busy_workers", Int64(maxBusy))
        json.field("all_busy_count", Int64(allBusy))
        json.field("read_timeouts", Int64(readTimeouts))
        json.field("malformed_connections", Int64(malformed))
        json.field("busy_workers", busy)
        json.name("workers")
        json.beginArray()
        for worker in workers {
            json.beginObject()
            json.field("slot", worker.slot)
            json.field("pid", Int64(worker.pid))
            json.field("state", worker.state)
            json.field("requests", Int64(worker.requests))
            json.field("started_at", worker.pid == 0 ? nil : isoTime(worker.startedAtMilliseconds))
            json.field("last_request_ms", Double(worker.lastDurationMicroseconds) / 1000)
            json.name("current_request")
            if let path = worker.currentPath, let started = worker.currentStartedAtMilliseconds {
                json.beginObject()
                json.field("path", path)
                json.field("elapsed_ms", now - started)
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
}

/// Milliseconds since 1970 (CLOCK_REALTIME).
public func wallClockMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// `2026-11-27T18:30:00Z`.
public func isoTime(_ milliseconds: Int64) -> String {
    var seconds = time_t(milliseconds / 1000)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
}
