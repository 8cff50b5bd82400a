import Foundation
import Testing
import Traffic
import Vocabulary

/// Schemathesis (PyPI, installed by `make test` into run/venv) against a live
/// stack, from the OpenAPI description nginx serves: every operation,
/// positive and negative cases, more than 10,000 requests, no 5xx, every
/// answer as documented, and nothing stored by either layer for a non-200.
@Suite struct SchemathesisTests {
    static let program = (ProcessInfo.processInfo.environment["AIRWAVE_TEST_VENV"] ?? Stack.root + "/run/venv") + "/bin/schemathesis"
    static let examples = 650

    @Test func schemathesisFindsNothing() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.program) else {
            Issue.record("no schemathesis at \(Self.program): `make test` installs it (scripts/install-deps --tests)")
            return
        }
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        let base = "http://127.0.0.1:\(stack.port)"
        let reports = stack.runDir + "/schemathesis"
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        // Run from the stack's folder: what schemathesis keeps for itself stays there.
        let run = try Subprocess.run("/usr/bin/env", [
            "--chdir=\(reports)", Self.program, "run", base + "/api/v1/openapi.json", "--url", base, "--checks", "all", "--mode", "all",
            "--max-examples", "\(Self.examples)", "--seed", "2026", "--workers", "2", "--no-color", "--generation-database", "none",
            "--report", "har,junit", "--report-dir", reports, "--report-har-path", reports + "/requests.har",
            // The outer cache's buttons reload nginx under the fuzzer's feet; LiveViewTests drive them.
            "--exclude-operation-id", "outerCacheControl",
        ])
        #expect(run.status == 0, "\(run.output.suffix(3000))")

        // Every request it sent, and what came back.
        let har = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reports + "/requests.har"))) as! [String: Any]
        let entries = (har["log"] as! [String: Any])["entries"] as! [[String: Any]]
        var statuses: [Int: Int] = [:]
        var operations = Set<String>()
        var innerFills = 0
        var failedURLs = Set<String>()
        for entry in entries {
            let request = entry["request"] as! [String: Any], response = entry["response"] as! [String: Any]
            let status = response["status"] as! Int
            let headers = Dictionary((response["headers"] as! [[String: Any]]).map { (($0["name"] as! String).lowercased(), $0["value"] as! String) }) { $1 }
            let url = request["url"] as! String
            let method = request["method"] as! String
            statuses[status, default: 0] += 1
            let path = URLComponents(string: url)?.path ?? url
            operations.insert(method + " " + path.split(separator: "/").prefix(5).map { $0.allSatisfy(\.isNumber) ? "{id}" : String($0) }.joined(separator: "/"))
            let cache = CacheStatus(outer: headers["x-cache-outer"] ?? "", inner: headers["x-cache-inner"] ?? "")
            #expect(status < 500, "\(method) \(url): \(status)")
            if status == 200, cache.innerMiss { innerFills += 1 }
            // Nothing but a 200 is ever served from a cache.
            if status != 200 {
                #expect(!cache.outerHit && !cache.innerHit, "\(method) \(url): \(status) from a cache")
                if method == "GET", path.hasPrefix("/api/v1/library/") { failedURLs.insert(String(url.dropFirst(base.count))) }
            }
        }
        print("schemathesis: \(entries.count) requests, statuses \(statuses.sorted { $0.key < $1.key }), \(operations.count) operation shapes, \(failedURLs.count) distinct failing GETs")
        #expect(entries.count >= 10_000)
        #expect(statuses[200, default: 0] > 1000 && statuses[422, default: 0] > 500 && statuses[404, default: 0] > 100)

        // Each failing GET again, twice: still not an answer from a cache.
        let connection = try HTTPConnection(ServerURL(base))
        for url in failedURLs.sorted() {
            for _ in 0..<2 {
                let again = try connection.request(url)
                #expect(again.status != 200 && !CacheStatus(again).outerHit && !CacheStatus(again).innerHit, "\(url)")
            }
        }
        // What the layers hold: nginx's files are all 200s; the inner layer's
        // entries came from 200s only.
        let cacheFiles = FileManager.default.enumerator(atPath: stack.runDir + "/nginx/cache")?.compactMap { $0 as? String } ?? []
        var stored = 0
        for file in cacheFiles {
            guard let data = FileManager.default.contents(atPath: stack.runDir + "/nginx/cache/" + file), !data.isEmpty else { continue }
            stored += 1
            // After nginx's binary header, the KEY line and the first FastCGI
            // record's header: the pool's own head, "Status: …".
            let bytes = [UInt8](data), marker = Array("\0Status: ".utf8)
            let at = (0..<max(0, bytes.count - marker.count - 3)).first { bytes[$0..<$0 + marker.count].elementsEqual(marker) }
            let status = at.map { String(decoding: bytes[$0 + marker.count..<$0 + marker.count + 3], as: UTF8.self) }
            #expect(status == "200", "\(file): \(status ?? "no status")")
        }
        #expect(stored > 100)
        let stats = try #require(try stack.get("/api/v1/system/cache/stats").json as? [String: Any])
        let entriesHeld = try #require((stats["total"] as? [String: Any])?["entries"] as? Int)
        #expect(entriesHeld > 0 && entriesHeld <= innerFills)
    }
}
