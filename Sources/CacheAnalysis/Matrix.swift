import Foundation
import Traffic
import Support
import Vocabulary

/// The four configurations of the two layers, switched with the project's
/// own commands (`scripts/stack outer-cache on|off|clear`, `inner-cache
/// on|off`), each started cold and sent the same plan.
public struct Matrix {
    public struct Configuration: Sendable, CustomStringConvertible {
        public var outer: Bool
        public var inner: Bool
        public var description: String { "outer \(outer ? "on" : "off"), inner \(inner ? "on" : "off")" }
    }

    public static let configurations = [Configuration(outer: true, inner: true), Configuration(outer: true, inner: false),
                                        Configuration(outer: false, inner: true), Configuration(outer: false, inner: false)]

    public let stack: StackControl
    public let analysis: CacheAnalysis

    public init(stack: StackControl, analysis: CacheAnalysis) {
        self.stack = stack
        self.analysis = analysis
    }

    /// Runs every configuration, then puts the layers back as they were.
    public func run(log: (String) -> Void) throws(TrafficError) -> [(Configuration, AnalysisReport)] {
        let plan = try RequestPlan.load(analysis.configuration, connection: analysis.connection)
        let original = Configuration(outer: try stack.outerIsOn(), inner: try PoolCounters.read(analysis.connection).innerCacheOn)
        var results: [(Configuration, AnalysisReport)] = []
        defer {
            log("Restoring: \(original)")
            do { try stack.set(outer: original.outer, inner: original.inner) } catch {
                log("Could not restore the layers (\(error)); set them with scripts/stack outer-cache and inner-cache")
            }
        }
        for configuration in Self.configurations {
            log("== \(configuration)")
            try stack.set(outer: configuration.outer, inner: configuration.inner)
            // Cold start: nothing from an earlier configuration is counted.
            try stack.clearCaches(analysis.connection)
            let report = try analysis.run(plan)
            log(report.checksAgree ? "   counts checked: agree" : "   counts checked: DISAGREE\n" + report.checks.joined(separator: "\n"))
            results.append((configuration, report))
        }
        return results
    }

    /// The configurations side by side: hit rates per layer and effective latency.
    public static func text(_ results: [(Configuration, AnalysisReport)]) -> String {
        var table = TextTable(["Endpoint"] + results.map { $0.0.description })
        func cell(_ outer: LayerSummary, _ inner: LayerSummary) -> String {
            func rate(_ s: LayerSummary) -> String {
                s.enabled ? (s.hitRate.map(Format.percent) ?? "-") + (s.bestHitRate.map { " (best \(Format.percent($0)))" } ?? "") : "off"
            }
            return "\(rate(outer)) / \(rate(inner)) · \(outer.effective.map { Format.fixed($0, 2) } ?? "-") ms"
        }
        for (index, template) in analysedTemplates.enumerated() {
            table.add([template.rawValue] + results.map { cell($0.1.rows[index].outer, $0.1.rows[index].inner) })
        }
        table.add(["All"] + results.map { cell($0.1.outer, $0.1.inner) })
        return (["Cache matrix: hit rate outer / inner (inner: on requests that reached a worker; best: one unlimited cache on the same requests) · effective latency per request",
                 table.render()]
                + results.map { "\($0.0): overall hit rate \(Format.percent($0.1.hitRate)), checks \($0.1.checksAgree ? "agree" : "DISAGREE")" })
            .joined(separator: "\n")
    }
}
