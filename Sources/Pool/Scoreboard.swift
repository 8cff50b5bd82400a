import CSupport
import Support

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
        guard fd >= 0 else { throw SystemError("create the scoreboard \(path)") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(size)) == 0, let memory = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), memory != MAP_FAILED else {
            throw SystemError("map the scoreboard \(path)")
        }
        let board = memory.bindMemory(to: airwave_scoreboard.self, capacity: 1)
        board.pointee.magic = AIRWAVE_SCOREBOARD_MAGIC
        board.pointee.version = AIRWAVE_SCOREBOARD_VERSION
        board.pointee.slot_count = UInt32(slots)
        board.pointee.master_pid = masterPID
        board.pointee.started_at_ms = SystemClock.wallMilliseconds()
        board.pointee.cache_descriptor = -1
        return Scoreboard(path: path, board: board, size: size)
    }

    /// An existing scoreboard, read-only (`airwave status`, from another process).
    public static func open(path: String) throws -> Scoreboard {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SetupError("no scoreboard at \(path) (is the pool running?)") }
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        let size = Int(info.st_size)
        guard size >= MemoryLayout<airwave_scoreboard>.size,
              let memory = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), memory != MAP_FAILED else {
            throw SetupError("\(path) is not a scoreboard")
        }
        let board = memory.bindMemory(to: airwave_scoreboard.self, capacity: 1)
        guard board.pointee.magic == AIRWAVE_SCOREBOARD_MAGIC, board.pointee.version == AIRWAVE_SCOREBOARD_VERSION,
              Int(airwave_scoreboard_size(board.pointee.slot_count)) <= size else {
            munmap(memory, size)
            throw SetupError("\(path) is not a scoreboard of this version")
        }
        return Scoreboard(path: path, board: board, size: size)
    }

    func slot(_ index: Int) -> UnsafeMutablePointer<airwave_slot> {
        airwave_scoreboard_slot(board, UInt32(index))
    }
}
