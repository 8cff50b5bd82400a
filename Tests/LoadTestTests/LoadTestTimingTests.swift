import Synchronization
import Testing
import Traffic
import TrafficTesting
@testable import LoadTest
import Support

/// Real time against a stub server whose delays are known. `make test` runs
/// this suite on its own, after the others: it measures time.
@Suite(.serialized) struct LoadTestTimingTests {
    static func sleep(until deadline: UInt64) { SystemClock.sleep(until: deadline) }

    static func configuration(_ stub: StubServer, users: Int, seconds: Double, pacing: Pacing) -> LoadTestConfiguration {
        var configuration = LoadTestConfiguration(server: stub.url)
        configuration.users = users
        configuration.duration = seconds
        configuration.pacing = pacing
        return configuration
    }

    @Test func percentilesAreWithinAMillisecondOfTheTruth() throws {
        // Every tenth request takes 40 ms, the others 10 ms: the truth is
        // p50 = 10, p95 = p99 = max = 40, min = 10.
        let stub = try StubServer { request in
            Self.sleep(until: request.arrival + (request.index % 10 == 9 ? 40_000_000 : 10_000_000))
            return StubServer.library(request)
        }
        defer { stub.stop() }
        let test = LoadTest(Self.configuration(stub, users: 4, seconds: 3, pacing: .think(0...0)), catalog: Catalog(artistIDs: [1, 2, 3]))
        let report = test.run()
        let l = report.total.latency
        #expect(report.total.requests > 300 && report.total.errors == 0)
        #expect(report.total.requests == stub.requestCount)
        #expect(abs(l.p50 - 10) < 1, "p50 \(l.p50)")
        #expect(abs(l.p95 - 40) < 1, "p95 \(l.p95)")
        #expect(abs(l.p99 - 40) < 1, "p99 \(l.p99)")
        #expect(abs(l.min - 10) < 1, "min \(l.min)")
        #expect(l.max >= 40 && l.max < 45, "max \(l.max)")  // one sample: a scheduler's hiccup is its to keep
        // Rates are over wall time: about 4 users / 13 ms each.
        #expect(abs(report.total.rate - Double(report.total.requests) / report.wallSeconds) < 0.001)
        #expect(report.wallSeconds >= 3 && report.wallSeconds < 3.2)
    }

    @Test func aStallShowsInTheLatencyOfEveryRequestThatWasDueDuringIt() throws {
        // 1 ms answers, but everything that arrives in a 500 ms window
        // waits for its end. At 200 req/s, ~100 requests fall due in it.
        let stall = Mutex<(start: UInt64, end: UInt64)?>(nil)
        let stub = try StubServer { request in
            var deadline = request.arrival + 1_000_000
            if let window = stall.withLock({ $0 }), request.arrival >= window.start, request.arrival < window.end { deadline = window.end }
            Self.sleep(until: deadline)
            return StubServer.library(request)
        }
        defer { stub.stop() }
        let now = SystemClock.now()
        stall.withLock { $0 = (now + 1_000_000_000, now + 1_500_000_000) }
        let test = LoadTest(Self.configuration(stub, users: 2, seconds: 3, pacing: .rate(200)), catalog: Catalog(artistIDs: [1, 2, 3]))
        let report = test.run()
        let latency = report.total.latency, service = report.total.service
        #expect(report.total.errors == 0 && report.total.requests > 550, "\(report.total.requests) requests")
        // What users waited: ~1/6 of the requests waited between 0 and 500 ms.
        #expect(latency.max > 450 && latency.max < 560, "max \(latency.max)")
        #expect(latency.p95 > 200, "p95 \(latency.p95)")
        #expect(latency.p90 > 100, "p90 \(latency.p90)")
        // Timed from sending, only the two requests in flight saw the stall:
        // the coordinated omission a naive tester reports.
        #expect(service.p95 < 20, "service p95 \(service.p95)")
        #expect(service.max > 450)
    }

    @Test func openLoopKeepsItsScheduleAndCountsWhatItCouldNotSend() throws {
        // One user, 100 req/s due, 30 ms answers: it can send about 33 a second.
        let stub = try StubServer { request in
            Self.sleep(until: request.arrival + 30_000_000)
            return StubServer.library(request)
        }
        defer { stub.stop() }
        let report = LoadTest(Self.configuration(stub, users: 1, seconds: 2, pacing: .rate(100)), catalog: Catalog(artistIDs: [1])).run()
        #expect(report.total.requests > 50 && report.total.requests < 80, "\(report.total.requests)")
        #expect(report.total.requests + report.unsent == 200)
        // The last requests sent were due long before: latency grows to ~1.3 s.
        #expect(report.total.latency.max > 1000, "max \(report.total.latency.max)")
        #expect(report.total.service.max < 60)
    }

    @Test func usersThinkOncePerVisit() throws {
        // Instant answers, 0.25 s of thought after each visit: 2 s give one user
        // 7 or 8 visits of 5-6 clicks (the first starts within 0.25 s).
        let stub = try StubServer(handler: StubServer.library)
        defer { stub.stop() }
        let report = LoadTest(Self.configuration(stub, users: 1, seconds: 2, pacing: .think(0.25...0.25)), catalog: Catalog(artistIDs: [1, 2])).run()
        let visits = report.endpoints.first { $0.endpoint == Template.artists.rawValue }?.requests ?? 0
        #expect(visits == 7 || visits == 8, "\(visits) visits")
        #expect(report.total.requests >= 5 * visits - 5 && report.total.requests <= 6 * visits, "\(report.total.requests) requests")
    }
}
