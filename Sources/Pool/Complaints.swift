/// At most one warning a second, per worker, about connections that ended
/// without a request: a peer that floods the socket with junk or idle
/// connections fills no disk. The scoreboard counts every one
/// (`read_timeouts`, `malformed_connections`).
struct Complaints {
    static let interval: UInt64 = 1_000_000_000
    private var quietUntil: UInt64 = 0
    private var unsaid = 0

    /// Nil: stay quiet (counted); else how many went unsaid since the last.
    mutating func mayComplain(at now: UInt64) -> Int? {
        guard now >= quietUntil else {
            unsaid += 1
            return nil
        }
        quietUntil = now + Self.interval
        defer { unsaid = 0 }
        return unsaid
    }
}
