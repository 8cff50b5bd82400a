import Foundation
import Testing
import Traffic

/// A real Prometheus against a live stack: it scrapes the pool's metrics
/// through nginx on loopback, once a second, with the guide's alerts
/// loaded; what it then says about the inner cache is what the pool's own
/// `cache/stats` says. Its config, data and port are its own, in the
/// stack's run folder; it is stopped by its pid.
@Suite struct PrometheusTests {
    static let binary = "/usr/bin/prometheus"

    @Test func scrapesThePoolAndAgreesWithCacheStats() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "prometheus is missing: scripts/install-deps --tests installs it")
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }

        // The first scrape, on cold caches: every family there, nothing counted yet but the stack's own checks.
        let cold = try stack.get("/api/v1/system/metrics")
        #expect(cold.status == 200 && cold["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(cold["cache-control"] == "no-store" && cold["x-cache-outer"] == nil && cold["x-cache-inner"] == nil)
        #expect(cold.text.contains("\nairwave_inner_cache_hits_total{endpoint=\"artist\"} 0\n"))
        #expect(cold.text.contains("\nairwave_requests_total{endpoint=\"work\",code=\"2xx\"} 0\n"))

        // Traffic, then none: the same artist under several URLs nginx keys
        // apart (unknown parameters) and the pool's cache keys together.
        var reachedPool = 0
        for round in 0..<4 {
            for id in 1...5 {
                let response = try stack.get("/api/v1/library/artists/\(id)?round=\(round)")
                #expect(response.status == 200)
                if response["x-cache-outer"] != "HIT" { reachedPool += 1 }
            }
        }
        #expect(try stack.get("/api/v1/library/works/abc").status == 422)
        let stats = try #require(try stack.get("/api/v1/system/cache/stats").json as? [String: Any])
        let total = try #require(stats["total"] as? [String: Any])
        let (hits, misses) = (try #require(total["hits"] as? Int), try #require(total["misses"] as? Int))
        let hitRate = try #require(total["hit_rate"] as? Double)
        #expect(hits == 15 && misses == 5 && hitRate == 0.75)

        let prometheus = try PrometheusServer(scraping: stack)
        defer { prometheus.stop() }
        // Until it listens and has scraped once.
        #expect(Stack.eventually(within: 30) { (try? prometheus.value("up")) == 1 }, "no successful scrape: \(prometheus.log)")
        let rate = "sum(airwave_inner_cache_hits_total) / (sum(airwave_inner_cache_hits_total) + sum(airwave_inner_cache_misses_total))"
        #expect(try Stack.eventually(within: 10) { try prometheus.value(rate) == hitRate }, "hit rate: \(String(describing: try? prometheus.value(rate)))")
        #expect(try prometheus.value("sum(airwave_inner_cache_hits_total)") == Double(hits))
        #expect(try prometheus.value("sum(airwave_inner_cache_misses_total)") == Double(misses))
        #expect(try prometheus.value(#"sum(airwave_requests_total{endpoint!~"system|other"})"#) == Double(reachedPool + 1))
        #expect(try prometheus.value(#"airwave_requests_total{endpoint="work",code="4xx"}"#) == 1)
        #expect(try prometheus.value(#"sum(airwave_workers{state=~"idle|reading|busy"})"#) == 2)
        #expect(try prometheus.value("airwave_resident_memory_bytes / airwave_memory_limit_bytes").map { $0 > 0 && $0 < 1 } == true)

        // Every metric the alerts read is scraped, and every rule evaluates without error.
        let alerts = try String(contentsOfFile: AlertRulesTests.directory + "/alerts.yml", encoding: .utf8)
        let names = Set(alerts.matches(of: #/airwave_[a-z_]+/#).map { String($0.output) })
        #expect(names.count == 8)
        for name in names.sorted() { #expect((try prometheus.value("count(\(name))") ?? 0) >= 1, "\(name)") }
        #expect(try Stack.eventually(within: 10) { try prometheus.ruleHealth().count == 6 })
        let health = try prometheus.ruleHealth()
        #expect(health.count == 6 && health.values.allSatisfy { $0 == "ok" }, "\(health)")
    }
}

/// One Prometheus server for one test: its config and TSDB in the stack's
/// run folder, on a free loopback port, scraping the stack every second.
final class PrometheusServer {
    let port: Int
    let folder: String
    private let process: Subprocess
    private var stopped = false

    init(scraping stack: Stack) throws {
        port = try Stack.freePort()
        folder = stack.runDir + "/prometheus"
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        try """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
          - \(AlertRulesTests.directory)/alerts.yml
        scrape_configs:
          - job_name: airwave
            metrics_path: /api/v1/system/metrics
            static_configs:
              - targets: ['127.0.0.1:\(stack.port)']

        """.write(toFile: folder + "/prometheus.yml", atomically: true, encoding: .utf8)
        process = try Subprocess(PrometheusTests.binary, [
            "--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ])
    }

    deinit { stop() }

    /// SIGTERM to its pid, then reaped.
    func stop() {
        guard !stopped else { return }
        stopped = true
        process.signal(SIGTERM)
        _ = process.wait()
    }

    var log: String { process.output }

    /// The one value of an instant query, or nil when it has none.
    func value(_ query: String) throws -> Double? {
        let data = try self.data("/api/v1/query?query=" + Self.encoded(query))
        guard let results = data["result"] as? [[String: Any]], results.count == 1,
              let pair = results[0]["value"] as? [Any], pair.count == 2, let text = pair[1] as? String else { return nil }
        return Double(text)
    }

    /// Each alerting rule's name and health (`ok`, `err`, `unknown` before its first evaluation).
    func ruleHealth() throws -> [String: String] {
        let groups = (try data("/api/v1/rules")["groups"] as? [[String: Any]]) ?? []
        let rules = groups.flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }
        return Dictionary(rules.compactMap { rule in (rule["name"] as? String).map { ($0, rule["health"] as? String ?? "") } }) { $1 }
    }

    private func data(_ target: String) throws -> [String: Any] {
        let response = try HTTP.request(port: port, "GET", target)
        guard response.status == 200, let json = response.json as? [String: Any], json["status"] as? String == "success" else {
            throw HTTPError(description: "prometheus \(target): \(response.status) \(response.text)")
        }
        return json["data"] as? [String: Any] ?? [:]
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"))!
    }
}
