/// A boxed text table, first column left-aligned, the others right-aligned,
/// as the seed's reports print them.
public struct TextTable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(_ header: [String]) { self.header = header }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func render() -> String {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        func rule(_ left: String, _ middle: String, _ right: String) -> String {
            left + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: middle) + right
        }
        func line(_ cells: [String]) -> String {
            "│" + widths.indices.map { column in
                let cell = cells.indices.contains(column) ? cells[column] : ""
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return " " + (column == 0 ? cell + pad : pad + cell) + " "
            }.joined(separator: "│") + "│"
        }
        var out = [rule("┌", "┬", "┐"), line(header), rule("├", "┼", "┤")]
        out += rows.map(line)
        out.append(rule("└", "┴", "┘"))
        return out.joined(separator: "\n")
    }
}

/// Number formats shared by the reports.
public enum Format {
    /// Milliseconds from nanoseconds, two decimals ("2.34").
    public static func ms(_ nanoseconds: Double) -> String { fixed(nanoseconds / 1e6, 2) }
    public static func percent(_ fraction: Double) -> String { fixed(fraction * 100, 1) + "%" }
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (abs(value) * scale).rounded()
        var digits = String(Int64(rounded))
        if decimals > 0 {
            while digits.count <= decimals { digits = "0" + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        }
        return (value < 0 && rounded != 0 ? "-" : "") + digits
    }
    /// A count with thousands separators ("12,345").
    public static func count<I: BinaryInteger>(_ value: I) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }
}
