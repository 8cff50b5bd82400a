import Foundation
import Synchronization
import Traffic
import Support

/// A small HTTP/1.1 server on 127.0.0.1 for testing the client-side tools:
/// a thread per connection, keep-alive, and a handler that decides each
/// answer (and may sleep first, to play a slow or stalled server).
public final class StubServer: Sendable {
    /// One request as the stub read it.
    public struct Request: Sendable {
        public var method: String
        public var target: String
        /// 0 for the first request the stub read, then 1, 2, ...
        public var index: Int
        /// When its head was read (`SystemClock.now()`).
        public var arrival: UInt64
    }

    public struct Reply: Sendable {
        public var status: Int
        public var body: String
        public var headers: [String]
        /// Send the body in chunks (`Transfer-Encoding: chunked`).
        public var chunked = false
        /// Close the connection after this answer without saying so, as an
        /// idle keep-alive timeout does.
        public var closeSilently = false

        public init(status: Int = 200, body: String, headers: [String] = ["Content-Type: application/json"],
                    chunked: Bool = false, closeSilently: Bool = false) {
            self.status = status
            self.body = body
            self.headers = headers
            self.chunked = chunked
            self.closeSilently = closeSilently
        }

        var bytes: [UInt8] {
            let body = Array(self.body.utf8)
            var head = "HTTP/1.1 \(status) Stub\r\n"
            for header in headers { head += header + "\r\n" }
            guard chunked else { return Array((head + "Content-Length: \(body.count)\r\n\r\n").utf8) + body }
            var out = Array((head + "Transfer-Encoding: chunked\r\n\r\n").utf8)
            var rest = body[...]
            while !rest.isEmpty {  // chunks of 7 bytes: several per answer
                let chunk = rest.prefix(7)
                rest = rest.dropFirst(chunk.count)
                out += Array("\(String(chunk.count, radix: 16));ext=1\r\n".utf8) + chunk + Array("\r\n".utf8)
            }
            return out + Array("0\r\nX-Trailer: yes\r\n\r\n".utf8)
        }
    }

    public let port: Int
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let state = Mutex<(count: Int, open: Set<Int32>, stopped: Bool)>((0, [], false))

    public var url: ServerURL { try! ServerURL("http://127.0.0.1:\(port)") }
    public var requestCount: Int { state.withLock { $0.count } }

    public init(handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 && listen(fd, 128) == 0
            }
        }
        guard listening else { close(fd); throw TrafficError("stub server: cannot listen on 127.0.0.1") }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    deinit { stop() }

    /// Stops accepting and closes every connection. Under the lock, once:
    /// a descriptor closed since may already be another socket's number.
    public func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
            for fd in state.open { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                state.withLock { $0.stopped = true }
                close(listener)
                return
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.open.insert(fd)
                return true
            }
            guard accepted else { close(fd); continue }
            Thread { [self] in serve(fd) }.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            state.withLock { _ = $0.open.remove(fd) }
            close(fd)
        }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            // One request head (and a Content-Length body, ignored).
            var end: Int?
            while end == nil {
                if pending.count >= 4 {
                    end = (0...(pending.count - 4)).first { pending[$0] == 13 && pending[$0 + 1] == 10 && pending[$0 + 2] == 13 && pending[$0 + 3] == 10 }
                }
                if end != nil { break }
                let n = recv(fd, &buffer, buffer.count, 0)
                guard n > 0 else { return }
                pending.append(contentsOf: buffer[0..<n])
            }
            let head = String(decoding: pending[0..<end!], as: UTF8.self)
            pending.removeFirst(end! + 4)
            let lines = head.split(separator: "\r\n")
            let parts = lines.first?.split(separator: " ") ?? []
            guard parts.count >= 2 else { return }
            let length = lines.dropFirst().compactMap { line -> Int? in
                line.lowercased().hasPrefix("content-length:") ? Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) : nil
            }.first ?? 0
            while pending.count < length {
                let n = recv(fd, &buffer, buffer.count, 0)
                guard n > 0 else { return }
                pending.append(contentsOf: buffer[0..<n])
            }
            pending.removeFirst(length)
            let index = state.withLock { state -> Int in
                defer { state.count += 1 }
                return state.count
            }
            let reply = handler(Request(method: String(parts[0]), target: String(parts[1]), index: index, arrival: SystemClock.now()))
            let bytes = reply.bytes
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { return }
                sent += n
            }
            if reply.closeSilently { return }
        }
    }

    /// A stub of the library API's shapes: lists of a few ids, objects for
    /// everything else; enough for `airwave load-test` to browse.
    public static func library(_ request: Request) -> Reply {
        let path = request.target.split(separator: "?").first.map(String.init) ?? request.target
        if path.hasSuffix("/artists") {
            // One page of three artists, then the end of the list.
            return Reply(body: request.target.contains("skip=0") ? #"[{"id":1},{"id":2},{"id":3}]"# : "[]")
        }
        if path.hasSuffix("/works") { return Reply(body: #"[{"id":11},{"id":12}]"#) }
        if path.hasSuffix("/recordings") { return Reply(body: #"[{"id":101}]"#) }
        return Reply(body: #"{"id":1}"#)
    }
}
