import Support

#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address, kept and compared as its bytes (4 or 16). An
/// IPv4 address a dual-stack socket reports mapped into IPv6
/// (`::ffff:a.b.c.d`) is that IPv4 address, so one allow list serves both.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// A numeric address (`198.18.0.1`, `::1`); nil for anything else,
    /// host names included: the pool resolves nothing.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) })
    }

    init(bytes: [UInt8]) {
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]
        self.bytes = bytes.count == 16 && bytes.starts(with: mappedPrefix) ? Array(bytes[12...]) : bytes
    }

    /// The address of a peer, from what accept(2) filled in; nil for a
    /// family that has none (a unix socket's peer).
    init?(_ storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            self.init(bytes: withUnsafeBytes(of: address.sin_addr) { Array($0) })
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            self.init(bytes: withUnsafeBytes(of: address.sin6_addr) { Array($0) })
        default:
            return nil
        }
    }

    public var isIPv4: Bool { bytes.count == 4 }

    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        bytes.withUnsafeBytes { _ = inet_ntop(isIPv4 ? AF_INET : AF_INET6, $0.baseAddress, &text, socklen_t(text.count)) }
        return String(cString: text)
    }

    /// A list of addresses separated by commas or spaces, as libfcgi's
    /// `FCGI_WEB_SERVER_ADDRS` takes them; an empty list or a name is an error.
    public static func list(_ text: String, what: String) throws -> Set<IPAddress> {
        let words = text.split(whereSeparator: { $0 == "," || $0 == " " })
        guard !words.isEmpty else { throw SetupError("\(what) is empty: name at least one IP address") }
        return Set(try words.map { word in
            guard let address = IPAddress(String(word)) else {
                throw SetupError("\(what): '\(word)' is not an IP address (the pool resolves no names; write nginx's address, e.g. 198.18.0.1)")
            }
            return address
        })
    }
}
