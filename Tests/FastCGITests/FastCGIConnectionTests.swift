import CSupport
@testable import FastCGI
import FastCGITesting
import Foundation
import Testing
import Support

/// The worker's side of FastCGI, over a socket pair: what nginx sends is
/// read into a request; anything else ends the connection with a named
/// error, never a crash or a wait past the deadline.
@Suite struct FastCGIConnectionTests {
    typealias R = FastCGIRecords

    /// A connected pair: the worker's end (non-blocking, as accepted) and the
    /// web server's.
    final class Pair {
        let connection = FastCGIConnection()
        let server: Int32
        init() {
            var fds: [Int32] = [0, 0]
            socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
            _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
            connection.open(fds[0])
            server = fds[1]
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        deinit {
            connection.close()
            close(server)
        }
        func send(_ bytes: [UInt8], andClose: Bool = false) {
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { write(server, $0.baseAddress! + offset, $0.count - offset) }
                guard n > 0 else { return }
                offset += n
            }
            if andClose { shutdown(server, Int32(SHUT_WR)) }
        }
        /// What the worker wrote back so far.
        func received() -> [UInt8] {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var polled = pollfd(fd: server, events: Int16(POLLIN), revents: 0)
            while poll(&polled, 1, 50) > 0 {
                let n = buffer.withUnsafeMutableBytes { read(server, $0.baseAddress!, $0.count) }
                guard n > 0 else { break }
                bytes += buffer[0..<n]
            }
            return bytes
        }
        func next(within milliseconds: UInt64 = 1000) throws(FastCGIError) -> FastCGIRequest? {
            try connection.nextRequest(deadline: SystemClock.now() + milliseconds * 1_000_000)
        }
    }

    @Test func readsARequestAsNginxSendsIt() throws {
        let pair = Pair()
        let uri = "/api/v1/library/artists?search=caf%C3%A9"
        pair.send(R.request(id: 7, keep: true, uri: uri, extra: [("AIRWAVE_SYSTEM_SECRET", [0, 1, 255])], body: Array(repeating: 9, count: 3)))
        let request = try #require(try pair.next())
        #expect(request.requestID == 7 && request.keepConnection && request.bodyLength == 3)
        #expect(request.parameter("REQUEST_URI").map(Array.init) == Array(uri.utf8))
        #expect(request.parameter("REQUEST_METHOD").map(Array.init) == Array("GET".utf8))
        #expect(request.parameter("AIRWAVE_SYSTEM_SECRET").map(Array.init) == [0, 1, 255])  // bytes, NUL included
        #expect(request.parameter("REQUEST_URI\u{301}") == nil && request.parameter("request_uri") == nil)

        try pair.connection.respond(to: request, with: FastCGIResponse(head: Array("Status: 200 OK\r\n\r\n".utf8), body: Array("{}".utf8)),
                                deadline: SystemClock.now() + 1_000_000_000)
        let records = R.parse(pair.received())
        #expect(records.map(\.type) == [R.stdout, R.stdout, R.endRequest] && records.allSatisfy { $0.id == 7 })
        #expect(records[0].content == Array("Status: 200 OK\r\n\r\n{}".utf8) && records[1].content.isEmpty)
        #expect(records[2].content == [0, 0, 0, 0, 0, 0, 0, 0])  // app status 0, REQUEST_COMPLETE
        // The peer closes the kept connection: no request, no error.
        pair.send([], andClose: true)
        #expect(try pair.next() == nil)
    }

    @Test func aRequestSplitAcrossRecordsAndWrites() throws {
        let pair = Pair()
        let value = [UInt8](repeating: UInt8(ascii: "x"), count: 60_000)  // more than one write, in 61 records
        var params = R.pairs([("REQUEST_URI", Array("/a".utf8)), ("LONG", value)])
        var bytes = R.begin()
        while !params.isEmpty {
            let chunk = params.prefix(1000)
            bytes += R.record(R.params, Array(chunk), padding: 3)
            params.removeFirst(chunk.count)
        }
        bytes += R.record(R.params) + R.record(R.stdin)
        // Sent in pieces a while apart, as a slow peer would.
        let (server, toSend) = (pair.server, bytes)
        let written = DispatchSemaphore(value: 0)
        defer { written.wait() }  // the descriptor stays this test's until the writer is done
        Thread {
            for piece in stride(from: 0, to: toSend.count, by: 4096) {
                _ = toSend[piece..<min(toSend.count, piece + 4096)].withUnsafeBytes { write(server, $0.baseAddress!, $0.count) }
                usleep(1000)
            }
            written.signal()
        }.start()
        let request = try #require(try pair.next(within: 5000))
        #expect(request.parameter("LONG")?.count == 60_000 && request.parameter("REQUEST_URI").map(Array.init) == Array("/a".utf8))
    }

