import Traffic

/// One `--fail-on` condition, e.g. `p95>50ms`, `errors>0.1%`, `errors>0`,
/// `rps<1000`: when it holds on the test's totals, the test failed.
public struct Threshold: Sendable, CustomStringConvertible, Equatable {
    public enum Metric: String, CaseIterable, Sendable {
        case avg, min, p50, p90, p95, p99, p999 = "p99.9", max
        /// As a count, or as a share of requests when written with `%`.
        case errors
        /// Requests per second over the wall time.
        case rps
        case outerHitRate = "outer_hit_rate", innerHitRate = "inner_hit_rate"
    }

    public enum Comparison: String, Sendable { case above = ">", atLeast = ">=", below = "<", atMost = "<=" }

    public var metric: Metric
    public var comparison: Comparison
    /// Milliseconds for latencies, a fraction for `%`, else the plain number.
    public var value: Double
    public var isPercent: Bool
    public let text: String

    public var description: String { text }

    /// Parses a comma-separated list; the error names the part it could not read.
    public static func parseList(_ text: String) throws(TrafficError) -> [Threshold] {
        try text.split(separator: ",").map { part throws(TrafficError) in try Threshold(String(part)) }
    }

    public init(_ raw: String) throws(TrafficError) {
        let text = raw.filter { $0 != " " }
        self.text = text
        let operators: [Comparison] = [.atLeast, .atMost, .above, .below]
        guard let comparison = operators.first(where: { text.contains($0.rawValue) }),
              let range = text.range(of: comparison.rawValue) else {
            throw TrafficError("--fail-on \(raw): expected METRIC>VALUE or METRIC<VALUE, e.g. p95>50ms")
        }
        let name = text[..<range.lowerBound].lowercased()
        guard let metric = Metric(rawValue: name == "throughput" ? "rps" : name) else {
            throw TrafficError("--fail-on \(raw): unknown metric \(name); one of \(Metric.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var number = Substring(text[range.upperBound...])
        var scale = 1.0, unit = ""
        for (suffix, factor) in [("ms", 1.0), ("us", 0.001), ("µs", 0.001), ("s", 1000.0), ("%", 0.01)] where number.hasSuffix(suffix) {
            number = number.dropLast(suffix.count)
            (scale, unit) = (factor, suffix)
            break
        }
        isPercent = unit == "%"
        guard let parsed = Double(number), parsed.isFinite, parsed >= 0 else {
            throw TrafficError("--fail-on \(raw): \(number) is not a number")
        }
        let latency = ![.errors, .rps, .outerHitRate, .innerHitRate].contains(metric)
        if latency && isPercent { throw TrafficError("--fail-on \(raw): a latency takes ms, s or us, not %") }
        if !latency && !unit.isEmpty && !isPercent { throw TrafficError("--fail-on \(raw): \(metric.rawValue) takes a number or a %") }
        self.metric = metric
        self.comparison = comparison
        self.value = parsed * scale
    }

    /// The measured value this threshold compares, in its own unit.
    public func measured(in report: LoadReport) -> Double? {
        let l = report.total.latency
        switch metric {
        case .avg: return l.avg
        case .min: return l.min
        case .p50: return l.p50
        case .p90: return l.p90
        case .p95: return l.p95
        case .p99: return l.p99
        case .p999: return l.p999
        case .max: return l.max
        case .errors: return isPercent ? report.errorRate : Double(report.total.errors)
        case .rps: return report.total.rate
        case .outerHitRate: return report.outerHitRate.map { isPercent ? $0 : $0 * 100 }
        case .innerHitRate: return report.innerHitRate.map { isPercent ? $0 : $0 * 100 }
        }
    }

    /// True when the run crossed this threshold (a layer that was off never does).
    public func isCrossed(by report: LoadReport) -> Bool {
        guard let measured = measured(in: report) else { return false }
        switch comparison {
        case .above: return measured > value
        case .atLeast: return measured >= value
        case .below: return measured < value
        case .atMost: return measured <= value
        }
    }
}
