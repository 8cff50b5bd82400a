/// A boxed text table, first column left-aligned, the others right-aligned,
/// as the guide's reports print them.
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
