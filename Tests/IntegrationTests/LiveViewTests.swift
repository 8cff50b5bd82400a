import CacheAnalysis
import FastCGITesting
import Foundation
import Testing
import Traffic
import Vocabulary

/// `airwave live` in a real stack: its counts, from nginx's access log, are
/// the counts `cache-analysis` reads from the headers of the same requests;
/// its buttons switch and clear nginx's cache; only loopback reaches it.
@Suite struct LiveViewTests {
    typealias R = FastCGIRecords
    /// One endpoint's counts since the live view started ("total": all of them).
    static func counts(_ live: [String: Any], _ endpoint: String) -> [String: Int] {
        let entry = endpoint == "total" ? live["total"] : (live["endpoints"] as? [String: Any])?[endpoint]
        let since = (entry as? [String: Any])?["since_start"] as? [String: Any] ?? [:]
        return since.compactMapValues { $0 as? Int }
    }

    /// The live counts once nginx has flushed its log (every second) and
    /// the live view has read it: the same twice, 1.5 s apart.
    static func settled(_ stack: Stack) throws -> [String: Any] {
        var last = try stack.live()
        for _ in 0..<20 {
            usleep(1_500_000)
            let now = try stack.live()
            if (now["access_log"] as? [String: Any])?["lines"] as? Int == (last["access_log"] as? [String: Any])?["lines"] as? Int { return now }
            last = now
        }
        Issue.record("the live counts never settled")
        return last
    }

    @Test func theLiveCountsAreCacheAnalysisCounts() throws {
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        var configuration = AnalysisConfiguration(server: try ServerURL("http://127.0.0.1:\(stack.port)"))
        configuration.accessLog = stack.runDir + "/logs/access.log"
        configuration.requests = 40
        configuration.seed = 7
        let analysis = try CacheAnalysis(configuration)
        // The plan reads the library's ids first: not part of what is compared.
        let plan = try RequestPlan.load(configuration, connection: analysis.connection)
        let before = try Self.settled(stack)
        let report = try analysis.run(plan)
        #expect(report.checksAgree, "\(report.checks)")
        let after = try Self.settled(stack)
        for endpoint in Endpoint.allCases {
            let rows = report.rows.filter { $0.template.endpoint == endpoint }
            guard !rows.isEmpty else { continue }
            let was = Self.counts(before, endpoint.rawValue), now = Self.counts(after, endpoint.rawValue)
            func delta(_ name: String) -> Int { (now[name] ?? 0) - (was[name] ?? 0) }
            func sum(_ figure: (AnalysisReport.Row) -> Int) -> Int { rows.map(figure).reduce(0, +) }
            let expected: [String: Int] = [
                "requests": sum { $0.outer.requests }, "outer_hits": sum { $0.outer.hits }, "outer_misses": sum { $0.outer.misses },
                "inner_hits": sum { $0.inner.hits }, "inner_misses": sum { $0.inner.misses },
            ]
            for (name, value) in expected { #expect(delta(name) == value, "\(endpoint) \(name): live \(delta(name)), cache-analysis \(value)") }
        }
        #expect(report.requests == 40 * report.rows.count)
        let log = try #require(after["access_log"] as? [String: Any])
        #expect(log["unparsed"] as? Int == 0 && log["following"] as? Bool == true)
    }

    @Test func theButtonsSwitchAndClearTheOuterCache() throws {
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        func outer() throws -> [String: Any] { try #require(try stack.live()["outer_cache"] as? [String: Any]) }
        func settledOuter() -> [String: Any]? {
            var state: [String: Any]?
            _ = Stack.eventually(within: 15) { state = try? outer(); return state?["running"] is NSNull }
            return state
        }
        #expect(try outer()["state"] as? String == "on")
        #expect(try stack.get(ToolTests.artist)["x-cache-outer"] == "MISS")
        let off = try HTTP.request(port: stack.port, "POST", "/api/v1/system/live/outer-cache/off", headers: [HTTP.asked])
        #expect(off.status == 202 && off.text.contains(#""action":"off""#))
        var state = settledOuter()
        #expect(state?["state"] as? String == "off" && state?["last_action"] as? String == "off" && state?["last_succeeded"] as? Bool == true)
        #expect(try stack.get(ToolTests.artist)["x-cache-outer"] == "OFF")
        #expect(try stack.run("outer-cache", "state").output.contains("OFF"))

        #expect(try HTTP.request(port: stack.port, "POST", "/api/v1/system/live/outer-cache/on", headers: [HTTP.asked]).status == 202)
        state = settledOuter()
        #expect(state?["state"] as? String == "on")
        // What nginx stored before it was switched off is still there.
        #expect(try stack.get(ToolTests.artist)["x-cache-outer"] == "HIT")
        #expect(try HTTP.request(port: stack.port, "POST", "/api/v1/system/live/outer-cache/clear", headers: [HTTP.asked]).status == 202)
        state = settledOuter()
        #expect(state?["last_action"] as? String == "clear" && state?["last_succeeded"] as? Bool == true)
        #expect(try stack.get(ToolTests.artist)["x-cache-outer"] == "MISS")
        #expect(stack.log("live.log").contains("outer cache: clear requested from the live page"))
    }

    /// Loopback only; no POST another site's page could make a browser send
    /// (no X-Airwave-Request), no name but this machine's (DNS rebinding);
    /// and the socket alone, without nginx's secret, grants nothing.
    @Test func onlyThisMachinesOwnPagesReachIt() throws {
        let stack = try Stack(workers: 1)
        defer { _ = try? stack.stop() }
        for path in ["/api/v1/system/live/outer-cache/off", "/api/v1/system/cache/clear", "/api/v1/system/cache/%63lear?x"] {
            for headers in [[], ["X-Airwave-Request: yes"]] {
                let forged = try HTTP.request(port: stack.port, "POST", path, headers: headers)
                #expect(forged.status == 403, "\(path) \(headers): \(forged.status)")
            }
        }
        #expect(try HTTP.request(port: stack.port, "POST", "/api/v1/system/status").status == 405)
        #expect(try stack.live()["outer_cache"].flatMap { ($0 as? [String: Any])?["last_action"] } is NSNull)
        let rebound = try RawHTTP.send(port: stack.port, "GET /api/v1/system/status HTTP/1.1\r\nHost: evil.example:\(stack.port)\r\nConnection: close\r\n\r\n")
        #expect(rebound.status == 403)
        let named = try RawHTTP.send(port: stack.port, "GET /api/v1/system/live HTTP/1.1\r\nHost: localhost:\(stack.port)\r\nConnection: close\r\n\r\n")
        #expect(named.status == 200)
        for path in ["/api/v1/system/live", "/live/"] {
            let refused = try RawHTTP.send(port: stack.port, "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", from: "127.0.0.2")
            #expect(refused.status == 403 && refused.text.contains("detail"), "\(path): \(refused.status)")
        }
        #expect(try HTTP.request(port: stack.port, "GET", "/live/").status == 200)
        // Straight to the socket, without nginx's secret: refused.
        let peer = try SocketClient(path: stack.runDir + "/live.sock")
        peer.send(R.request(uri: "/api/v1/system/live"))
        let answer = String(decoding: R.parse(peer.receiveAll().bytes).filter { $0.type == R.stdout }.flatMap(\.content), as: UTF8.self)
        #expect(answer.hasPrefix("Status: 403"), "\(answer.prefix(200))")
    }
}
