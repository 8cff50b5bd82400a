@testable import API
import DemoData
import Foundation
import Store
import Testing

/// The URI is split, decoded and keyed as bytes, as SQLite compares them:
/// texts Swift's `String` takes for equal never share an answer.
@Suite struct ByteExactnessTests {
    /// SQLite's own answer for a search: the ids, in the API's order.
    static func sqliteIDs(_ path: String, search: String) throws -> [Int64] {
        let db = try Database(path: path, mode: .readOnly)
        let statement = try db.prepare("SELECT id FROM artists WHERE name LIKE ?1 ESCAPE '\\' ORDER BY name, id")
        try statement.bind(text: Array("%\(search)%".utf8), at: 1)
        var ids: [Int64] = []
        while try statement.step() { ids.append(statement.int64(0)) }
        return ids
    }

    static func ids(_ response: Response) throws -> [Int64] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]]).compactMap { $0["id"] as? Int64 }
    }

    static func query(_ text: String) -> String { Fixture.percentEncoded(text.utf8) }

    @Test(arguments: UnicodeTwins.pairs.indices, [false, true])
    func twinsGetTheirOwnAnswers(_ pair: Int, composedFirst: Bool) throws {
        let fixture = try Fixture(prepare: UnicodeTwins.addArtists(to:))
        let (composed, decomposed) = UnicodeTwins.pairs[pair]
        #expect(composed == decomposed)  // to Swift's String
        for search in composedFirst ? [composed, decomposed] : [decomposed, composed] {
            let response = fixture.get(Fixture.base + "/artists?limit=1000&search=" + Self.query(search))
            #expect(response.status == 200 && response.innerCache == .miss, "\(search.unicodeScalars.map(\.value))")
            let expected = try Self.sqliteIDs(fixture.path, search: search)
            #expect(expected.count == 1)
            #expect(try Self.ids(response) == expected)
            // Asked again, the same spelling is an inner hit with the same list.
            let again = fixture.get(Fixture.base + "/artists?limit=1000&search=" + Self.query(search))
            #expect(again.innerCache == .hit && again.body == response.body)
        }
    }

    @Test func twinsHaveDifferentKeys() throws {
        for (composed, decomposed) in UnicodeTwins.pairs {
            let a = try LibraryRequest(path: "artists".utf8, query: QueryParameters(("search=" + Self.query(composed)).utf8))
            let b = try LibraryRequest(path: "artists".utf8, query: QueryParameters(("search=" + Self.query(decomposed)).utf8))
            #expect(a != b && a.cacheKey != b.cacheKey)
        }
        // ASCII case is folded: those share a key, as SQLite's LIKE shares the answer.
        let upper = try LibraryRequest(path: "artists".utf8, query: QueryParameters("search=CAF%C3%A9".utf8))
        let lower = try LibraryRequest(path: "artists".utf8, query: QueryParameters("search=caf%C3%A9".utf8))
        #expect(upper.cacheKey == lower.cacheKey)
    }

    /// A combining mark after `?`, `&`, `=` or `/` does not glue itself to
    /// the separator (as a `Character` would).
    @Test(arguments: [
        ("/works/1?\u{301}", 200),
        ("/works/1?limit=5&\u{301}=x", 200),
        ("/artists?limit=\u{301}2", 422),
        ("/artists?limit=2&\u{301}limit=7", 200),
        ("/works/\u{301}1", 422),
        ("/works/1/\u{301}recordings", 404),
        ("/artists?search=a\u{301}", 200),
    ])
    func combiningMarksAfterSeparators(_ uri: String, _ status: Int) throws {
        let fixture = try Fixture()
        let response = fixture.get(Fixture.base + uri)
        #expect(response.status == status, "\(uri): \(response.text)")
        if uri.hasPrefix("/artists?limit=2&") { #expect(try Self.ids(response).count == 2) }
        if uri.hasPrefix("/works/1?") { #expect(response.body == fixture.get(Fixture.base + "/works/1").body) }
    }
}
