import Store

/// Texts that Swift's `String` takes for equal (they are canonically
/// equivalent) and SQLite does not (their bytes differ): a search for one
/// must never be answered with the other's list, in either cache layer.
public enum UnicodeTwins {
    /// Each pair: the composed and the decomposed spelling of one search,
    /// and an artist name containing it.
    public static let pairs: [(composed: String, decomposed: String)] = [
        ("caf\u{E9}", "cafe\u{301}"),                               // Latin: é, e + COMBINING ACUTE
        ("\u{439}ога", "\u{438}\u{306}ога"),                        // Cyrillic: й, и + COMBINING BREVE
        ("\u{D55C}\u{AD6D}", "\u{1112}\u{1161}\u{11AB}\u{1100}\u{116E}\u{11A8}"),  // Hangul: 한국, its conjoining jamo
        ("\u{212B}ngstr\u{F6}m", "A\u{30A}ngstro\u{308}m"),         // ANGSTROM SIGN (a singleton), ö; A + RING, o + DIAERESIS
    ]

    /// Adds two artists per pair, "Twin <spelling> n", to the library at
    /// `path` (a write: another program's, as far as a running pool knows).
    public static func addArtists(to path: String) throws {
        let db = try Database(path: path, mode: .readWrite)
        let next = Int64(try db.rows("SELECT coalesce(max(id), 0) FROM artists")[0][0] ?? "0")! + 1
        let insert = try db.prepare("INSERT INTO artists (id, name, created_at, updated_at) VALUES (?, ?, '2024-01-01', '2024-01-01')")
        for (index, pair) in pairs.enumerated() {
            for (offset, spelling) in [pair.composed, pair.decomposed].enumerated() {
                try insert.bind([.integer(next + Int64(index * 2 + offset)), .text("Twin \(spelling) \(index)")])
                _ = try insert.step()
            }
        }
    }
}
