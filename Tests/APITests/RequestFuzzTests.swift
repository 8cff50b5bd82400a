@testable import API
import DemoData
import Foundation
import Store
import Testing
import Support

/// A seeded fuzzer of the request path in-process: router, percent-decoding,
/// parameter parsing, the inner cache's keys. Odd bytes, broken UTF-8,
/// overlong numbers, empty and repeated parameters, canonically equivalent
/// texts, odd methods.
@Suite struct RequestFuzzTests {
    static let cases = 30_000

    @Test func fuzzedRequestsGetSaneAnswersAndTheCacheNeverChangesOne() throws {
        // Two APIs over one file: one keeps an inner cache across every case
        // (so keys collide when they can), one computes each answer afresh.
        let cached = try Fixture(prepare: UnicodeTwins.addArtists(to:))
        let fresh = LibraryAPI(store: try LibraryStore(path: cached.path), cache: nil)
        var random = RandomSource(seed: 8)
        var statuses: [Int: Int] = [:]
        var hits = 0
        for index in 0..<Self.cases {
            let (method, uri) = Self.request(&random)
            let answer = cached.api.respond(method: HTTPMethod(method), uri: uri)
            let truth = fresh.respond(method: HTTPMethod(method), uri: uri)
            statuses[answer.status, default: 0] += 1
            let shown = "case \(index): \(String(decoding: method, as: UTF8.self)) \(String(decoding: uri, as: UTF8.self).debugDescription)"
            // The cache never answers differently from the store.
            guard answer.status == truth.status, answer.body == truth.body else {
                Issue.record("\(shown): the cached API answered \(answer.status) \(answer.text.prefix(120)), the store \(truth.status) \(truth.text.prefix(120))")
                continue
            }
            if answer.innerCache == .hit { hits += 1 }
            #expect([200, 403, 404, 405, 422].contains(answer.status), "\(shown): \(answer.status)")
            #expect(answer.headerBlock().contains("Content-Length: \(answer.body.count)\r\n"))
            guard let json = try? JSONSerialization.jsonObject(with: Data(answer.body), options: [.fragmentsAllowed]) else {
                Issue.record("\(shown): not JSON: \(answer.text.prefix(120))")
                continue
            }
            if answer.status != 200 {
                let detail = json as? [String: Any]
                #expect(detail?.count == 1 && detail?["detail"] is String, "\(shown)")
            } else {
                try Self.checkRoundTrip(uri, shown)
            }
        }
        print("request fuzz: \(Self.cases) requests, statuses \(statuses.sorted { $0.key < $1.key }), \(hits) inner hits")
        #expect(statuses[200, default: 0] > Self.cases / 10 && statuses[422, default: 0] > Self.cases / 10 && hits > 100)
    }

    /// A 200's request, written back as a canonical URI, parses to the same
    /// request with the same key.
    static func checkRoundTrip(_ uri: [UInt8], _ shown: String) throws {
        let mark = uri.firstIndex(of: UInt8(ascii: "?")) ?? uri.endIndex
        let path = uri[..<mark].dropFirst("/api/v1/library/".utf8.count)
        let request = try LibraryRequest(path: path, query: QueryParameters(mark == uri.endIndex ? [] : uri[(mark + 1)...]))
        let canonical: String
        switch request {
        case let .artists(skip, limit, search): canonical = "artists?skip=\(skip)&limit=\(limit)&search=\(Fixture.percentEncoded(search))"
        case let .artist(id): canonical = "artists/\(id)"
        case let .artistWorks(id, skip, limit): canonical = "artists/\(id)/works?limit=\(limit)&skip=\(skip)"
        case let .work(id): canonical = "works/\(id)"
        case let .workRecordings(id, skip, limit, status, source):
            canonical = "works/\(id)/recordings?source=\(source.rawValue)&status=\(status.rawValue)&skip=\(skip)&limit=\(limit)"
        }
        let parts = canonical.split(separator: "?", maxSplits: 1)
        let again = try LibraryRequest(path: parts[0].utf8, query: QueryParameters((parts.count > 1 ? parts[1] : "").utf8))
        #expect(again == request && again.cacheKey == request.cacheKey, "\(shown) → \(canonical)")
    }

    // MARK: The generator

    static let ids = ["1", "2", "3", "7", "40", "0", "-1", "+7", "007", "9223372036854775807", "-9223372036854775808",
                      "9223372036854775808", "99999999999999999999999", "1e3", "0x10", "1.0", " 1", "%31", "%00", "%FF", "１",
                      "1\u{301}", "", "%2F", "..", "-", "+", "%2B1"]
    static let segments = ["artists", "works", "recordings", "works", "artists", "Artists", "artists%2Fworks", "", "%61rtists", "works\u{301}"]
    static let names = ["skip", "limit", "search", "status", "source", "skip", "limit", "search", "junk", "", "Limit", "limit\u{301}", "se%61rch", "search+"]
    static let values = ["0", "1", "5", "24", "50", "1000", "1001", "-1", "", "9223372036854775807", "9223372036854775808", "+3", "007",
                         "all", "matched", "unmatched", "library", "metadata", "ALL", "matched\u{301}", "%00", "x%00y", "%FF", "%C3", "%C3%A9",
                         "%E2%82", "%ED%A0%80", "a+b", "%25", "%5F", "_", "%", "\\", "'", "\"", "%09", "%7F", "<b>x</b>", "band", "BAND",
                         String(repeating: "x", count: 200), String(repeating: "x", count: 201), String(repeating: "%C3%A9", count: 200),
                         "🎸", "%F0%9F%8E%B8", "Сергей"]
        + UnicodeTwins.pairs.flatMap { [$0.composed, $0.decomposed, Fixture.percentEncoded($0.composed.utf8), Fixture.percentEncoded($0.decomposed.utf8)] }

    static func request(_ random: inout RandomSource) -> (method: [UInt8], uri: [UInt8]) {
        let method = random.chance(0.9) ? Array((random.chance(0.8) ? "GET" : "HEAD").utf8)
            : Array(random.pick(["POST", "DELETE", "get", "", "GET ", "OPTIONS"]).utf8)
        if random.chance(0.05) { return (method, (0..<Int(random.next() % 60)).map { _ in UInt8(truncatingIfNeeded: random.next()) }) }
        var uri = random.chance(0.95) ? "/api/v1/library/" : random.pick(["/api/v1/librar", "/api/v1/library", "", "/", "/api/v1/system/ping"])
        var path: [String]
        switch random.next() % 6 {
        case 0: path = ["artists"]
        case 1, 2: path = ["artists", random.pick(ids)] + (random.chance(0.5) ? ["works"] : [])
        case 3, 4: path = ["works", random.pick(ids)] + (random.chance(0.5) ? ["recordings"] : [])
        default: path = (0..<Int(random.next() % 4)).map { _ in random.chance(0.5) ? random.pick(segments) : random.pick(ids) }
        }
        uri += path.joined(separator: "/")
        if random.chance(0.1) { uri += "/" }
        if random.chance(0.8) {
            let count = Int(random.next() % 5)
            let pairs = (0..<count).map { _ -> String in
                let name = random.pick(names)
                return random.chance(0.1) ? name : name + "=" + random.pick(values)
            }
            uri += "?" + pairs.joined(separator: random.chance(0.1) ? "&&" : "&")
        }
        return (method, Array(uri.utf8))
    }
}

