import Histogram
import Traffic
import Support
import Vocabulary

/// A load test's results: per request kind and in total, latencies in
/// milliseconds, rates over the wall time of the whole test.
public struct LoadReport: Codable, Sendable {
    public struct Latency: Codable, Sendable {
        public var avg, min, p50, p90, p95, p99, p999, max: Double

        init(_ h: Latencies) {
            func ms(_ ns: UInt64) -> Double { Double(ns) / 1e6 }
            let empty = h.totalCount == 0
            avg = empty ? 0 : h.mean / 1e6
            min = empty ? 0 : ms(h.min)
            p50 = ms(h.valueAtPercentile(50))
            p90 = ms(h.valueAtPercentile(90))
            p95 = ms(h.valueAtPercentile(95))
            p99 = ms(h.valueAtPercentile(99))
            p999 = ms(h.valueAtPercentile(99.9))
            max = empty ? 0 : ms(h.max)
        }
    }

    public struct Row: Codable, Sendable {
        public var endpoint: String
        public var requests: Int
        public var errors: Int
        /// Requests per second over the test's wall time.
        public var rate: Double
        /// From when each request was due: what users waited.
        public var latency: Latency
        /// From when each request was sent: what the server took.
        public var service: Latency
        public var errorStatuses: [String: Int]
        public var failures: [String: Int]
        /// `X-Cache-Outer` and `X-Cache-Inner` values seen, with their counts.
        public var outer: [String: Int]
        public var inner: [String: Int]
        public var bytes: Int
    }

    public struct Settings: Codable, Sendable {
        public var url: String
        public var users: Int
        public var duration: Double
        public var pacing: String
        public var seed: UInt64
        public var artists: Int
    }

    public var settings: Settings
    public var endpoints: [Row]
    public var total: Row
    public var wallSeconds: Double
    /// Open loop only: requests that fell due but were never sent (every user
    /// was still waiting for an answer when the test ended).
    public var unsent: Int

    init(configuration: LoadTestConfiguration, catalogSize: Int, recorder: Recorder, wallSeconds: Double, unsent: Int) {
        settings = Settings(url: configuration.server.description, users: configuration.users, duration: configuration.duration,
                            pacing: configuration.pacing.description, seed: configuration.seed, artists: catalogSize)
        self.wallSeconds = wallSeconds
        self.unsent = unsent
        func row(_ name: String, _ r: TemplateRecord) -> Row {
            Row(endpoint: name, requests: r.requests, errors: r.errors, rate: Double(r.requests) / max(wallSeconds, 1e-9),
                latency: Latency(r.latency), service: Latency(r.service),
                errorStatuses: Dictionary(uniqueKeysWithValues: r.errorStatuses.map { (String($0.key), $0.value) }),
                failures: r.failures, outer: r.outer, inner: r.inner, bytes: r.bytes)
        }
        var all = TemplateRecord()
        endpoints = Template.allCases.compactMap { template in
            guard let record = recorder.templates[template] else { return nil }
            all.add(record)
            return row(template.rawValue, record)
        }
        total = row("total", all)
    }

    public var errorRate: Double { total.requests == 0 ? 0 : Double(total.errors) / Double(total.requests) }

    /// Outer layer: the share of answers nginx served from its cache (nil when it was off).
    public var outerHitRate: Double? {
        Self.hitRate(total.outer, hit: { CacheStatus(outer: $0, inner: "").outerHit }, miss: { CacheStatus(outer: $0, inner: "").outerMiss })
    }
    /// Inner layer: the share of worker answers served from a worker's cache (nil when it was off or never asked).
    public var innerHitRate: Double? {
        Self.hitRate(total.inner, hit: { CacheStatus(outer: "", inner: $0).innerHit }, miss: { CacheStatus(outer: "", inner: $0).innerMiss })
    }

    /// Hits among hits and misses, from a header's values and their counts.
    static func hitRate(_ counts: [String: Int], hit: (String) -> Bool, miss: (String) -> Bool) -> Double? {
        let hits = counts.filter { hit($0.key) }.values.reduce(0, +)
        let misses = counts.filter { miss($0.key) }.values.reduce(0, +)
        return hits + misses == 0 ? nil : Double(hits) / Double(hits + misses)
    }
}

