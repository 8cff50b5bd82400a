import Traffic
import Support

/// How a load test runs. The defaults are the guide's: 10 users browsing for
/// 60 seconds, thinking 1–3 s after each visit (artist list to recordings).
public struct LoadTestConfiguration: Sendable {
    public var server: ServerURL
    public var users = 10
    /// Seconds of traffic: no request is started after this.
    public var duration: Double = 60
    public var pacing: Pacing = .think(1...3)
    /// Seeds the ids drawn and the choices made, so a run can be repeated.
    public var seed: UInt64 = 1
    /// A request with no complete answer after this many seconds is an error.
    public var timeoutSeconds = 30

    public init(server: ServerURL) { self.server = server }
}

/// When each simulated user's next request is due.
public enum Pacing: Sendable, Equatable, CustomStringConvertible {
    /// Closed loop: a visit's clicks follow each other at once; the next
    /// visit is due a random think time (seconds) after the last answer.
    /// `0...0` is as fast as the server answers.
    case think(ClosedRange<Double>)
    /// Open loop: requests are due at a fixed rate (per second) over the
    /// whole test, whatever the server does; a user takes the next due one.
    /// Latency counts from the due time, so a stall is seen in full.
    case rate(Double)

    /// Reads `--think`: `0`, `2`, `1-3` or `0.5-1.5` (seconds).
    public static func parseThink(_ text: String) -> ClosedRange<Double>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let low = Double(parts[0]), let high = Double(parts.last!),
              low.isFinite, high.isFinite, low >= 0, high >= low, high <= 3600 else { return nil }
        return low...high
    }

    public var description: String {
        switch self {
        case .think(let range) where range.upperBound == 0: "closed loop, no think time"
        case .think(let range) where range.lowerBound == range.upperBound: "think \(Format.fixed(range.lowerBound, 1)) s"
        case .think(let range): "think \(Format.fixed(range.lowerBound, 1))-\(Format.fixed(range.upperBound, 1)) s"
        case .rate(let perSecond): "open loop at \(Format.fixed(perSecond, perSecond < 10 ? 1 : 0)) req/s"
        }
    }
}
