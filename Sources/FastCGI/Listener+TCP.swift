import Support

#if canImport(Glibc)
import Glibc
#endif

/// A TCP socket: for nginx on another host. Who may connect is the allowed
/// list `accept` checks (libfcgi's `FCGI_WEB_SERVER_ADDRS`, PHP-FPM's
/// `listen.allowed_clients`): FastCGI has no authentication of its own.
extension Listener {
    static func bindTCP(_ ip: IPAddress, port: UInt16, backlog: Int32) throws -> Int32 {
        let name = ListenAddress.tcp(ip, port: port).description
        let family = ip.isIPv4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket for \(name)") }
        // A pool restarted at once binds again despite its old connections in TIME_WAIT.
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int32
        if ip.isIPv4 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: ip.bytes) }
            bound = bindTo(fd, address)
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: ip.bytes) }
            bound = bindTo(fd, address)
        }
        guard bound == 0 else {
            let code = errno
            Glibc.close(fd)
            switch code {
            case EADDRINUSE: throw SetupError("\(name) is in use (a running pool, or another program): stop it or choose another --listen")
            case EADDRNOTAVAIL: throw SetupError("\(name): \(ip) is not an address of this host")
            default: throw SystemError("bind \(name)", code: code)
            }
        }
        guard listen(fd, backlog) == 0 else {
            let error = SystemError("listen \(name)")
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// bind(2) to a sockaddr_in or sockaddr_in6.
    private static func bindTo<Address>(_ fd: Int32, _ address: Address) -> Int32 {
        var address = address
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
    }
}
