@testable import API
import Foundation
import Testing

/// Bad input gets a 4xx with a `detail` that says what was wrong; never a 5xx.
@Suite struct ValidationTests {
    /// Each test its own: an API belongs to one worker, one thread.
    let fixture: Fixture
    init() throws { fixture = try Fixture() }

    struct Case: CustomTestStringConvertible, Sendable {
        var uri: String
        var method = "GET"
        var status: Int
        var detail: String
        var testDescription: String { "\(method) \(uri)" }
    }

    static let cases: [Case] = [
        // ids: base-10, 64-bit
        Case(uri: "/artists/abc", status: 422, detail: "artist id must be a base-10 integer that fits in 64 bits, got 'abc'"),
        Case(uri: "/artists/1.5", status: 422, detail: "artist id must be a base-10 integer that fits in 64 bits, got '1.5'"),
        Case(uri: "/artists/0x10", status: 422, detail: "artist id must be a base-10 integer that fits in 64 bits, got '0x10'"),
        Case(uri: "/artists/9223372036854775808", status: 422, detail: "artist id must be a base-10 integer that fits in 64 bits, got '9223372036854775808'"),
        Case(uri: "/artists/%20", status: 422, detail: "artist id must be a base-10 integer that fits in 64 bits, got ' '"),
        Case(uri: "/artists/1e3/works", status: 422, detail: "artist id must be a base-10 integer that fits in 64 bits, got '1e3'"),
        Case(uri: "/works/%F0%9F%8E%B5", status: 422, detail: "work id must be a base-10 integer that fits in 64 bits, got '🎵'"),
        Case(uri: "/works/--1/recordings", status: 422, detail: "work id must be a base-10 integer that fits in 64 bits, got '--1'"),
        Case(uri: "/works/" + String(repeating: "9", count: 300), status: 422,
             detail: "work id must be a base-10 integer that fits in 64 bits, got '" + String(repeating: "9", count: 40) + "…'"),
        // skip, limit
        Case(uri: "/artists?skip=-1", status: 422, detail: "skip must be an integer >= 0, got '-1'"),
        Case(uri: "/artists?skip=", status: 422, detail: "skip must be an integer >= 0, got ''"),
        Case(uri: "/artists?skip=1.0", status: 422, detail: "skip must be an integer >= 0, got '1.0'"),
        Case(uri: "/artists?skip=99999999999999999999", status: 422, detail: "skip must be an integer >= 0, got '99999999999999999999'"),
        Case(uri: "/artists?limit=0", status: 422, detail: "limit must be an integer from 1 to 1000, got '0'"),
        Case(uri: "/artists?limit=1001", status: 422, detail: "limit must be an integer from 1 to 1000, got '1001'"),
        Case(uri: "/artists?limit=-5", status: 422, detail: "limit must be an integer from 1 to 1000, got '-5'"),
        Case(uri: "/artists?limit=ten", status: 422, detail: "limit must be an integer from 1 to 1000, got 'ten'"),
        Case(uri: "/artists/1/works?limit=99999999999999999999999", status: 422, detail: "limit must be an integer from 1 to 1000, got '99999999999999999999999'"),
        Case(uri: "/works/1/recordings?skip=x", status: 422, detail: "skip must be an integer >= 0, got 'x'"),
        // filters, search
        Case(uri: "/works/1/recordings?status=verified", status: 422, detail: "status must be one of all, matched, unmatched, got 'verified'"),
        Case(uri: "/works/1/recordings?status=ALL", status: 422, detail: "status must be one of all, matched, unmatched, got 'ALL'"),
        Case(uri: "/works/1/recordings?source=", status: 422, detail: "source must be one of all, library, metadata, got ''"),
        Case(uri: "/artists?search=" + String(repeating: "x", count: 201), status: 422, detail: "search must be at most 200 characters, got 201"),
        Case(uri: "/artists?search=" + String(repeating: "%C3%A9", count: 201), status: 422, detail: "search must be at most 200 characters, got 201"),
        // SQLite's LIKE stops at a NUL ("%00" matched everything, "x%00y" what ends with x)
        Case(uri: "/artists?search=%00", status: 422, detail: "search must not contain a NUL character (%00)"),
        Case(uri: "/artists?search=x%00y", status: 422, detail: "search must not contain a NUL character (%00)"),
        // bytes that are not UTF-8: no text to search for
        Case(uri: "/artists?search=%FF%FE", status: 422, detail: "search must be UTF-8 text; its percent-encoded bytes are not"),
        Case(uri: "/artists?search=caf%C3", status: 422, detail: "search must be UTF-8 text; its percent-encoded bytes are not"),
        Case(uri: "/artists?search=%ED%A0%80", status: 422, detail: "search must be UTF-8 text; its percent-encoded bytes are not"),
        // missing rows
        Case(uri: "/artists/999999", status: 404, detail: "Artist not found"),
        Case(uri: "/artists/-1/works", status: 404, detail: "Artist not found"),
        Case(uri: "/artists/0", status: 404, detail: "Artist not found"),
        Case(uri: "/works/9223372036854775807", status: 404, detail: "Work not found"),
        Case(uri: "/works/-9223372036854775808/recordings", status: 404, detail: "Work not found"),
        // unknown paths
        Case(uri: "/", status: 404, detail: "Not Found"),
        Case(uri: "/artists/", status: 404, detail: "Not Found"),
        Case(uri: "/artists/1/works/2", status: 404, detail: "Not Found"),
        Case(uri: "/albums", status: 404, detail: "Not Found"),
        Case(uri: "/works/1/files", status: 404, detail: "Not Found"),
        Case(uri: "//artists", status: 404, detail: "Not Found"),
        // methods
        Case(uri: "/artists", method: "POST", status: 405, detail: "Method Not Allowed"),
        Case(uri: "/artists/1", method: "DELETE", status: 405, detail: "Method Not Allowed"),
        Case(uri: "/works/1/recordings", method: "PUT", status: 405, detail: "Method Not Allowed"),
    ]

