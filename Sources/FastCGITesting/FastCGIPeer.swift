import Support

#if canImport(Glibc)
import Glibc
#endif

/// The web server's side of FastCGI, for tests: builds records (well formed
/// or not) and talks to a pool's socket, or to one end of a socket pair.
public enum FastCGIRecords {
    public static let beginRequest: UInt8 = 1, abortRequest: UInt8 = 2, endRequest: UInt8 = 3, params: UInt8 = 4, stdin: UInt8 = 5
    public static let stdout: UInt8 = 6, getValues: UInt8 = 9, getValuesResult: UInt8 = 10, unknownType: UInt8 = 11

    /// One record; `contentLength` may lie about `content`'s length.
    public static func record(_ type: UInt8, id: UInt16 = 1, _ content: [UInt8] = [], version: UInt8 = 1, padding: Int = 0,
                              contentLength: Int? = nil) -> [UInt8] {
        let length = contentLength ?? content.count
        return [version, type, UInt8(id >> 8), UInt8(id & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF), UInt8(padding), 0]
            + content + [UInt8](repeating: 0, count: padding)
    }

    public static func begin(id: UInt16 = 1, role: UInt16 = 1, keep: Bool = false) -> [UInt8] {
        record(beginRequest, id: id, [UInt8(role >> 8), UInt8(role & 0xFF), keep ? 1 : 0, 0, 0, 0, 0, 0])
    }

    /// Name-value pairs, lengths encoded as the specification says.
    public static func pairs(_ pairs: [(String, [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, value) in pairs {
            for length in [name.utf8.count, value.count] {
                bytes += length < 128 ? [UInt8(length)]
                    : [UInt8(0x80 | (length >> 24) & 0x7F), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
            }
            bytes += Array(name.utf8) + value
        }
        return bytes
    }

    /// A whole request as nginx sends it: BEGIN_REQUEST, PARAMS, the empty
    /// PARAMS, STDIN (the body, then the empty record).
    public static func request(id: UInt16 = 1, keep: Bool = false, method: String = "GET", uri: String,
                               extra: [(String, [UInt8])] = [], body: [UInt8] = []) -> [UInt8] {
        let params = pairs([("REQUEST_METHOD", Array(method.utf8)), ("REQUEST_URI", Array(uri.utf8))] + extra)
        return begin(id: id, keep: keep) + record(self.params, id: id, params) + record(self.params, id: id)
            + (body.isEmpty ? [] : record(stdin, id: id, body)) + record(stdin, id: id)
    }

    /// The records in `bytes`: (type, request id, content); a cut tail is left out.
    public static func parse(_ bytes: [UInt8]) -> [(type: UInt8, id: UInt16, content: [UInt8])] {
        var records: [(type: UInt8, id: UInt16, content: [UInt8])] = []
        var i = 0
        while i + 8 <= bytes.count {
            let length = Int(bytes[i + 4]) << 8 | Int(bytes[i + 5])
            let end = i + 8 + length + Int(bytes[i + 6])
            guard end <= bytes.count else { break }
            records.append((bytes[i + 1], UInt16(bytes[i + 2]) << 8 | UInt16(bytes[i + 3]), Array(bytes[i + 8..<i + 8 + length])))
            i = end
        }
        return records
    }

    /// The STDOUT stream of an answer: the CGI head and the body.
    public static func stdoutStream(_ bytes: [UInt8]) -> [UInt8] {
        parse(bytes).filter { $0.type == stdout }.flatMap(\.content)
    }
}

/// A client connection to the pool's socket, unix or TCP, with a receive timeout.
public final class SocketClient {
    public let descriptor: Int32

    /// A TCP connection to `host:port` (IPv4) from the local address
    /// `source` if given (any of 127.0.0.0/8 is this host's: a test can be
    /// a client nginx is not).
    public init(host: String, port: UInt16, source: String? = nil, timeoutSeconds: Int = 5) throws(PeerError) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw PeerError("\(SystemError("socket"))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func address(_ text: String, _ port: UInt16) -> sockaddr_in {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, text, &address.sin_addr)
            return address
        }
        func call(_ what: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32, _ address: sockaddr_in) throws(PeerError) {
            var address = address
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 else {
                let error = SystemError(what)
                close(descriptor)
                throw PeerError("\(error)")
            }
        }
        let fd = descriptor
        if let source { try call("bind \(source)", { bind(fd, $0, $1) }, address(source, 0)) }
        try call("connect \(host):\(port)", { connect(fd, $0, $1) }, address(host, port))
    }

    public init(path: String, timeoutSeconds: Int = 5) throws(PeerError) {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw PeerError("\(SystemError("socket"))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8.prefix(raw.count - 1))
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let error = SystemError("connect \(path)")
            close(descriptor)
            throw PeerError("\(error)")
        }
    }

    deinit { close(descriptor) }

    public func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { return }  // the pool closed its end: what it answered is still readable
            offset += n
        }
    }

    /// No more bytes from this side: the peer reads end-of-file.
    public func finishSending() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// Everything until the peer closes, or what came before the timeout.
    public func receiveAll() -> (bytes: [UInt8], closed: Bool) {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if n > 0 { bytes += buffer[0..<n]; continue }
            return (bytes, n == 0 || errno == ECONNRESET)
        }
    }
}

public struct PeerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
