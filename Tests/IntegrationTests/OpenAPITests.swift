import Foundation
import Testing
import Traffic

/// The checker the end-to-end tests run every answer through: it must tell
/// a good answer from a bad one.
@Suite struct OpenAPITests {
    let spec = OpenAPI.shared
    static let json = [("content-type", "application/json"), ("x-content-type-options", "nosniff")]
    static let cache = [("x-cache-outer", "MISS"), ("x-cache-inner", "MISS")]

    func answer(_ status: Int, _ body: String, headers: [(String, String)] = json + cache) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8))
    }

    @Test func acceptsAnswersAsDocumented() {
        let artist = #"{"id":1,"name":"A","musicbrainz_id":null,"work_count":2,"recording_count":3}"#
        #expect(spec.problems(method: "GET", target: "/api/v1/library/artists/1", response: answer(200, artist)) == [])
        #expect(spec.problems(method: "GET", target: "/api/v1/library/artists?limit=1", response: answer(200, #"[{"id":1,"name":"A","work_count":0,"recording_count":0,"avatar_url":null}]"#)) == [])
        #expect(spec.problems(method: "GET", target: "/api/v1/library/works/x", response: answer(422, #"{"detail":"bad"}"#)) == [])
        // An error nginx answers itself: documented as 4XX, without the cache headers.
        #expect(spec.problems(method: "GET", target: "/api/v1/library/artists/%00", response: answer(400, #"{"detail": "Bad Request"}"#, headers: Self.json)) == [])
        #expect(spec.problems(method: "HEAD", target: "/api/v1/library/works/1", response: answer(200, "")) == [])
        #expect(spec.problems(method: "GET", target: "/api/v2/other", response: answer(404, #"{"detail":"Not Found"}"#, headers: Self.json)) == [])
    }

    @Test func findsWhatIsNotAsDocumented() {
        let cases: [(String, String, HTTPResponse, String)] = [
            ("GET", "/api/v1/library/artists/1", answer(200, #"{"id":1,"name":"A","musicbrainz_id":null,"work_count":2}"#), "recording_count is missing"),
            ("GET", "/api/v1/library/artists/1", answer(200, #"{"id":"1","name":"A","musicbrainz_id":null,"work_count":2,"recording_count":3}"#), "body.id is 1, not integer"),
            ("GET", "/api/v1/library/artists/1", answer(200, #"{"id":1,"name":"A","musicbrainz_id":null,"work_count":-2,"recording_count":3,"extra":1}"#), "body.extra is not in the schema"),
            ("GET", "/api/v1/library/works/1", answer(200, #"{"id":1,"title":"T","artist_id":null,"artist_name":null,"artist_names":"x","is_instrumental":1,"recording_count":0}"#), "is_instrumental is 1, not boolean"),
            ("GET", "/api/v1/library/works/1", answer(422, "<html>oops</html>"), "not JSON"),
            ("GET", "/api/v1/library/works/1", answer(404, #"{"detail":"x"}"#, headers: Self.json), "no X-Cache-Outer header"),
            ("GET", "/api/v1/library/works/1", answer(404, #"{"detail":"x"}"#, headers: [("content-type", "application/json")] + Self.cache), "nosniff"),
            ("GET", "/api/v1/library/works/1", answer(404, #"{"detail":"x"}"#, headers: Self.json + [("x-cache-outer", "MAYBE"), ("x-cache-inner", "MISS")]), "X-Cache-Outer is MAYBE"),
            ("GET", "/api/v1/library/works/1", answer(302, ""), "status 302 is not documented"),
            ("HEAD", "/api/v1/library/works/1", answer(200, "{}"), "a HEAD answer with a body"),
            ("GET", "/api/v1/library/nothing", answer(200, "[]"), "200 for an undocumented operation"),
            ("GET", "/api/v1/system/ping", answer(200, "pong"), "Content-Type application/json is not one of"),
        ]
        for (method, target, response, expected) in cases {
            let problems = spec.problems(method: method, target: target, response: response)
            #expect(problems.contains { $0.contains(expected) }, "\(target): \(problems)")
        }
    }
}
