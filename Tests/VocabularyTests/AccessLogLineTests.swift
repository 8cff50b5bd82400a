import Foundation
import Testing
import Vocabulary

/// nginx's access-log line, read back: every field in place, nothing a
/// client sends can pass for one, no input traps.
@Suite struct AccessLogLineTests {
    static let line = #"127.0.0.1 [28/Nov/2026:02:10:06 +0000] "GET /api/v1/library/artists/5 HTTP/1.1" 200 101 outer=MISS inner=HIT upstream_time=0.001 request_time=0.001 endpoint=artist msec=1795831806.123 upstream=198.18.0.2:9000, 198.18.0.6:9000 agent="curl/8.1""#

    @Test func everyField() throws {
        let line = try #require(AccessLogLine(Array(Self.line.utf8)))
        #expect(line == AccessLogLine(status: 200, cache: CacheStatus(outer: "MISS", inner: "HIT"), endpoint: .artist,
                                      milliseconds: 1_795_831_806_123, agent: "curl/8.1"))
    }

    @Test func anOlderLineWithoutEndpointOrTime() throws {
        let line = try #require(AccessLogLine(Array(#"::1 [x] "GET /a HTTP/1.1" 404 5 outer=HIT inner=- upstream_time=- request_time=0.000 agent="me""#.utf8)))
        #expect(line.status == 404 && line.cache == CacheStatus(outer: "HIT", inner: "-") && line.endpoint == nil && line.milliseconds == nil && line.agent == "me")
    }

    @Test func theClientCannotForgeAField() throws {
        // A request line and an agent that spell other fields (nginx escapes their quotes as \x22).
        let text = #"127.0.0.1 [x] "GET /x outer=HIT inner=HIT endpoint=artists msec=1.000 \x22 agent=\x22y HTTP/1.1" 400 0 outer=- inner=- upstream_time=- request_time=0.000 endpoint=- msec=1795831806.000 agent="a\x22 outer=HIT endpoint=work""#
        let line = try #require(AccessLogLine(Array(text.utf8)))
        #expect(line.status == 400 && line.cache == CacheStatus(outer: "-", inner: "-") && line.endpoint == nil)
        #expect(line.milliseconds == 1_795_831_806_000 && line.agent == #"a\x22 outer=HIT endpoint=work"#)
    }

    @Test(arguments: ["", "junk", "\"", "a \"b\" c", #"x "GET /" 200 5"#, #"x "GET /" 2000 5 outer=MISS inner=MISS"#,
                      #"x "GET /" 200 5 inner=MISS"#, #"x "GET /" abc 5 outer=MISS inner=MISS"#])
    func notALine(_ text: String) {
        #expect(AccessLogLine(Array(text.utf8)) == nil)
    }

    @Test func badTimesAreNoTimes() throws {
        for msec in ["1.1", "x.123", "99999999999999.123", ".123", "1795831806.1234"] {
            let text = Self.line.replacingOccurrences(of: "msec=1795831806.123", with: "msec=\(msec)")
            #expect(try #require(AccessLogLine(Array(text.utf8))).milliseconds == nil, "\(msec)")
        }
    }

    /// Random bytes, and a good line cut and flipped at random: never a trap.
    @Test func noInputTraps() {
        var random = SystemRandomNumberGenerator()
        let good = Array(Self.line.utf8)
        for _ in 0..<20_000 {
            var bytes = good
            switch Int.random(in: 0..<3, using: &random) {
            case 0: bytes = (0..<Int.random(in: 0..<300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 1: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            default:
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = [0x20, 0x22, 0x3D, 0x2E, 0x30, 0x39, 0xFF].randomElement(using: &random)!
                }
            }
            if let line = AccessLogLine(bytes) { #expect((100...999).contains(line.status)) }
        }
    }
}
