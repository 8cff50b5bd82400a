#if canImport(Glibc)
import Glibc
#endif

/// What the kernel says about the pool's processes and the room they have,
/// read from /proc and the cgroup files: world-readable, so a worker running
/// as another user than its master can still read the master's numbers.
enum ProcessStats {
    /// User + system CPU seconds the process has used (`/proc/PID/stat`,
    /// fields 14 and 15, after the parenthesised name, which may hold spaces).
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let text = read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (the state): utime is field 14, stime 15.
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// What a process holds that the kernel cannot drop, in bytes, from
    /// `/proc/PID/status`: `RssAnon` (its own heap and stacks) and
    /// `RssShmem` (the pool's shared cache and facts it touched). The
    /// database's mapped pages (`RssFile`) are page cache, left out. Not
    /// `smaps_rollup`: a worker that changed user is not dumpable, so it may
    /// read only its own, and a scrape reaches one worker; `status` is
    /// world-readable, and costs no walk of the process's page tables.
    static func memory(_ pid: Int32) -> (anonymous: Double, shared: Double)? {
        guard let text = read("/proc/\(pid)/status") else { return nil }
        func kilobytes(_ name: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name) }
                .flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Double($0) } }
        }
        guard let anonymous = kilobytes("RssAnon:"), let shared = kilobytes("RssShmem:") else { return nil }
        return (anonymous * 1024, shared * 1024)
    }

    /// The memory this process may use: its cgroup's `memory.max` when it has
    /// one, else (and never more than) the machine's `MemTotal`.
    static func memoryLimitBytes() -> Double? {
        let total = read("/proc/meminfo").flatMap { info in
            info.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
                .flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Double($0) } }
        }.map { $0 * 1024 }
        let cgroup = cgroupFile("memory.max").flatMap { Double($0) }
        switch (total, cgroup) {
        case let (total?, cgroup?): return min(total, cgroup)
        case let (total, cgroup): return total ?? cgroup
        }
    }

    /// The CPUs this process may use: its cgroup's `cpu.max` quota when it has
    /// one, else the CPUs online.
    static func cores() -> Double {
        let online = Double(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        if let quota = cgroupFile("cpu.max")?.split(separator: " "), quota.count == 2,
           let allowed = Double(quota[0]), let period = Double(quota[1]), period > 0 {
            return min(online, allowed / period)
        }
        return online
    }

    /// A file of this process's cgroup (v2), trimmed; nil without one, or "max".
    private static func cgroupFile(_ name: String) -> String? {
        guard let line = read("/proc/self/cgroup")?.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return nil }
        let directory = "/sys/fs/cgroup" + line.dropFirst(3)
        guard let value = read(directory + (directory.hasSuffix("/") ? "" : "/") + name)?.split(separator: "\n").first,
              value != "max" else { return nil }
        return String(value)
    }

    /// A small file (/proc, /sys) as text; nil when it cannot be read.
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += buffer[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
