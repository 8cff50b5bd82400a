import Foundation
import Testing
import Traffic
import Vocabulary

/// What nginx answers itself on the API's paths is JSON like the API's own,
/// with nosniff; no redirect is built from the client's Host; a long URI is
/// cached like a short one.
@Suite struct NginxEdgeTests {
    static let host = "Host: evil.example\r\nConnection: close\r\n"

    @Test func everyErrorNginxMakesIsJSON() throws {
        let stack = try Stack(workers: 1)
        defer { _ = try? stack.stop() }
        let cases: [(String, [UInt8], String, Int, String)] = [
            ("a request line that is not one", Array("GARBAGE\r\n\r\n".utf8), "127.0.0.1", 400, "Bad Request"),
            ("a NUL in the path", Array("GET /api/v1/library/artists/%00 HTTP/1.1\r\n\(Self.host)\r\n".utf8), "127.0.0.1", 400, "Bad Request"),
            ("a client that is not 127.0.0.1", Array("GET /api/v1/system/status HTTP/1.1\r\n\(Self.host)\r\n".utf8), "127.0.0.2", 403, "Forbidden"),
            ("the library prefix without its slash", Array("GET /api/v1/library HTTP/1.1\r\n\(Self.host)\r\n".utf8), "127.0.0.1", 404, "Not Found"),
            ("the system prefix without its slash", Array("GET /api/v1/system HTTP/1.1\r\n\(Self.host)\r\n".utf8), "127.0.0.1", 404, "Not Found"),
            ("/api without its slash", Array("GET /api HTTP/1.1\r\n\(Self.host)\r\n".utf8), "127.0.0.1", 404, "Not Found"),
            ("another API version", Array("GET /api/v2/artists HTTP/1.1\r\n\(Self.host)\r\n".utf8), "127.0.0.1", 404, "Not Found"),
            ("TRACE", Array("TRACE /api/v1/library/artists HTTP/1.1\r\n\(Self.host)\r\n".utf8), "127.0.0.1", 405, "Method Not Allowed"),
            ("a body over 1 MB", Array("POST /api/v1/library/artists HTTP/1.1\r\n\(Self.host)Content-Length: 2000000\r\n\r\nabc".utf8), "127.0.0.1", 413, "too large"),
            ("a URI over 8 KB", Array("GET /api/v1/library/artists/\(String(repeating: "9", count: 10_000)) HTTP/1.1\r\n\(Self.host)\r\n".utf8), "127.0.0.1", 414, "too long"),
            ("a header over 8 KB", Array("GET /api/v1/library/artists HTTP/1.1\r\n\(Self.host)X-Big: \(String(repeating: "a", count: 10_000))\r\n\r\n".utf8), "127.0.0.1", 400, "headers too large"),
            ("an unknown transfer coding", Array("GET /api/v1/library/artists HTTP/1.1\r\n\(Self.host)Transfer-Encoding: gzip\r\n\r\n".utf8), "127.0.0.1", 501, "Not Implemented"),
            ("HTTP/2.0 in plain text", Array("GET /api/v1/library/artists HTTP/2.0\r\n\(Self.host)\r\n".utf8), "127.0.0.1", 505, "Version"),
        ]
        for (name, request, source, status, detail) in cases {
            let response = try RawHTTP.send(port: stack.port, request, from: source)
            #expect(response.status == status, "\(name): \(response.status)")
            #expect(response["content-type"] == "application/json", "\(name)")
            #expect(response["x-content-type-options"] == "nosniff", "\(name)")
            #expect(response["location"] == nil, "\(name)")
            let body = response.json as? [String: Any]
            #expect((body?["detail"] as? String)?.contains(detail) == true, "\(name): \(response.text.prefix(100))")
            if status == 405 { #expect(response["allow"] == "GET, HEAD") }
        }
        // The pool gone, nothing cached: a JSON 503.
        let cached = try stack.get("/api/v1/library/artists/3")
        #expect(cached.status == 200)
        kill(try #require(stack.poolPID), SIGTERM)
        #expect(Stack.eventually(within: 10) { !FileManager.default.fileExists(atPath: stack.runDir + "/pool.sock") })
        let down = try stack.get("/api/v1/library/artists/4")
        #expect(down.status == 503 && (down.json as? [String: Any])?["detail"] as? String == "The library service is unavailable; try again shortly")
        #expect(try stack.get("/api/v1/library/artists/3").body == cached.body)  // the outer layer still answers
    }

    @Test func aLongURIIsCachedLikeAShortOne() throws {
        let stack = try Stack(workers: 1)
        defer { _ = try? stack.stop() }
        let url = "/api/v1/library/artists?limit=2&x=" + String(repeating: "a", count: 6_000)
        let first = try stack.get(url)
        #expect(first.status == 200 && CacheStatus(first) == CacheStatus(outer: "MISS", inner: "MISS"))
        let second = try stack.get(url)
        #expect(CacheStatus(second) == CacheStatus(outer: "HIT", inner: "-") && second.body == first.body)
        #expect(!stack.log("nginx-error.log").contains("is not enough for cache key"))
    }

    @Test func theDescriptionIsServed() throws {
        let stack = try Stack(workers: 1)
        defer { _ = try? stack.stop() }
        let response = try stack.get("/api/v1/openapi.json")
        #expect(response.status == 200 && response["content-type"] == "application/json")
        #expect((response.json as? [String: Any])?["openapi"] as? String == "3.1.0")
        #expect(response.body == Array(try Data(contentsOf: URL(fileURLWithPath: Stack.root + "/www/api/v1/openapi.json"))))
    }
}
