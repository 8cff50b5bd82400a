import Traffic
import Support
import Vocabulary

/// nginx's log next to what the headers said, status pair by status pair.
public struct AccessLogCheck: Sendable {
    public var lines: [String] = []
    public var agrees = true

    /// Waits up to `wait` seconds for nginx to flush its buffered log (it does every second).
    public init(log: AccessLog, from offset: UInt64, agent: String, observations: [Observation], wait: Double = 4) {
        let expected = observations.count
        var logged = log.statuses(from: offset, agent: agent)
        let deadline = SystemClock.now() + UInt64(wait * 1e9)
        while logged.count < expected && SystemClock.now() < deadline {
            SystemClock.sleep(until: SystemClock.now() + 200_000_000)
            logged = log.statuses(from: offset, agent: agent)
        }
        func pairs(_ list: [CacheStatus]) -> [String: Int] {
            list.reduce(into: [:]) { $0["outer=\($1.outer) inner=\($1.inner)", default: 0] += 1 }
        }
        let mine = pairs(observations.map(\.cache)), theirs = pairs(logged)
        for key in Set(mine.keys).union(theirs.keys).sorted() where mine[key] != theirs[key] {
            agrees = false
            lines.append("✗ \(key): nginx's log has \(theirs[key] ?? 0) lines, the headers said \(mine[key] ?? 0)")
        }
        if agrees {
            lines.insert("✓ nginx's access log agrees with the headers (\(logged.count) lines of this run in \(log.path))", at: 0)
        } else if logged.isEmpty {
            lines.insert("⚠ no line of this run in \(log.path): is it this server's log?", at: 0)
        }
    }
}
