import CacheAnalysis
import Foundation
import Testing
import Traffic
import TrafficTesting
import Support

/// `airwave load-test` and `airwave cache-analysis` against the real stack
/// (and, where exact timing or exit codes are the point, against a stub).
@Suite struct ToolTests {
    static let artist = "/api/v1/library/artists/1"

    static func analysis(_ stack: Stack) throws -> CacheAnalysis {
        var configuration = AnalysisConfiguration(server: try ServerURL("http://127.0.0.1:\(stack.port)"))
        configuration.accessLog = stack.runDir + "/logs/access.log"
        return try CacheAnalysis(configuration)
    }

    static func tenTimes(_ target: String = artist) -> RequestPlan {
        RequestPlan(steps: Array(repeating: (Template.artist, target), count: 10))
    }

    @Test func oneURLTenTimesWithTheOuterLayerOnReachesThePoolOnce() throws {
        let stack = try Stack()
        defer { _ = try? stack.stop() }
        let report = try Self.analysis(stack).run(Self.tenTimes())
        let row = try #require(report.rows.first { $0.template == .artist })
        #expect(row.outer.requests == 10 && row.outer.misses == 1 && row.outer.hits == 9)
        #expect(row.inner.requests == 1 && row.inner.misses == 1 && row.inner.hits == 0)
        #expect(report.pool?.accepted == 1)
        #expect(report.pool?.agrees == true && report.log?.agrees == true, "\(report.checks)")
        #expect(report.cacheHits == 9 && report.requests == 10 && report.errors == 0)
    }

    @Test func withTheOuterLayerOffEveryRequestReachesThePoolAndTheCountsAgree() throws {
        let stack = try Stack(workers: 3)
        defer { _ = try? stack.stop() }
        #expect(try stack.run("outer-cache", "off").status == 0)
        let report = try Self.analysis(stack).run(Self.tenTimes())
        let row = try #require(report.rows.first { $0.template == .artist })
        #expect(!row.outer.enabled && row.outer.requests == 10)
        #expect(row.inner.requests == 10 && row.inner.misses >= 1 && row.inner.misses <= 3 && row.inner.hits == 10 - row.inner.misses)
        #expect(report.pool?.accepted == 10)
        #expect(report.checksAgree && report.pool != nil && report.log != nil, "\(report.checks)")
        #expect(report.text().contains("✓ the pool's counters agree with the headers (10 requests reached a worker)"))
    }

    @Test func anotherClientsRequestsAreSeenAsADisagreement() throws {
        let stack = try Stack()
        defer { _ = try? stack.stop() }
        #expect(try stack.run("outer-cache", "off").status == 0)
        let analysis = try Self.analysis(stack)
        let elsewhere = try HTTPConnection(analysis.configuration.server)
        // The pool's readings around a request this analysis did not send.
        let before = try PoolCounters.read(analysis.connection)
        _ = try elsewhere.request("/api/v1/library/works/3")
        let after = try PoolCounters.read(analysis.connection)
        let check = PoolCheck(before: before, after: after, observations: [])
        #expect(!check.agrees)
        #expect(check.lines.contains("✗ requests that reached a worker: the pool counted 1, the headers said 0 (other clients were using the server at the same time?)"))
        #expect(check.lines.contains("✗ work inner misses: the pool counted 1, the headers said 0 (other clients were using the server at the same time?)"))
    }

    @Test func theStackSwitchesAndClearsEachLayer() throws {
        let stack = try Stack(workers: 1)  // one inner cache: its hit is certain
        defer { _ = try? stack.stop() }
        #expect(try stack.get(Self.artist)["x-cache-outer"] == "MISS")
        #expect(try HeadTests.getOnceStored(Self.artist, stack)["x-cache-outer"] == "HIT")
        let clear = try stack.run("outer-cache", "clear")
        #expect(clear.status == 0 && clear.output.contains("outer cache: cleared"), "\(clear.output)")
        let again = try stack.get(Self.artist)
        #expect(again["x-cache-outer"] == "MISS" && again["x-cache-inner"] == "HIT", "\(again.headers)")
        #expect(try stack.run("outer-cache", "state").output == "ON\n")

        let off = try stack.run("inner-cache", "off")
        #expect(off.status == 0 && off.output.contains("inner cache: off"), "\(off.output)")
        #expect(try stack.get("/api/v1/library/artists/2")["x-cache-inner"] == "OFF")
        #expect(try String(contentsOfFile: stack.runDir + "/pool.env", encoding: .utf8).contains("AIRWAVE_INNER_CACHE=off\n"))
        #expect(try stack.run("inner-cache", "on").status == 0)
        #expect(try stack.get("/api/v1/library/artists/3")["x-cache-inner"] == "MISS")
        #expect(try stack.run("inner-cache", "maybe").status != 0)
    }