    @Test func answersManagementRecords() throws {
        let pair = Pair()
        pair.send(R.record(R.getValues, id: 0, R.pairs([("FCGI_MPXS_CONNS", []), ("FCGI_MAX_REQS", []), ("OTHER", [])]))
                  + R.record(42, id: 0, [1, 2]) + R.request(uri: "/x"))
        #expect(try pair.next() != nil)
        let records = R.parse(pair.received())
        #expect(records.map(\.type) == [R.getValuesResult, R.unknownType])
        #expect(records[0].content == R.pairs([("FCGI_MPXS_CONNS", Array("0".utf8)), ("FCGI_MAX_REQS", Array("1".utf8))]))
        #expect(records[1].content == [42, 0, 0, 0, 0, 0, 0, 0])
    }

    /// One name asked for thousands of times in one record: answered once
    /// (the answer must fit a record), and the connection goes on.
    @Test func aGetValuesRecordOfOneNameRepeated() throws {
        let pair = Pair()
        let names = R.pairs(Array(repeating: ("FCGI_MAX_CONNS", [UInt8]()), count: 4_000))
        #expect(names.count > 60_000 && names.count <= 65_535)
        pair.send(R.record(R.getValues, id: 0, names) + R.request(uri: "/x"))
        #expect(try pair.next() != nil)
        let records = R.parse(pair.received())
        #expect(records.map(\.type) == [R.getValuesResult])
        #expect(records[0].content == R.pairs([("FCGI_MAX_CONNS", Array("1".utf8))]))
    }

    @Test func refusesOtherRolesAndASecondRequestAtOnce() throws {
        let pair = Pair()
        pair.send(R.begin(id: 1, role: 2) + R.begin(id: 2) + R.begin(id: 3)
                  + R.record(R.params, id: 3, R.pairs([("REQUEST_URI", Array("/other".utf8))]))  // not the active request: ignored
                  + R.record(R.params, id: 2, R.pairs([("REQUEST_URI", Array("/mine".utf8))])) + R.record(R.params, id: 2) + R.record(R.stdin, id: 2))
        let request = try #require(try pair.next())
        #expect(request.requestID == 2 && request.parameter("REQUEST_URI").map(Array.init) == Array("/mine".utf8))
        let records = R.parse(pair.received())
        #expect(records.map(\.id) == [1, 3] && records.allSatisfy { $0.type == R.endRequest })
        #expect(records[0].content[4] == 3 && records[1].content[4] == 1)  // UNKNOWN_ROLE, CANT_MPX_CONN
    }

    /// Each of these ends the connection with the error named, at once.
    @Test(arguments: [
        ("version 2", R.record(R.beginRequest, [0, 1, 0, 0, 0, 0, 0, 0], version: 2), "version 2"),
        ("short BEGIN_REQUEST", R.record(R.beginRequest, [0, 1, 0]), "BEGIN_REQUEST with 3 bytes"),
        ("BEGIN twice", R.begin() + R.begin(), "BEGIN_REQUEST twice"),
        ("STDIN first", R.begin() + R.record(R.stdin, [1]), "STDIN before the parameters ended"),
        ("PARAMS after the end", R.begin() + R.record(R.params) + R.record(R.params, [1, 1, 65, 66]), "PARAMS after the empty PARAMS record"),
        ("a length past the end", R.begin() + R.record(R.params, [0x8F, 0xFF, 0xFF, 0xFF, 1, 65]) + R.record(R.params), "runs past"),
        ("an answer's record", R.begin() + R.record(R.stdout, [1]), "record type 6 from the web server"),
        ("an unknown type", R.begin() + R.record(99, [1]), "record type 99"),
        ("too many parameters", R.begin() + (0..<2).flatMap { _ in R.record(R.params, [UInt8](repeating: 0, count: 40_000)) }, "parameters over"),
        ("a header cut short", R.begin() + [1, 4, 0], "closed"),
        ("content cut short", R.begin() + R.record(R.params, [1, 2, 3], contentLength: 500), "closed"),
        ("aborted", R.begin() + R.record(R.abortRequest), "aborted"),
    ] as [(String, [UInt8], String)])
    func malformed(_ name: String, _ bytes: [UInt8], _ expected: String) {
        let pair = Pair()
        pair.send(bytes, andClose: true)
        let started = SystemClock.now()
        do {
            _ = try pair.next(within: 5000)
            Issue.record("\(name): read a request")
        } catch {
            #expect("\(error)".contains(expected), "\(name): \(error)")
            #expect(error != .timedOut, "\(name)")
        }
        #expect(SystemClock.now() - started < 1_000_000_000, "\(name): waited")
    }

