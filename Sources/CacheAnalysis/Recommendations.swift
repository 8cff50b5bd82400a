import Traffic
import Support

/// The guide's judgement of a hit rate and a speedup, and its per-endpoint targets.
public enum Recommendations {
    /// "✓ Excellent" above 80%, "ℹ Good" 60–80%, "⚠ Fair" 40–60%, "✗ Poor" below 40%.
    public static func hitRate(_ rate: Double) -> (mark: String, word: String) {
        switch rate {
        case let r where r > 0.8: ("✓", "Excellent")
        case let r where r >= 0.6: ("ℹ", "Good")
        case let r where r >= 0.4: ("⚠", "Fair")
        default: ("✗", "Poor")
        }
    }

    /// Good above 20×, warning 10–20×, poor below 10×.
    public static func speedup(_ speedup: Double) -> (mark: String, word: String) {
        speedup > 20 ? ("✓", "good") : speedup >= 10 ? ("⚠", "warning") : ("✗", "poor")
    }

    /// The guide's target hit rate per endpoint (none for the artists list).
    public static func target(_ template: Template) -> (rate: Double, reason: String)? {
        switch template {
        case .artist: (0.8, "users browse the same artists repeatedly")
        case .work: (0.8, "work details rarely change")
        case .artistWorks: (0.6, "pagination reduces hit rate")
        case .recordings, .filteredRecordings: (0.5, "filters reduce hit rate")
        case .artists: nil
        }
    }

    /// The lines printed under the table for one endpoint and layer. The
    /// guide's targets are for the layer that answers first: the inner one is
    /// held to them only when no outer layer is in front of it.
    public static func lines(_ template: Template, _ layer: Layer, _ s: LayerSummary, outerInFront: Bool) -> [String] {
        let name = "\(template.rawValue) [\(layer.rawValue)]"
        guard s.enabled else { return ["- \(name): layer off"] }
        guard s.requests > 0, let rate = s.hitRate else { return ["- \(name): no request reached this layer (the outer layer answered them all)"] }
        let verdict = hitRate(rate)
        let behind = layer == .inner && outerInFront
        var line = "\(behind ? "ℹ" : verdict.mark) \(name): \(verdict.word) hit rate (\(Format.percent(rate)))"
        if behind {
            line += " behind the outer layer"
        } else if let target = target(template) {
            line += rate > target.rate ? ", above" : rate == target.rate ? ", at but not above" : ", below"
            line += " the \(Format.percent(target.rate)) target (\(target.reason))"
        }
        var out = [line]
        if let speedup = s.speedup {
            let v = Self.speedup(speedup)
            out.append("  \(v.mark) speedup \(Format.fixed(speedup, 1))x is \(v.word) (good > 20x, poor < 10x)")
        }
        return out
    }
}
