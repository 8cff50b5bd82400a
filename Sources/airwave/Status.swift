import ArgumentParser
import Cache
import Foundation
import Pool
import Posix

#if canImport(Glibc)
import Glibc
#endif

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the pool's workers and counters, read straight from its scoreboard.",
        discussion: """
        Reads the shared memory the pool writes (RUN/pool.scoreboard), not the HTTP endpoint: it
        answers even when every worker is busy or stuck. The same data as JSON:
        GET /api/v1/system/status, or --json.
        """
    )

    @Option(help: "The stack's run folder. [AIRWAVE_RUN_DIR, default run]")
    var runDir: String?

    @Option(help: "The scoreboard file (default: RUN/pool.scoreboard).")
    var scoreboard: String?

    @Flag(help: "Print JSON, as the status endpoint does.")
    var json = false

    func run() throws {
        let path = scoreboard ?? (runDir ?? Environment.string("AIRWAVE_RUN_DIR") ?? "run") + "/pool.scoreboard"
        let board: Scoreboard
        do { board = try Scoreboard.open(path: path) } catch { throw ValidationError("\(error)") }
        let s = board.snapshot()
        if json {
            print(String(decoding: s.json(), as: UTF8.self))
            return
        }
        let now = wallClockMilliseconds()
        let masterAlive = kill(s.masterPID, 0) == 0
        print("pool \(s.masterPID)\(masterAlive ? "" : " (NOT RUNNING: stale scoreboard)"), up \(Self.duration(now - s.startedAtMilliseconds)) since \(isoTime(s.startedAtMilliseconds)), \(s.workers.count) workers, \(s.busy) busy")
        print("accepted \(s.accepted) requests, \(s.restarts) restarts, at most \(s.maxBusy) of \(s.workers.count) busy at once, all busy \(s.allBusy) times")
        if s.readTimeouts + s.malformed > 0 {
            print("closed without an answer: \(s.readTimeouts) connections that sent no whole request in time, \(s.malformed) that were not FastCGI")
        }
        if let descriptor = board.cacheDescriptor, masterAlive {
            // The pool's own counters, read from its shared memory.
            if let memory = try? SharedMemory(process: s.masterPID, descriptor: descriptor),
               let counters = SharedCache.counters(in: memory) {
                let total = counters.values.reduce(CacheCounters(), +)
                let rate = total.hitRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
                print("inner cache: \(total.entries) entries, \(total.bytes) bytes; \(total.hits) hits, \(total.misses) misses (\(rate)), \(total.evictions) evictions, \(total.expirations) expirations")
            } else {
                print("inner cache: cannot be read from here (it is the pool's user's)")
            }
        } else if masterAlive {
            print("inner cache: off")
        }
        print(Self.row(["slot", "pid", "state", "requests", "last ms", "up", "current request"]))
        for w in s.workers {
            let since = now - (w.currentStartedAtMilliseconds ?? now)
            let current = w.currentPath.map { "\($0) (\(since) ms)" } ?? (w.state == "reading" ? "(reading for \(since) ms)" : "")
            let up = w.pid == 0 ? "" : Self.duration(now - w.startedAtMilliseconds)
            let last = String(Double(w.lastDurationMicroseconds / 10) / 100)
            print(Self.row(["\(w.slot)", "\(w.pid)", w.state, "\(w.requests)", last, up, current]))
        }
    }

    static func row(_ cells: [String]) -> String {
        let widths = [5, 8, 8, 10, 9, 9, 0]
        return zip(cells, widths).map { $1 == 0 ? $0 : $0.padding(toLength: $1) }.joined(separator: " ")
    }

    static func duration(_ milliseconds: Int64) -> String {
        let s = milliseconds / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        return "\(s / 3600)h\((s % 3600) / 60)m"
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
