import FastCGI
import Foundation
@testable import Live
import Support
import Testing

/// `airwave live`'s answers, in-process: the counters, the outer cache's
/// buttons (running a stand-in for the stack script), and refusals.
@Suite struct LiveServerTests {
    let folder: String
    let secret = "0123456789abcdef0123"

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder + "/nginx", withIntermediateDirectories: true)
        try "fastcgi_cache airwave;\n".write(toFile: folder + "/nginx/outer-cache.conf", atomically: false, encoding: .utf8)
    }

    func server(script: String? = nil) throws -> LiveServer {
        var configuration = LiveServer.Configuration(socketPath: folder + "/live.sock", accessLog: folder + "/access.log", runDir: folder)
        configuration.secret = try SystemSecret(Array(secret.utf8))
        configuration.stackScript = script
        return LiveServer(configuration)
    }

    func request(_ method: String, _ uri: String, secret: String? = nil) -> FastCGIRequest {
        FastCGIRequest(parameters: [("REQUEST_METHOD", Array(method.utf8)), ("REQUEST_URI", Array(uri.utf8))]
                       + [("AIRWAVE_SYSTEM_SECRET", Array((secret ?? self.secret).utf8))])
    }

    static func status(_ response: FastCGIResponse) -> String {
        String(decoding: response.head, as: UTF8.self).components(separatedBy: "\r\n")[0]
    }

    static func json(_ response: FastCGIResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func countsAndRefusals() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let live = try server()
        let answer = live.respond(request("GET", "/api/v1/system/live?x=1"))
        #expect(Self.status(answer) == "Status: 200 OK" && String(decoding: answer.head, as: UTF8.self).contains("Cache-Control: no-store\r\n"))
        #expect((try Self.json(answer)["outer_cache"] as? [String: Any])?["state"] as? String == "on")
        #expect(Self.status(live.respond(request("GET", "/api/v1/system/live", secret: "wrong-but-long-enough"))) == "Status: 403 Forbidden")
        #expect(Self.status(live.respond(request("POST", "/api/v1/system/live"))) == "Status: 405 Method Not Allowed")
        #expect(Self.status(live.respond(request("GET", "/api/v1/system/live/outer-cache/off"))) == "Status: 405 Method Not Allowed")
        #expect(Self.status(live.respond(request("POST", "/api/v1/system/live/outer-cache/sideways"))) == "Status: 404 Not Found")
        #expect(Self.status(live.respond(request("GET", "/api/v1/system/lively"))) == "Status: 404 Not Found")
        // No stack script: the buttons say why they cannot work.
        let refused = live.respond(request("POST", "/api/v1/system/live/outer-cache/off"))
        #expect(try Self.status(refused) == "Status: 503 Service Unavailable" && (Self.json(refused)["detail"] as? String)?.contains("--stack") == true)
    }

    /// A button runs `SCRIPT outer-cache ACTION` in the run folder, one at
    /// a time, and the counters' JSON says how it ended.
    @Test func theOuterCacheButtonsRunTheStackScript() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/stack"
        try """
        #!/bin/sh
        [ "$1" = outer-cache ] || exit 3
        sleep 0.3
        [ "$2" = off ] && printf 'fastcgi_cache off;\\n' > "$AIRWAVE_RUN_DIR/nginx/outer-cache.conf"
        echo "$2" >> "$AIRWAVE_RUN_DIR/ran"
        """.write(toFile: script, atomically: false, encoding: .utf8)
        chmod(script, 0o755)
        let live = try server(script: script)
        let started = live.respond(request("POST", "/api/v1/system/live/outer-cache/off"))
        #expect(try Self.status(started) == "Status: 202 Accepted" && (Self.json(started)["action"] as? String) == "off")
        let busy = live.respond(request("POST", "/api/v1/system/live/outer-cache/clear"))
        #expect(try Self.status(busy) == "Status: 409 Conflict" && (Self.json(busy)["detail"] as? String) == "outer-cache off is still running")
        #expect((try Self.json(live.respond(request("GET", "/api/v1/system/live")))["outer_cache"] as? [String: Any])?["running"] as? String == "off")
        var outer: [String: Any] = [:]
        for _ in 0..<50 where outer["running"] is String || outer.isEmpty {
            usleep(100_000)
            outer = try #require(try Self.json(live.respond(request("GET", "/api/v1/system/live")))["outer_cache"] as? [String: Any])
        }
        #expect(outer["state"] as? String == "off" && outer["last_action"] as? String == "off" && outer["last_succeeded"] as? Bool == true)
        #expect(try String(contentsOfFile: folder + "/ran", encoding: .utf8) == "off\n")
    }
}
