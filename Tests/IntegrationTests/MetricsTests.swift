import Foundation
import Testing
import Traffic

/// `GET /api/v1/system/metrics` through nginx, as the pool lives: its
/// counters are the pool's, in shared memory, so a worker's death loses
/// neither its requests nor the CPU it used.
@Suite struct MetricsTests {
    /// The value of the series written exactly as `series` (`name{labels}`).
    static func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    /// User + system CPU seconds of a process (`/proc/PID/stat` fields 14, 15, at 100 ticks a second).
    static func cpuSeconds(_ pid: pid_t) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test func aWorkerKilledTakesNeitherItsRequestsNorItsCPUAlong() throws {
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        // Requests (each a new URL) until a worker has used a few clock ticks of CPU.
        var sent = 0
        while sent < 5000, !stack.workerPIDs.contains(where: { Self.cpuSeconds($0) >= 0.05 }) {
            for _ in 0..<50 {
                sent += 1
                #expect(try stack.get("/api/v1/library/works/\(sent % 500 + 1)/recordings?skip=\(sent / 500)").status == 200)
            }
        }
        let victim = try #require(stack.workerPIDs.max { Self.cpuSeconds($0) < Self.cpuSeconds($1) })
        let victimCPU = Self.cpuSeconds(victim)
        try #require(victimCPU >= 0.05, "no worker has used CPU time after \(sent) requests: nothing to lose")
        let before = try stack.get("/api/v1/system/metrics").text
        let recordings = #"airwave_requests_total{endpoint="work_recordings",code="2xx"}"#
        #expect(Self.value(before, recordings) == Double(sent))
        #expect(Self.value(before, "airwave_worker_restarts_total") == 0)
        kill(victim, SIGKILL)
        #expect(Stack.eventually(within: 10) {
            let workers = stack.workerPIDs
            return workers.count == 2 && !workers.contains(victim)
                && Self.value((try? stack.get("/api/v1/system/metrics").text) ?? "", #"airwave_workers{state="idle"}"#) ?? 0 >= 1
        })

        // What the processes alive now have used, read before the scrape: CPU time only grows.
        let alive = ([stack.poolPID].compactMap { $0 } + stack.workerPIDs).map(Self.cpuSeconds).reduce(0, +)
        let after = try stack.get("/api/v1/system/metrics").text
        #expect(Self.value(after, "airwave_worker_restarts_total") == 1)
        #expect(Self.value(after, recordings) == Double(sent))
        let cpu = try #require(Self.value(after, "airwave_cpu_seconds_total"))
        #expect(cpu >= alive + victimCPU, "\(cpu) < \(alive) alive + \(victimCPU) of the killed worker")
        #expect(try #require(Self.value(before, "airwave_cpu_seconds_total")) <= cpu)

        // Memory counts every process, though the scrape runs in one worker
        // (as another user than the master): at least their private pages.
        let privatePages = ([stack.poolPID].compactMap { $0 } + stack.workerPIDs).compactMap(Self.anonymousBytes).reduce(0, +)
        let memory = try #require(Self.value(try stack.get("/api/v1/system/metrics").text, "airwave_resident_memory_bytes"))
        #expect(memory >= 0.8 * privatePages, "\(memory) < the processes' own \(privatePages)")
    }

    /// `RssAnon` of /proc/PID/status, in bytes (the test runs as root: it may read any).
    static func anonymousBytes(_ pid: pid_t) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return nil }
        return kilobytes * 1024
    }
}
