extension StringProtocol {
    /// Without spaces, tabs and line ends at either end, compared as
    /// Unicode scalars ("\r\n" is two of them, not one Character): for
    /// settings lines, HTTP header values, SQL statements.
    public var trimmingBlanks: String {
        let blank: Set<Unicode.Scalar> = [" ", "\t", "\r", "\n"]
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !blank.contains($0) }),
              let last = scalars.lastIndex(where: { !blank.contains($0) }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
