import Support

#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client on one kept-alive TCP connection, as a browser
/// tab would hold one: small, no threads of its own, so a load test can run
/// one per simulated user and time every request itself.
public final class HTTPConnection {
    public let server: ServerURL
    private let address: SocketAddress
    private let timeoutSeconds: Int
    private var fd: Int32 = -1
    private var buffer = [UInt8](repeating: 0, count: 65536)
    /// Bytes received but not yet consumed (a pipelined or early tail).
    private var pending: [UInt8] = []
    /// Extra header lines sent with every request ("Name: value").
    public var extraHeaders: [String] = []

    /// Connections opened so far (the first one included).
    public private(set) var connects = 0

    public init(_ server: ServerURL, timeoutSeconds: Int = 30) throws(TrafficError) {
        self.server = server
        self.address = try server.resolve()
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { disconnect() }

    /// `method target` (the target is put after the URL's prefix). A kept-alive
    /// connection the server closed in the meantime is reopened once.
    public func request(_ target: String, method: String = "GET", body: [UInt8] = [], headers: [String] = []) throws(TrafficError) -> HTTPResponse {
        var head = "\(method) \(server.prefix)\(target) HTTP/1.1\r\nHost: \(server.hostHeader)\r\n"
        for line in extraHeaders + headers { head += line + "\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + body
        let reused = fd >= 0
        if !reused { try connect() }
        do {
            return try exchange(bytes, method: method)
        } catch {
            disconnect()
            // A kept-alive connection may have been closed by the server
            // between two requests: that one is retried once, on a new one.
            guard reused, error.beforeAnyByte else { throw TrafficError("\(method) \(target): \(error.reason)") }
        }
        try connect()
        do {
            return try exchange(bytes, method: method)
        } catch {
            disconnect()
            throw TrafficError("\(method) \(target): \(error.reason)")
        }
    }

    private func exchange(_ bytes: [UInt8], method: String) throws(ConnectionClosed) -> HTTPResponse {
        try send(bytes)
        return try readResponse(method: method)
    }

    public func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        pending.removeAll()
    }

    private func connect() throws(TrafficError) {
        let socketFD = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TrafficError("\(SystemError("socket"))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(socketFD, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = address.storage
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socketFD, $0, address.length) }
        }
        guard result == 0 else {
            let reason = SystemError("connect").description
            close(socketFD)
            throw TrafficError("cannot connect to \(server): \(reason)")
        }
        fd = socketFD
        connects += 1
    }

    private struct ConnectionClosed: Error {
        var reason: String
        var beforeAnyByte: Bool
    }

    private func send(_ bytes: [UInt8]) throws(ConnectionClosed) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ConnectionClosed(reason: SystemError("send").description, beforeAnyByte: true) }
            sent += n
        }
    }

    /// Appends more bytes to `pending`; false at the end of the stream.
    private func receive() throws(ConnectionClosed) -> Bool {
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { pending.append(contentsOf: buffer[0..<n]); return true }
            if n == 0 { return false }
            if errno == EINTR { continue }
            let reason = errno == EAGAIN || errno == EWOULDBLOCK ? "no answer within \(timeoutSeconds) s" : SystemError("recv").description
            throw ConnectionClosed(reason: reason, beforeAnyByte: errno == ECONNRESET && pending.isEmpty)
        }
    }

    private func readResponse(method: String) throws(ConnectionClosed) -> HTTPResponse {
        // The head, up to the empty line.
        var headEnd: Int?
        var searchFrom = 0
        while true {
            if pending.count >= 4 {
                for i in max(0, searchFrom - 3)..<(pending.count - 3)
                where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
                    headEnd = i
                    break
                }
            }
            if headEnd != nil { break }
            searchFrom = pending.count
            guard try receive() else {
                throw ConnectionClosed(reason: "the server closed the connection", beforeAnyByte: pending.isEmpty)
            }
        }
        let head = String(decoding: pending[0..<headEnd!], as: UTF8.self)
        pending.removeFirst(headEnd! + 4)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw ConnectionClosed(reason: "not an HTTP answer: \(head.prefix(80))", beforeAnyByte: false)
        }
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(lines.count)
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers.append((line[..<colon].lowercased(), String(value)))
        }
        func header(_ name: String) -> String? { headers.last { $0.name == name }?.value }
        let closes = header("connection")?.lowercased() == "close" || statusLine[0] == "HTTP/1.0"

        var body: [UInt8] = []
        if method == "HEAD" || status == 204 || status == 304 || (100..<200).contains(status) {
            // No body, whatever the headers say.
        } else if header("transfer-encoding")?.lowercased().contains("chunked") == true {
            body = try readChunked()
        } else if let text = header("content-length") {
            guard let length = Int(text), length >= 0 else {
                throw ConnectionClosed(reason: "bad Content-Length \(text)", beforeAnyByte: false)
            }
            while pending.count < length {
                guard try receive() else { throw ConnectionClosed(reason: "the answer was cut short", beforeAnyByte: false) }
            }
            body = Array(pending[0..<length])
            pending.removeFirst(length)
        } else {
            while try receive() {}
            body = pending
            pending.removeAll()
            disconnect()
        }
        if closes { disconnect() }
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    private func readChunked() throws(ConnectionClosed) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            let sizeText = line.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingBlanks, radix: 16), size >= 0 else {
                throw ConnectionClosed(reason: "bad chunk size \(line)", beforeAnyByte: false)
            }
            if size == 0 {
                while try !readLine().isEmpty {}  // trailers
                return body
            }
            while pending.count < size + 2 {
                guard try receive() else { throw ConnectionClosed(reason: "the answer was cut short", beforeAnyByte: false) }
            }
            body.append(contentsOf: pending[0..<size])
            pending.removeFirst(size + 2)
        }
    }

    private func readLine() throws(ConnectionClosed) -> String {
        while true {
            if let end = pending.indices.dropLast().first(where: { pending[$0] == 13 && pending[$0 + 1] == 10 }) {
                let line = String(decoding: pending[0..<end], as: UTF8.self)
                pending.removeFirst(end + 2)
                return line
            }
            guard try receive() else { throw ConnectionClosed(reason: "the answer was cut short", beforeAnyByte: false) }
        }
    }
}