    @Test func aPeerThatStallsIsDroppedAtTheDeadline() {
        let pair = Pair()
        pair.send(R.begin() + [1, 4])  // then nothing, connection open
        let started = SystemClock.now()
        #expect(throws: FastCGIError.timedOut) { try pair.next(within: 200) }
        let waited = SystemClock.now() - started
        #expect(waited >= 200_000_000 && waited < 2_000_000_000)
    }

    @Test func aLongAnswerIsSplitIntoRecords() throws {
        let pair = Pair()
        pair.send(R.request(uri: "/big"))
        let request = try #require(try pair.next())
        let head = Array("Status: 200 OK\r\nContent-Length: 200000\r\n\r\n".utf8)
        let body = (0..<200_000).map { UInt8($0 % 251) }
        // The answer is bigger than the socket buffer: read it while it is written.
        final class Received: @unchecked Sendable { var bytes: [UInt8] = [] }
        let received = Received()
        let done = DispatchSemaphore(value: 0)
        let server = pair.server
        Thread {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(server, $0.baseAddress!, $0.count) }
                guard n > 0 else { break }
                received.bytes += buffer[0..<n]
                if R.parse(received.bytes).last?.type == R.endRequest { break }
            }
            done.signal()
        }.start()
        let written = Result { () throws(FastCGIError) in
            try pair.connection.respond(to: request, with: FastCGIResponse(head: head, body: body), deadline: SystemClock.now() + 5_000_000_000)
        }
        done.wait()
        try written.get()
        let records = R.parse(received.bytes)
        #expect(records.allSatisfy { $0.content.count <= 65_535 })
        #expect(records.filter { $0.type == R.stdout }.count == 5)  // 200,040 bytes: 4 records, then the empty one
        #expect(R.stdoutStream(received.bytes) == head + body)
        #expect(records.last?.type == R.endRequest)
    }

    /// Seeded mutations of a good request (bytes flipped, cut, repeated,
    /// lengths changed) and plain noise: every one ends with a request, a
    /// clean end or a named error, in far less than the deadline.
    @Test func fuzzedRecordsNeverCrashOrHang() throws {
        var random = RandomSource(seed: 2026)
        let good = R.request(uri: "/api/v1/library/works/1?limit=5", extra: [("QUERY_STRING", Array("limit=5".utf8))])
        var outcomes: [String: Int] = [:]
        let cases = 20_000
        let started = SystemClock.now()
        for _ in 0..<cases {
            var bytes = good
            switch random.next() % 5 {
            case 0: for _ in 0...(random.next() % 4) { bytes[Int(random.next() % UInt64(bytes.count))] ^= UInt8(1 << (random.next() % 8)) }
            case 1: bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count))))
            case 2: bytes = (0..<Int(random.next() % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            case 3: bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            default: bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count)))) + good
            }
            let pair = Pair()
            pair.send(bytes, andClose: true)
            do {
                outcomes[try pair.next(within: 2000) == nil ? "closed" : "request", default: 0] += 1
            } catch {
                #expect(error != .timedOut)
                outcomes["\(error)".prefix(30).description, default: 0] += 1
            }
        }
        #expect(outcomes.values.reduce(0, +) == cases)
        #expect(outcomes["request", default: 0] > 100)  // mutations that leave a valid request still parse
        #expect(SystemClock.now() - started < 60_000_000_000)
        print("FastCGI fuzz: \(cases) connections, outcomes \(outcomes.sorted { $0.value > $1.value }.prefix(8))")
    }
}

