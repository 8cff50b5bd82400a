import Foundation
import Testing
import Traffic
import Vocabulary

/// A HEAD answers the headers a GET would (status, length, both cache
/// headers) and never changes what a later GET gets, whatever either layer
/// held before: for every endpoint, the outer layer on and off, the inner
/// layer on and off, the HEAD first on cold caches.
@Suite struct HeadTests {
    static let base = "/api/v1/library"
    /// One URL per endpoint and two errors; each configuration uses its own ids.
    static func urls(_ n: Int) -> [String] {
        ["/artists?limit=\(3 + n)", "/artists/\(10 + n)", "/artists/\(20 + n)/works", "/works/\(30 + n)",
         "/works/\(40 + n)/recordings?status=matched", "/works/99999\(n)", "/artists/x\(n)"].map { base + $0 }
    }

    struct Layers: CustomTestStringConvertible, Sendable {
        var outer: Bool
        var inner: Bool
        var testDescription: String { "outer \(outer ? "on" : "off"), inner \(inner ? "on" : "off")" }
    }

    @Test(arguments: [Layers(outer: true, inner: true), Layers(outer: true, inner: false),
                      Layers(outer: false, inner: true), Layers(outer: false, inner: false)])
    func aHeadFirstThenGets(_ layers: Layers) throws {
        // One worker: its inner cache is the pool's.
        let stack = try Stack(workers: 1, extra: ["AIRWAVE_INNER_CACHE": layers.inner ? "on" : "off"])
        defer { _ = try? stack.stop() }
        if !layers.outer { try stack.run("outer-cache", "off") }
        for url in Self.urls(layers.outer ? (layers.inner ? 0 : 1) : (layers.inner ? 2 : 3)) {
            let truth = try stack.expected(url)
            let head = try stack.get(url, method: "HEAD")
            // What a GET on cold caches gets.
            #expect(head.status == truth.status, "\(url)")
            #expect(head["content-length"] == "\(truth.body.count)" && head.body.isEmpty, "\(url)")
            #expect(head["content-type"] == "application/json")
            #expect(head["x-cache-outer"] == (layers.outer ? "MISS" : "OFF"), "\(url)")
            #expect(head["x-cache-inner"] == (layers.inner ? "MISS" : "OFF"), "\(url)")

            var get = try stack.get(url)
            #expect(get.status == truth.status && get.body == truth.body, "\(url): \(get.text.prefix(100))")
            #expect(get["content-length"] == "\(truth.body.count)")
            // The HEAD filled the caches a GET fills, with the whole answer.
            // nginx answers a HEAD before the answer is in its cache (it goes
            // on reading it from the pool): a GET right after may still miss.
            let filled = truth.status == 200
            let innerStatus = layers.inner ? (filled ? "HIT" : "MISS") : "OFF"
            if layers.outer && filled && get["x-cache-outer"] == "MISS" {
                #expect(get["x-cache-inner"] == innerStatus, "\(url)")
                get = try Self.getOnceStored(url, stack)
                #expect(get.body == truth.body)
            }
            let expectedOuter = layers.outer ? (filled ? "HIT" : "MISS") : "OFF"
            let expectedInner = layers.outer && filled ? "-" : innerStatus
            #expect(get["x-cache-outer"] == expectedOuter && get["x-cache-inner"] == expectedInner, "\(url): \(CacheStatus(get))")

            // A HEAD after the GET: the GET's headers, still no body.
            let again = try stack.get(url, method: "HEAD")
            for name in ["content-length", "content-type", "x-cache-outer", "x-cache-inner"] {
                #expect(again[name] == get[name], "\(url): \(name)")
            }
            #expect(again.status == get.status && again.body.isEmpty)
        }
    }

    /// The layers hold different things: the inner warm and the outer cold,
    /// then the outer warm and the inner cold.
    @Test func aHeadWhenOnlyOneLayerHoldsTheAnswer() throws {
        let stack = try Stack(workers: 1)
        defer { _ = try? stack.stop() }
        let url = Self.base + "/works/5/recordings"
        let truth = try stack.expected(url)
        #expect(try stack.get(url).body == truth.body)  // fills both
        try stack.run("outer-cache", "clear")
        let head = try stack.get(url, method: "HEAD")
        #expect(CacheStatus(head) == CacheStatus(outer: "MISS", inner: "HIT") && head["content-length"] == "\(truth.body.count)")
        var get = try Self.getOnceStored(url, stack)
        #expect(CacheStatus(get) == CacheStatus(outer: "HIT", inner: "-") && get.body == truth.body)

        let other = Self.base + "/artists/6/works"
        let otherTruth = try stack.expected(other)
        _ = try stack.get(other)
        let cleared = try stack.get("/api/v1/system/cache/clear", method: "POST", headers: [HTTP.asked])
        #expect(cleared.status == 200)
        let headFromOuter = try stack.get(other, method: "HEAD")
        #expect(CacheStatus(headFromOuter) == CacheStatus(outer: "HIT", inner: "-") && headFromOuter["content-length"] == "\(otherTruth.body.count)")
        try stack.run("outer-cache", "clear")
        let headFromPool = try stack.get(other, method: "HEAD")
        #expect(CacheStatus(headFromPool) == CacheStatus(outer: "MISS", inner: "MISS"))
        get = try Self.getOnceStored(other, stack)
        #expect(CacheStatus(get) == CacheStatus(outer: "HIT", inner: "-") && get.body == otherTruth.body)
    }

    /// A GET once nginx has stored what a HEAD fetched: it answers the HEAD
    /// before the pool's answer is all in its cache.
    static func getOnceStored(_ url: String, _ stack: Stack) throws -> HTTPResponse {
        #expect(Stack.eventually(within: 2) { (try? stack.get(url)).map(CacheStatus.init)?.outerHit == true }, "\(url) never stored")
        return try stack.get(url)
    }
}