    @Test(arguments: cases)
    func badInput(_ c: Case) {
        let response = fixture.get(Fixture.base + c.uri, method: c.method)
        #expect(response.status == c.status)
        #expect(response.detail == c.detail)
        #expect(response.contentType == "application/json")
        #expect(response.allow == (c.status == 405 ? "GET, HEAD" : nil))
        #expect(response.headerBlock().contains("X-Cache-Inner: MISS\r\n"))
    }

    @Test func validationComesBeforeExistence() {
        #expect(fixture.get(Fixture.base + "/artists/999999/works?limit=0").status == 422)
    }

    @Test(arguments: [
        "/artists?limit=1000", "/artists?skip=9223372036854775807", "/artists?foo=bar&limit=3",
        "/artists?limit=5&limit=2", "/artists/+1", "/artists/007", "/works/1/recordings?status=matched&source=metadata",
        "/artists?search=%25%5F%27%22%5C", "/artists?search=%ZZ", "/artists?search=%09%07%1F%7F", "/artists?search=a+b",
        "/artists?search=" + String(repeating: "x", count: 200), "/artists?=&&&=x&skip",
    ])
    func oddButValidInputIsAnswered(_ uri: String) throws {
        let response = fixture.get(Fixture.base + uri)
        // `skip` with no value is an empty integer: 422; everything else here is fine.
        if uri.hasSuffix("&skip") {
            #expect(response.status == 422)
        } else {
            #expect(response.status == 200, "\(response.text)")
            _ = try JSONSerialization.jsonObject(with: Data(response.body))
        }
    }

    @Test func repeatedParameterLastWins() throws {
        let items = try #require(try fixture.json(Fixture.base + "/artists?limit=5&limit=2") as? [Any])
        #expect(items.count == 2)
    }

    @Test func headAnswersLikeGet() {
        let get = fixture.get(Fixture.base + "/artists/1")
        let head = fixture.get(Fixture.base + "/artists/1", method: "HEAD")
        #expect(head.status == 200 && head.body == get.body)  // the FastCGI writer omits the body
        #expect(fixture.get(Fixture.base + "/artists/x", method: "HEAD").status == 422)
    }

    @Test func ping() {
        let response = fixture.api.respond(method: "GET", uri: "/api/v1/system/ping", systemAccess: true)
        #expect(response.status == 200 && response.text == "pong")
    }

    /// Only requests that came through nginx's system location (they carry
    /// its secret) reach the system endpoints, ping included.
    @Test func systemEndpointsNeedTheSystemLocation() {
        for path in ["ping", "status", "cache/stats", "cache/clear", "test/hang", "nope"] {
            let response = fixture.get("/api/v1/system/" + path)
            #expect(response.status == 403 && response.detail?.hasPrefix("Forbidden") == true, "\(path)")
        }
    }
}
