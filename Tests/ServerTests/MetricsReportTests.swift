import API
import Cache
import DemoData
import FastCGI
import Foundation
@testable import Pool
@testable import Server
import Store
import Support
import Testing

/// `GET /api/v1/system/metrics`, from a worker assembled as the pool
/// assembles it, over a real scoreboard and shared cache: the pool's numbers
/// in Prometheus's text format, and the format itself.
@Suite struct MetricsReportTests {
    let library: TemporaryLibrary
    let settings: Settings
    let boardPath = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID()).sb").path
    static let secret = "0123456789abcdef0123"

    init() throws {
        library = try TemporaryLibrary(artists: 30)
        var settings = Settings(database: library.path, pool: PoolConfiguration(listen: .unix(path: "/unused.sock")))
        settings.systemSecret = try SystemSecret(Array(Self.secret.utf8))
        self.settings = settings
    }

    func get(_ responder: Responder, _ uri: String, method: String = "GET") -> FastCGIResponse {
        responder.respond(FastCGIRequest(parameters: [("REQUEST_METHOD", Array(method.utf8)), ("REQUEST_URI", Array(uri.utf8)),
                                                      ("AIRWAVE_SYSTEM_SECRET", Array(Self.secret.utf8))]))
    }

    @Test func thePoolsNumbersInPrometheusText() throws {
        defer { unlink(boardPath) }
        let board = try Scoreboard.create(path: boardPath, slots: 2, masterPID: getpid())
        board.workerStarted(slot: 0, pid: getpid(), replacing: false)
        board.workerReady(slot: 0)
        let cache = try SharedCache()
        let worker = try Server.worker(WorkerContext(slot: 0, scoreboard: board), settings: settings, cache: cache,
                                       artistFacts: try ArtistFacts(capacity: 100))
        for uri in ["/api/v1/library/artists/3", "/api/v1/library/artists/3", "/api/v1/library/artists/abc", "/api/v1/library/works/999999"] {
            _ = get(worker, uri)
        }

        let first = get(worker, "/api/v1/system/metrics")
        let head = String(decoding: first.head, as: UTF8.self)
        #expect(head.hasPrefix("Status: 200 OK\r\n") && head.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        #expect(head.contains("Cache-Control: no-store\r\n") && !head.contains("X-Cache-Inner"))
        let metrics = try ExpositionText(parsing: String(decoding: first.body, as: UTF8.self))

        #expect(metrics["airwave_requests_total", ["endpoint": "artist", "code": "2xx"]] == 2)
        #expect(metrics["airwave_requests_total", ["endpoint": "artist", "code": "4xx"]] == 1)
        #expect(metrics["airwave_requests_total", ["endpoint": "work", "code": "4xx"]] == 1)
        #expect(metrics["airwave_requests_total", ["endpoint": "work", "code": "5xx"]] == 0)  // there before any error
        #expect(metrics["airwave_requests_total", ["endpoint": "system", "code": "2xx"]] == nil)  // counted once answered
        let ok = ["endpoint": "artist", "code": "2xx"]
        #expect(metrics["airwave_request_duration_seconds_count", ok] == 2)
        #expect(metrics["airwave_request_duration_seconds_bucket", ok.merging(["le": "+Inf"]) { $1 }] == 2)
        #expect((metrics["airwave_request_duration_seconds_sum", ok] ?? 0) > 0)

        let counters = try #require(cache.counters()[.artist])
        #expect(counters.hits == 1 && counters.misses == 1 && counters.entries == 1)
        #expect(metrics["airwave_inner_cache_hits_total", ["endpoint": "artist"]] == 1)
        #expect(metrics["airwave_inner_cache_misses_total", ["endpoint": "artist"]] == 1)
        #expect(metrics["airwave_inner_cache_entries", ["endpoint": "artist"]] == 1)
        #expect(metrics["airwave_inner_cache_bytes", ["endpoint": "artist"]] == Double(counters.bytes))
        #expect(metrics["airwave_inner_cache_max_entries"] == Double(cache.configuration.maxEntries))
        #expect(metrics["airwave_inner_cache_max_bytes"] == Double(cache.configuration.maxBytes))
        #expect(metrics["airwave_inner_cache_enabled"] == 1 && metrics["airwave_inner_cache_epoch"] == Double(cache.epoch))

        #expect(metrics["airwave_workers", ["state": "idle"]] == 1 && metrics["airwave_workers", ["state": "empty"]] == 1)
        #expect(metrics["airwave_workers", ["state": "busy"]] == 0 && metrics["airwave_worker_restarts_total"] == 0)
        #expect(metrics["airwave_accepted_requests_total"] == 0)  // the worker loop counts those; here nothing did

        // This process is the "master" and the "worker": counted once each.
        let own = try #require(ProcessStats.memory(getpid()))
        let rss = own.anonymous + own.shared
        #expect(try #require(metrics["airwave_resident_memory_bytes"]) >= (2 * own.anonymous + own.shared) * 0.5)
        #expect(try #require(metrics["airwave_cpu_seconds_total"]) >= ProcessStats.cpuSeconds(getpid())!)
        #expect(try #require(metrics["airwave_memory_limit_bytes"]) > rss)
        #expect(try #require(metrics["airwave_cpu_cores"]) >= 1)

        var info = stat()
        #expect(stat(library.path, &info) == 0)
        #expect(metrics["airwave_database_inode"] == Double(info.st_ino) && metrics["airwave_database_size_bytes"] == Double(info.st_size))

        // Read again: the scrape before is counted now (no layer kept the first answer).
        let second = try ExpositionText(parsing: String(decoding: get(worker, "/api/v1/system/metrics").body, as: UTF8.self))
        #expect(second["airwave_requests_total", ["endpoint": "system", "code": "2xx"]] == 1)
        #expect(String(decoding: get(worker, "/api/v1/system/metrics", method: "POST").head, as: UTF8.self).hasPrefix("Status: 405"))
        #expect(String(decoding: get(worker, "/api/v1/system/metrics", method: "HEAD").head, as: UTF8.self).hasPrefix("Status: 200"))
    }

    /// Every family declared once, before its series, with conventional
    /// names; histograms cumulative with +Inf = count; and Prometheus's own
    /// linter agrees.
    @Test func followsTheFormatsConventions() throws {
        defer { unlink(boardPath) }
        let board = try Scoreboard.create(path: boardPath, slots: 1, masterPID: getpid())
        board.observe(route: 0, statusClass: 1, microseconds: 700)
        board.observe(route: 0, statusClass: 1, microseconds: 30_000)
        board.observe(route: 6, statusClass: 3, microseconds: 10)
        let text = String(decoding: MetricsReport.text(board, cache: nil, database: library.path), as: UTF8.self)
        let metrics = try ExpositionText(parsing: text)

        for (name, kind) in metrics.types {
            #expect(name.hasPrefix("airwave_") && name.allSatisfy { $0.isLowercase || $0 == "_" }, "\(name)")
            #expect(metrics.helps[name] != nil, "\(name) has no HELP")
            #expect((kind == "counter") == name.hasSuffix("_total"), "\(name) is a \(kind)")
            if kind == "histogram" { #expect(name.hasSuffix("_seconds")) }
        }
        #expect(metrics.types["airwave_request_duration_seconds"] == "histogram")
        let series = metrics.samples.filter { $0.name == "airwave_request_duration_seconds_bucket" }
        let byLabels = Dictionary(grouping: series) { $0.labels.filter { $0.key != "le" } }
        #expect(byLabels.count >= 11)  // 10 library 2xx/5xx + the one "other" 4xx
        for (labels, buckets) in byLabels {
            let values = buckets.map(\.value)
            #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }, "\(labels)")
            #expect(buckets.last?.labels["le"] == "+Inf" && values.last == metrics["airwave_request_duration_seconds_count", labels])
        }
        let artists = ["endpoint": "artists", "code": "2xx"]
        #expect(metrics["airwave_request_duration_seconds_bucket", artists.merging(["le": "0.001"]) { $1 }] == 1)
        #expect(metrics["airwave_request_duration_seconds_bucket", artists.merging(["le": "0.05"]) { $1 }] == 2)
        #expect(metrics["airwave_requests_total", ["endpoint": "other", "code": "4xx"]] == 1)
        #expect(metrics["airwave_inner_cache_enabled"] == 0 && metrics["airwave_inner_cache_epoch"] == nil)

        let promtool = "/usr/bin/promtool"
        try #require(FileManager.default.isExecutableFile(atPath: promtool), "promtool is missing: scripts/install-deps --tests installs it")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && said.isEmpty, "\(said)")
    }

    @Test func escapesAndNumbers() {
        var out = Exposition()
        out.family("airwave_x", .gauge, "A \\ help\nline \"quoted\"")
        out.sample("airwave_x", ["path": "a\"b\\c\nd"], 0.25)
        out.sample("airwave_x", [:], 3)
        out.sample("airwave_x", [:], .infinity)
        #expect(out.text == "# HELP airwave_x A \\\\ help\\nline \"quoted\"\n# TYPE airwave_x gauge\n"
            + "airwave_x{path=\"a\\\"b\\\\c\\nd\"} 0.25\nairwave_x 3\nairwave_x +Inf\n")
        #expect(Exposition.number(1e20) == "1e+20" && Exposition.number(.nan) == "NaN" && Exposition.number(-2) == "-2")
    }
}