    @Test func loadTestAgainstTheStackWritesItsReport() throws {
        let stack = try Stack()
        defer { _ = try? stack.stop() }
        let json = stack.runDir + "/load.json"
        let run = try Subprocess.run(Stack.binary, ["load-test", "--url", "http://127.0.0.1:\(stack.port)", "--users", "4", "--think", "0",
                                                    "--duration", "2", "--seed", "5", "--json", json, "--fail-on", "errors>0"])
        #expect(run.status == 0, "\(run.output)")
        for words in ["(300 artists, seed 5)", "Load Test Results (4 users, closed loop, no think time, 2 s", "GET /artists/{id}/works", "GET /works/{id}/recordings (*)",
                      "Total Errors: 0", "Throughput:", "P99:", "outer (nginx):  hit rate", "✓ passed --fail-on errors>0: measured 0.00"] {
            #expect(run.output.contains(words), "missing \(words) in \(run.output)")
        }
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let total = try #require(report["total"] as? [String: Any])
        let requests = try #require(total["requests"] as? Int)
        #expect(requests > 50 && total["errors"] as? Int == 0)
        let outer = try #require(total["outer"] as? [String: Int])
        #expect(outer.values.reduce(0, +) == requests && (outer["HIT"] ?? 0) > 0)
        #expect((report["endpoints"] as? [[String: Any]])?.count == 6)
        // Every request it sent is in nginx's log, tagged as the load test's.
        #expect(Stack.eventually(within: 3) { stack.log("access.log").components(separatedBy: "agent=\"airwave-load-test\"").count - 1 == requests })
    }

    @Test func failOnExitsNonZeroOnlyWhenCrossed() throws {
        // A stub answering every request in 5 ms.
        let stub = try StubServer { request in
            SystemClock.sleep(until: request.arrival + 5_000_000)
            return StubServer.library(request)
        }
        defer { stub.stop() }
        func loadTest(_ extra: [String]) throws -> (status: Int32, output: String) {
            try Subprocess.run(Stack.binary, ["load-test", "--url", stub.url.description, "--users", "2", "--think", "0", "--duration", "1"] + extra)
        }
        let crossed = try loadTest(["--fail-on", "p95>1ms,errors>0.1%"])
        #expect(crossed.status == 1, "\(crossed.output)")
        #expect(crossed.output.contains("✗ FAILED --fail-on p95>1ms") && crossed.output.contains("✓ passed --fail-on errors>0.1%"))
        let passed = try loadTest(["--fail-on", "p95>500ms,errors>0.1%"])
        #expect(passed.status == 0, "\(passed.output)")
        let bad = try loadTest(["--fail-on", "p95>fast"])
        #expect(bad.status != 0 && bad.status != 1 && bad.output.contains("not a number"))
        let nobody = try Subprocess.run(Stack.binary, ["load-test", "--url", "http://127.0.0.1:1", "--duration", "1"])
        #expect(nobody.status == 2 && nobody.output.contains("cannot connect"), "\(nobody.output)")
    }

    @Test func theMatrixRunsFourConfigurationsAndPutsTheLayersBack() throws {
        let stack = try Stack()
        defer { _ = try? stack.stop() }
        let run = try stack.airwave("cache-analysis", "--url", "http://127.0.0.1:\(stack.port)", "--matrix", "--requests", "20",
                                    "--seed", "3", "--stack", Stack.root + "/scripts/stack")
        #expect(run.status == 0, "\(run.output)")
        for words in ["== outer on, inner on", "== outer on, inner off", "== outer off, inner on", "== outer off, inner off",
                      "Cache matrix", "outer off, inner off: overall hit rate 0.0%, checks agree", "Restoring: outer on, inner on"] {
            #expect(run.output.contains(words), "missing \(words)")
        }
        #expect(!run.output.contains("DISAGREE"))
        // Back as it was: both layers on.
        #expect(try stack.run("outer-cache", "state").output == "ON\n")
        let first = try stack.get("/api/v1/library/works/5")
        #expect(first["x-cache-outer"] == "MISS" && first["x-cache-inner"] == "MISS")
    }
}
