import Testing
import Traffic
@testable import LoadTest

@Suite struct ThresholdTests {
    /// A report of `ms` latencies (one request each) and `failures` failed requests over `seconds`.
    static func report(_ ms: [Double], failures: Int = 0, outer: String = "MISS", inner: String = "MISS", seconds: Double = 10) -> LoadReport {
        var recorder = Recorder()
        for value in ms {
            let response = HTTPResponse(status: 200, headers: [("x-cache-outer", outer), ("x-cache-inner", inner)], body: [])
            recorder.answered(.artist, response, due: 0, sent: 0, done: UInt64(value * 1e6))
        }
        for _ in 0..<failures { recorder.failed(.work, TrafficError("GET /x: cannot connect")) }
        return LoadReport(configuration: LoadTestConfiguration(server: try! ServerURL("http://127.0.0.1:1")),
                          catalogSize: 1, recorder: recorder, wallSeconds: seconds, unsent: 0)
    }

    @Test func parsesConditionsWithUnits() throws {
        let list = try Threshold.parseList("p95>50ms, errors>0.1%,max>=2s,p99.9>800us,rps<1000,errors>0,outer_hit_rate<80%")
        #expect(list.map(\.metric) == [.p95, .errors, .max, .p999, .rps, .errors, .outerHitRate])
        #expect(list.map(\.value) == [50, 0.001, 2000, 0.8, 1000, 0, 0.8])
        #expect(list.map(\.comparison) == [.above, .above, .atLeast, .above, .below, .above, .below])
        #expect(list[1].isPercent && !list[5].isPercent)
    }

    @Test func refusesWhatItCannotRead() {
        for (text, words) in [("p95", "expected METRIC"), ("p97>5ms", "unknown metric"), ("p95>fast", "not a number"),
                              ("p95>5%", "not %"), ("errors>5ms", "a number or a %"), ("p95>-1ms", "not a number")] {
            do {
                _ = try Threshold.parseList(text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.description.contains(words), "\(text): \(error)")
            }
        }
    }

    @Test func crossesOnlyWhenTheMeasurementDoes() throws {
        // 100 answers of 1..100 ms: p50 = 50, p95 = 95, p99 = 99, max = 100; 10 s of wall time.
        let report = Self.report((1...100).map(Double.init))
        func crossed(_ text: String) throws -> Bool { try Threshold(text).isCrossed(by: report) }
        #expect(try crossed("p95>94ms") && !crossed("p95>96ms"))
        #expect(try crossed("p50>=50ms") && !crossed("p50>51ms"))
        #expect(try crossed("max>99.5ms") && !crossed("max>0.2s"))
        #expect(try crossed("avg>50ms") && !crossed("avg>51ms"))      // 50.5
        #expect(try crossed("rps<10.5") && !crossed("rps<9.5"))        // 100 requests / 10 s
        #expect(try !crossed("errors>0") && !crossed("errors>0.1%"))
        #expect(try crossed("outer_hit_rate<1%") && !crossed("inner_hit_rate>0"))
    }

    @Test func errorsCountAndRate() throws {
        let report = Self.report(Array(repeating: 1, count: 998), failures: 2)
        #expect(report.total.requests == 1000 && report.total.errors == 2)
        #expect(try Threshold("errors>0.1%").isCrossed(by: report))    // 0.2%
        #expect(try !Threshold("errors>0.5%").isCrossed(by: report))
        #expect(try Threshold("errors>1").isCrossed(by: report) && !Threshold("errors>2").isCrossed(by: report))
    }

    @Test func hitRatesAreReadFromTheHeaders() {
        let served = Self.report([1, 1, 1], outer: "HIT", inner: "-")
        #expect(served.outerHitRate == 1 && served.innerHitRate == nil)
        let off = Self.report([1, 1], outer: "OFF", inner: "HIT")
        #expect(off.outerHitRate == nil && off.innerHitRate == 1)
        #expect(off.text().contains("outer (nginx):  OFF"))
    }
}
