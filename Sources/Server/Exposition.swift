/// The Prometheus text exposition format, version 0.0.4: `# HELP` and
/// `# TYPE` once per metric family, then one `name{label="value"} number`
/// line per series.
///
/// Written by hand rather than with swift-prometheus / swift-metrics: those
/// keep their counters in the memory of the process that counts, and the
/// pool's workers are forked processes, each answering a scrape alone. The
/// pool's numbers already live in memory every worker maps (the scoreboard,
/// the inner cache's counters), so a scrape only reads them and writes this
/// text; the format is a few lines, the libraries would add a registry to
/// fill on every scrape and nothing else.
/// (Served as `metricsContentType`.)
struct Exposition {
    enum Kind: String {
        case counter, gauge, histogram
    }

    private(set) var text = ""

    /// Starts a family: its HELP (escaped) and TYPE lines.
    mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        text += "# HELP \(name) \(Self.escaped(help, quote: false))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    /// One series of the current family.
    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String> = [:], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.key)=\"\(Self.escaped($0.value, quote: true))\"" }.joined(separator: ",") + "}"
        }
        text += " \(Self.number(value))\n"
    }

    /// A counter or gauge family of a single series.
    mutating func single(_ name: String, _ kind: Kind, _ help: String, _ value: Double) {
        family(name, kind, help)
        sample(name, [:], value)
    }

    /// The series of a histogram (its family started): cumulative buckets
    /// at `bounds`, the +Inf bucket (= the count), the sum and the count.
    mutating func histogram(_ name: String, _ labels: [(String, String)], bounds: [Double], cumulative: [UInt64],
                            count: UInt64, sum: Double) {
        let prefix = labels.map { "\($0.0)=\"\(Self.escaped($0.1, quote: true))\"," }.joined()
        for (bound, value) in zip(bounds, cumulative) { text += "\(name)_bucket{\(prefix)le=\"\(Self.number(bound))\"} \(value)\n" }
        text += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(count)\n"
        let braces = labels.isEmpty ? "" : "{\(prefix.dropLast())}"
        text += "\(name)_sum\(braces) \(Self.number(sum))\n\(name)_count\(braces) \(count)\n"
    }

    /// Integers as integers, the rest as Swift prints a Double (which Go's
    /// ParseFloat reads), infinities and NaN as Prometheus spells them.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Label values escape `\`, `"` and newlines; HELP text `\` and newlines.
    static func escaped(_ text: String, quote: Bool) -> String {
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quote: out += "\\\""
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