extension LoadReport {
    /// The report as the Python version's load_test.py prints it, with percentiles, the cache layers
    /// and the guide's verdicts added.
    public func text() -> String {
        var table = TextTable(["Endpoint", "Requests", "Avg (ms)", "Min (ms)", "P50 (ms)", "P95 (ms)", "P99 (ms)", "Max (ms)", "Errors", "Req/s"])
        for row in endpoints + [total] {
            let l = row.latency
            table.add([row.endpoint == "total" ? "All" : row.endpoint, Format.count(row.requests),
                       Format.fixed(l.avg, 2), Format.fixed(l.min, 2), Format.fixed(l.p50, 2), Format.fixed(l.p95, 2),
                       Format.fixed(l.p99, 2), Format.fixed(l.max, 2), Format.count(row.errors), Format.fixed(row.rate, 2)])
        }
        var out = ["Load Test Results (\(settings.users) users, \(settings.pacing), \(Format.fixed(settings.duration, 0)) s, \(settings.url), seed \(settings.seed))",
                   table.render(), "", "Summary:",
                   "Total Requests: \(Format.count(total.requests))",
                   "Total Errors: \(Format.count(total.errors))",
                   "Error Rate: \(Format.fixed(errorRate * 100, 2))%",
                   "Total Duration: \(Format.fixed(wallSeconds, 2))s",
                   "Throughput: \(Format.fixed(total.rate, 2)) req/s"]
        if unsent > 0 {
            out.append("Not sent: \(Format.count(unsent)) requests fell due but every user was still waiting for an answer when the test ended")
        }
        let l = total.latency, s = total.service
        out += ["", "Response Time Percentiles (from when each request was due):",
                "P50: \(Format.fixed(l.p50, 2))ms", "P95: \(Format.fixed(l.p95, 2))ms", "P99: \(Format.fixed(l.p99, 2))ms",
                "P99.9: \(Format.fixed(l.p999, 2))ms", "Max: \(Format.fixed(l.max, 2))ms",
                "Service time (from when it was sent): P50 \(Format.fixed(s.p50, 2))ms, P95 \(Format.fixed(s.p95, 2))ms, P99 \(Format.fixed(s.p99, 2))ms, Max \(Format.fixed(s.max, 2))ms"]
        out += ["", "Cache layers (from the X-Cache-Outer and X-Cache-Inner headers):"]
        out.append("  outer (nginx):  " + Self.layerLine(total.outer, hitRate: outerHitRate, offKey: "OFF"))
        let reached = total.inner.filter { $0.key != "-" }
        out.append("  inner (pool):   " + Self.layerLine(reached, hitRate: innerHitRate, offKey: "OFF")
                   + (outerHitRate == nil ? "" : "  (judged on the \(Format.count(reached.values.reduce(0, +))) answers that reached a worker)"))
        for row in endpoints + [total] where !row.failures.isEmpty || !row.errorStatuses.isEmpty {
            let kinds = row.errorStatuses.sorted { $0.key < $1.key }.map { "HTTP \($0.key) ×\($0.value)" }
                + row.failures.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }
            if row.endpoint != "total" { out.append("Errors in \(row.endpoint): " + kinds.joined(separator: ", ")) }
        }
        out += ["", "Against the guide's targets:"] + verdicts()
        return out.joined(separator: "\n")
    }

    static func layerLine(_ counts: [String: Int], hitRate: Double?, offKey: String) -> String {
        let n = counts.values.reduce(0, +)
        guard n > 0 else { return "no answers" }
        if counts[offKey] == n { return "OFF" }
        let parts = counts.sorted { $0.value > $1.value }.map { "\($0.key) \(Format.count($0.value))" }
        return (hitRate.map { "hit rate \(Format.percent($0))  " } ?? "") + "(" + parts.joined(separator: ", ") + ")"
    }

    /// The guide's scale: ✓ good, ⚠ warning, ✗ poor.
    func verdicts() -> [String] {
        let l = total.latency
        func mark(_ good: Bool, _ warning: Bool) -> String { good ? "✓" : warning ? "⚠" : "✗" }
        return [
            "\(mark(l.p95 < 50, l.p95 < 200)) P95 \(Format.fixed(l.p95, 2)) ms (good < 50, poor > 200)",
            "\(mark(l.p99 < 100, l.p99 < 500)) P99 \(Format.fixed(l.p99, 2)) ms (good < 100, poor > 500)",
            "\(mark(l.avg < 100, l.avg < 500)) Avg \(Format.fixed(l.avg, 2)) ms (good < 10 cached, < 100 uncached; poor > 500)",
            "\(mark(total.rate > 10, total.rate >= 5)) Throughput \(Format.fixed(total.rate, 2)) req/s (good > 10, poor < 5)",
            "\(mark(total.errors == 0, errorRate < 0.01)) Error rate \(Format.fixed(errorRate * 100, 2))% (good 0%, poor > 1%)",
        ]
    }
}
