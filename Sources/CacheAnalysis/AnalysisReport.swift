import Traffic
import Support
import Vocabulary

/// A cache analysis: each endpoint's two layers, the guide's judgement,
/// totals, and whether the pool and nginx counted the same.
public struct AnalysisReport: Sendable {
    public struct Row: Sendable {
        public var template: Template
        public var outer: LayerSummary
        public var inner: LayerSummary
    }

    public var settings: String
    public var rows: [Row]
    public var outer: LayerSummary
    public var inner: LayerSummary
    public var requests: Int
    public var errors: Int
    /// Answers served from either layer's cache.
    public var cacheHits: Int
    /// The pool's counters and nginx's log against the headers (nil: not checked).
    public var pool: PoolCheck?
    public var log: AccessLogCheck?
    /// What was not checked, and why.
    public var notes: [String]

    public var checks: [String] { (pool?.lines ?? []) + (log?.lines ?? []) + notes }
    /// False when a check that ran found a difference.
    public var checksAgree: Bool { pool?.agrees != false && log?.agrees != false }

    init(configuration: AnalysisConfiguration, observations: [Observation], pool: PoolCheck?, log: AccessLogCheck?, notes: [String]) {
        settings = "\(configuration.requests) requests per endpoint over \(configuration.workingSet) ids each, seed \(configuration.seed), \(configuration.server)"
        rows = analysedTemplates.map { template in
            let mine = observations.filter { $0.template == template }
            return Row(template: template, outer: LayerSummary(.outer, mine), inner: LayerSummary(.inner, mine))
        }
        outer = LayerSummary(.outer, observations)
        inner = LayerSummary(.inner, observations)
        requests = observations.count
        errors = observations.filter { $0.status != 200 }.count
        cacheHits = outer.hits + inner.hits
        self.pool = pool
        self.log = log
        self.notes = notes
    }

    public var hitRate: Double { requests == 0 ? 0 : Double(cacheHits) / Double(requests) }

    /// "75.6%, best 80.0%": a layer's hit rate beside what one unlimited cache could reach.
    static func rate(_ s: LayerSummary) -> String {
        (s.hitRate.map(Format.percent) ?? "-") + (s.bestHitRate.map { ", best \(Format.percent($0))" } ?? "")
    }

    public func text() -> String {
        var table = TextTable(["Endpoint", "Layer", "Requests", "Hit Rate", "Best", "Avg Hit (ms)", "P50 Hit (ms)", "Avg Miss (ms)",
                               "P50 Miss (ms)", "Speedup", "Effective (ms)"])
        func ms(_ value: Double?) -> String { value.map { Format.fixed($0, 2) } ?? "-" }
        for row in rows {
            for (layer, s) in [(Layer.outer, row.outer), (.inner, row.inner)] {
                let name = layer == .outer ? row.template.rawValue : ""
                guard s.enabled, s.requests > 0 else {
                    table.add([name, layer.rawValue, Format.count(s.requests), s.enabled ? "-" : "off", "-", "-", "-", "-", "-", "-", ms(s.effective)])
                    continue
                }
                table.add([name, layer.rawValue, Format.count(s.requests), s.hitRate.map(Format.percent) ?? "-", s.bestHitRate.map(Format.percent) ?? "-",
                           ms(s.avgHit), ms(s.p50Hit), ms(s.avgMiss), ms(s.p50Miss),
                           s.speedup.map { Format.fixed($0, 1) + "x" } ?? "-", ms(s.effective)])
            }
        }
        var out = ["Cache Performance Analysis (\(settings))",
                   "outer: every request; inner: only those the outer layer passed to a worker (X-Cache-Outer not HIT)",
                   "best: what one cache of unlimited size could reach on the same requests (each URL's first request misses)",
                   table.render(), "", "Recommendations:"]
        for row in rows {
            out += Recommendations.lines(row.template, .outer, row.outer, outerInFront: outer.enabled)
            out += Recommendations.lines(row.template, .inner, row.inner, outerInFront: outer.enabled)
        }
        if let miss = (outer.enabled ? outer : inner).avgMiss, miss < 1 {
            out.append("ℹ a miss costs \(Format.fixed(miss, 2)) ms here: the guide's 20x speedup assumed misses of tens of ms; "
                       + "a small speedup means fast misses, not a weak cache")
        }
        if outer.enabled && inner.enabled {
            out.append("ℹ with the outer layer in front, a worker mostly sees each URL's first request, which no cache can answer: "
                       + "its inner hits come from URLs that differ but mean the same (e.g. status=all), or outlive an outer entry")
        }
        out += ["", "Overall Statistics:",
                "Total Requests: \(Format.count(requests))",
                "Outer Hits: \(Format.count(outer.hits))" + (outer.enabled ? " (\(Self.rate(outer)))" : " (layer off)"),
                "Inner Hits: \(Format.count(inner.hits)) of \(Format.count(inner.requests)) that reached a worker"
                    + (inner.enabled ? " (\(Self.rate(inner)))" : " (layer off)"),
                "Total Cache Hits: \(Format.count(cacheHits))",
                "Overall Hit Rate: \(Format.percent(hitRate))",
                "Effective Latency: \(ms(outer.effective)) ms per request"]
        if errors > 0 { out.append("Errors: \(errors) answers were not 200 (and never cached)") }
        out += ["", "Cross-checks:"] + checks
        return out.joined(separator: "\n")
    }
}
