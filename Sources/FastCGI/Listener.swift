import CSupport
import Support

#if canImport(Glibc)
import Glibc
#endif

/// The pool's listening socket, opened before the workers are forked so that
/// all of them accept on it: a unix socket (`Listener+Unix.swift`) or a TCP
/// one that lets in only nginx's addresses (`Listener+TCP.swift`).
public struct Listener {
    public let address: ListenAddress
    public let descriptor: Int32
    /// TCP: the peers that may connect (nginx's addresses); any other is
    /// closed as soon as it is accepted. Unix sockets: empty (the file's
    /// mode decides who connects).
    public let allowedPeers: Set<IPAddress>

    /// Opens `address`. `group`: a unix socket's group may connect too
    /// (nginx's workers); `allowedPeers`: who may connect over TCP (required).
    public init(_ address: ListenAddress, allowedPeers: Set<IPAddress> = [], group: gid_t? = nil, backlog: Int32 = 1024) throws {
        switch address {
        case .unix(let path):
            guard allowedPeers.isEmpty else { throw SetupError("allowed addresses apply to TCP; a unix socket's mode says who connects (\(address))") }
            descriptor = try Self.bindUnix(path, group: group, backlog: backlog)
        case let .tcp(ip, port):
            guard !allowedPeers.isEmpty else { throw SetupError("a TCP listener needs the addresses allowed to connect (nginx's)") }
            descriptor = try Self.bindTCP(ip, port: port, backlog: backlog)
        }
        self.address = address
        self.allowedPeers = allowedPeers
    }

    /// Takes over a listening socket inherited from the image before an exec
    /// (a graceful reload): nothing is closed, so no connection is refused.
    /// It must be bound where `address` says: a TCP socket taken for a unix
    /// one would answer peers nobody allowed.
    public init(inherited descriptor: Int32, address: ListenAddress, allowedPeers: Set<IPAddress> = []) throws {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == Int32(SOCK_STREAM.rawValue) else {
            throw SetupError("descriptor \(descriptor) is not a listening socket")
        }
        guard let bound = Self.boundAddress(descriptor), bound == address else {
            throw SetupError("the inherited socket is bound to \(Self.boundAddress(descriptor)?.description ?? "something else"), not \(address): restart the pool to move it")
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        self.address = address
        self.descriptor = descriptor
        self.allowedPeers = allowedPeers
    }

    /// Where `descriptor` is bound (getsockname), as a listen address.
    static func boundAddress(_ descriptor: Int32) -> ListenAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_UNIX:
            let path = withUnsafeBytes(of: &storage) { raw in
                let bytes = raw.dropFirst(MemoryLayout<sa_family_t>.size).prefix(Int(length) - MemoryLayout<sa_family_t>.size)
                return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            return .unix(path: path)
        case AF_INET:
            let port = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }.sin_port
            return IPAddress(storage).map { .tcp($0, port: UInt16(bigEndian: port)) }
        case AF_INET6:
            let port = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }.sin6_port
            return IPAddress(storage).map { .tcp($0, port: UInt16(bigEndian: port)) }
        default:
            return nil
        }
    }

    /// What `accept` found.
    public enum Accepted {
        /// A new connection: a non-blocking, close-on-exec descriptor.
        case connection(Int32)
        /// A TCP peer not on the allowed list: already closed.
        case refused(IPAddress?)
        /// A signal arrived first.
        case interrupted
        /// accept(2) failed with this errno (a connection reset before it
        /// was taken, too many open files…): the listener itself is fine.
        case failed(Int32)
    }

    /// Whether a connection is waiting, after waiting for one at most
    /// `milliseconds` (a signal ends the wait early).
    public func hasConnection(within milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) == 1 && entry.revents & Int16(POLLIN) != 0
    }

    /// Waits for the next connection.
    public func accept() -> Accepted {
        guard case .tcp = address else {
            let fd = airwave_accept(descriptor, nil, nil)
            if fd >= 0 { return .connection(fd) }
            return errno == EINTR ? .interrupted : .failed(errno)
        }
        var peer = sockaddr_storage()
        var length = UInt32(MemoryLayout<sockaddr_storage>.size)
        let fd = airwave_accept(descriptor, &peer, &length)
        guard fd >= 0 else { return errno == EINTR ? .interrupted : .failed(errno) }
        let address = IPAddress(peer)
        guard let address, allowedPeers.contains(address) else {
            Glibc.close(fd)
            return .refused(address)
        }
        // FastCGI answers go out in several records: send each at once.
        var on: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        return .connection(fd)
    }

    /// Closes the socket, and removes a unix socket's file.
    public func close() {
        Glibc.close(descriptor)
        if case .unix(let path) = address { unlink(path) }
    }
}
