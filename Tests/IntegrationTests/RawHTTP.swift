import Foundation
import Traffic

/// Bytes no well-behaved client sends (a broken request line, HTTP/2.0 over
/// plain text, a body too large), from any loopback address: one request on
/// a new connection, the answer read until nginx closes it.
enum RawHTTP {
    static func send(port: Int, _ request: [UInt8], from source: String = "127.0.0.1", timeoutSeconds: Int = 10) throws -> HTTPResponse {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        var remote = local
        remote.sin_addr.s_addr = inet_addr("127.0.0.1")
        remote.sin_port = UInt16(port).bigEndian
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard withUnsafePointer(to: &local, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }) == 0,
              withUnsafePointer(to: &remote, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } }) == 0 else {
            throw HTTPError(description: "cannot connect from \(source) to port \(port): \(String(cString: strerror(errno)))")
        }
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return try parse(bytes)
    }

    static func send(port: Int, _ request: String, from source: String = "127.0.0.1") throws -> HTTPResponse {
        try send(port: port, Array(request.utf8), from: source)
    }

    static func parse(_ bytes: [UInt8]) throws -> HTTPResponse {
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { bytes[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) }) else {
            throw HTTPError(description: "no HTTP answer: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return HTTPResponse(status: status, headers: headers, body: Array(bytes[(end + 4)...]))
    }
}
