#if canImport(Glibc)
import Glibc
#endif

/// Where the tools send their requests: `http://host[:port][/prefix]`.
/// Only plain HTTP: the tools measure nginx on the same machine or network.
public struct ServerURL: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Put before every request target (no trailing slash), usually empty.
    public var prefix: String

    public init(_ text: String) throws(TrafficError) {
        var rest = Substring(text)
        guard rest.hasPrefix("http://") else {
            throw TrafficError(rest.hasPrefix("https://")
                ? "\(text): https is not supported; measure nginx over plain http (e.g. http://127.0.0.1:8080)"
                : "\(text): the URL must start with http://")
        }
        rest = rest.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        prefix = String(rest[slash...])
        while prefix.hasSuffix("/") { prefix.removeLast() }
        if let colon = authority.lastIndex(of: ":"), !authority.hasPrefix("[") || authority[..<colon].hasSuffix("]") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else {
                throw TrafficError("\(text): the port must be a number from 1 to 65535")
            }
            host = String(authority[..<colon])
            self.port = port
        } else {
            host = String(authority)
            port = 80
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw TrafficError("\(text): no host name") }
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "http://\(shownHost)\(port == 80 ? "" : ":\(port)")\(prefix)"
    }

    /// The value of the `Host` header.
    var hostHeader: String { port == 80 ? host : "\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// The socket address to connect to (the first getaddrinfo gives).
    func resolve() throws(TrafficError) -> SocketAddress {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw TrafficError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
        }
        return SocketAddress(storage: storage, length: first.pointee.ai_addrlen, family: first.pointee.ai_family)
    }
}

/// A resolved address, kept so every connection skips the lookup.
struct SocketAddress: @unchecked Sendable {
    var storage: sockaddr_storage
    var length: socklen_t
    var family: Int32
}

/// What went wrong talking to the server, said for a person.
public struct TrafficError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
