import DemoData
import Foundation
import Store
import Testing
import Traffic

/// Searches that Swift's `String` takes for equal and SQLite does not, through
/// nginx and the pool: each spelling gets SQLite's own answer for it, whichever
/// was asked first, with the outer layer on and off.
@Suite struct TwinSearchTests {
    static func sqliteIDs(_ path: String, search: String) throws -> [Int] {
        let db = try Database(path: path, mode: .readOnly)
        return try db.rows("SELECT id FROM artists WHERE name LIKE ?1 ESCAPE '\\' ORDER BY name, id", [.text("%\(search)%")]).map { Int($0[0]!)! }
    }

    static func url(_ search: String) -> String {
        "/api/v1/library/artists?limit=1000&search=" + search.utf8.map { String(format: "%%%02X", $0) }.joined()
    }

    @Test(arguments: [true, false])
    func eachSpellingGetsItsOwnAnswer(outer: Bool) throws {
        let stack = try Stack(workers: 1, prepare: UnicodeTwins.addArtists(to:))
        defer { _ = try? stack.stop() }
        if !outer { try stack.run("outer-cache", "off") }
        for (index, pair) in UnicodeTwins.pairs.enumerated() {
            let order = index % 2 == 0 ? [pair.composed, pair.decomposed] : [pair.decomposed, pair.composed]
            for (step, search) in (order + order).enumerated() {
                let response = try stack.get(Self.url(search))
                let ids = try #require(response.json as? [[String: Any]]).compactMap { $0["id"] as? Int }
                let expected = try Self.sqliteIDs(stack.database, search: search)
                #expect(ids == expected && expected.count == 1, "pair \(index), step \(step)")
                // First time each spelling: a miss in both layers, never the twin's entry.
                let first = step < 2
                #expect(response["x-cache-outer"] == (outer ? (first ? "MISS" : "HIT") : "OFF"), "pair \(index), step \(step)")
                #expect(response["x-cache-inner"] == (outer && !first ? "-" : (first ? "MISS" : "HIT")), "pair \(index), step \(step)")
            }
        }
    }

    /// Raw bytes of a combining mark right after `?`, `&` and `=` in the
    /// request line: split where the bytes say.
    @Test func combiningMarksAfterSeparators() throws {
        let stack = try Stack(workers: 1)
        defer { _ = try? stack.stop() }
        let work = try stack.get("/api/v1/library/works/1")
        #expect(try stack.get("/api/v1/library/works/1?\u{301}").body == work.body)
        let two = try stack.get("/api/v1/library/artists?limit=2&\u{301}limit=9")
        #expect((two.json as? [Any])?.count == 2)
        #expect(try stack.get("/api/v1/library/artists?limit=\u{301}2").status == 422)
    }
}