/// A reader for the tests: the families' HELP and TYPE, and every series.
struct ExpositionText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    var types: [String: String] = [:]
    var helps: [String: String] = [:]
    var samples: [Sample] = []

    init(parsing text: String) throws {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1)
                let name = String(parts[0])
                if line.hasPrefix("# TYPE ") {
                    guard types[name] == nil else { throw ParseError(description: "\(name) declared twice") }
                    types[name] = String(parts[1])
                } else {
                    helps[name] = parts.count > 1 ? String(parts[1]) : ""
                }
                continue
            }
            guard let space = line.lastIndex(of: " "),
                  let value = Double(line[line.index(after: space)...].replacingOccurrences(of: "+Inf", with: "inf")) else {
                throw ParseError(description: "not a sample: \(line)")
            }
            let series = line[..<space]
            let name = String(series.prefix { $0 != "{" })
            var labels: [String: String] = [:]
            if let open = series.firstIndex(of: "{") {
                for pair in series[series.index(after: open)..<series.index(before: series.endIndex)].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
                }
            }
            let family = ["", "_bucket", "_sum", "_count"].contains { suffix in
                name.hasSuffix(suffix) && types[String(name.dropLast(suffix.count))] != nil
            }
            guard family else { throw ParseError(description: "\(name) before its TYPE") }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
    }

    /// The value of the series `name` with exactly these labels, if there is one.
    subscript(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }
}
