import Support

/// Where the pool listens: a unix socket (nginx on the same host, the
/// default) or a TCP address (nginx on another host).
public enum ListenAddress: Equatable, Sendable, CustomStringConvertible {
    case unix(path: String)
    case tcp(IPAddress, port: UInt16)

    /// `unix:PATH` or a path (anything with a `/`); `IPv4:PORT` or
    /// `[IPv6]:PORT`. Host names are refused: a pool binds an address.
    public init(parsing text: String) throws {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            guard !path.isEmpty else { throw SetupError("listen address 'unix:' names no socket: write unix:PATH") }
            self = .unix(path: path)
            return
        }
        if text.contains("/") {
            self = .unix(path: text)
            return
        }
        let host: Substring, port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[close...].hasPrefix("]:") else {
                throw SetupError("listen address '\(text)': write an IPv6 address as [ADDRESS]:PORT")
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                throw SetupError("listen address '\(text)': write unix:PATH, IPv4:PORT or [IPv6]:PORT")
            }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard let address = IPAddress(String(host)) else {
            throw SetupError("listen address '\(text)': '\(host)' is not an IP address (the pool binds an address, it resolves no names)")
        }
        guard let number = UInt16(port), number > 0 else {
            throw SetupError("listen address '\(text)': the port must be from 1 to 65535")
        }
        self = .tcp(address, port: number)
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case let .tcp(address, port): address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
        }
    }

    /// The folder of a unix socket; nil for TCP.
    public var folder: String? {
        guard case .unix(let path) = self else { return nil }
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
