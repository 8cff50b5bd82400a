@testable import FastCGI
import FastCGITesting
import Foundation
import Support
import Testing

/// Where the pool listens, and who it lets in over TCP: only the addresses
/// it was given; anybody else is closed at once, before a byte is read.
@Suite struct ListenerTests {
    @Test(arguments: [
        ("unix:/run/airwave/pool.sock", "unix:/run/airwave/pool.sock"),
        ("run/pool.sock", "unix:run/pool.sock"),
        ("127.0.0.1:9000", "127.0.0.1:9000"),
        ("198.18.0.2:65535", "198.18.0.2:65535"),
        ("[::1]:9000", "[::1]:9000"),
        ("[::ffff:198.18.0.2]:9000", "198.18.0.2:9000"),
    ])
    func addressesAreParsed(_ text: String, _ described: String) throws {
        #expect(try ListenAddress(parsing: text).description == described)
    }

    @Test(arguments: [
        ("localhost:9000", "'localhost' is not an IP address"),
        ("127.0.0.1", "write unix:PATH, IPv4:PORT or [IPv6]:PORT"),
        ("127.0.0.1:0", "the port must be from 1 to 65535"),
        ("127.0.0.1:70000", "the port must be from 1 to 65535"),
        ("::1:9000", "write unix:PATH, IPv4:PORT or [IPv6]:PORT"),
        ("[::1]9000", "write an IPv6 address as [ADDRESS]:PORT"),
        ("unix:", "names no socket"),
    ])
    func badAddressesAreRefusedWithTheirFix(_ text: String, _ message: String) {
        #expect(throws: SetupError.self) { try ListenAddress(parsing: text) }
        do { _ = try ListenAddress(parsing: text) } catch { #expect("\(error)".contains(message), "\(error)") }
    }

    @Test func allowedListsTakeCommasOrSpacesAndRefuseNames() throws {
        #expect(try IPAddress.list("198.18.0.1, 127.0.0.1,::1", what: "x") == [IPAddress("198.18.0.1")!, IPAddress("127.0.0.1")!, IPAddress("::1")!])
        #expect(IPAddress("::ffff:127.0.0.1") == IPAddress("127.0.0.1"))
        #expect(throws: SetupError.self) { try IPAddress.list("nginx.local", what: "x") }
        #expect(throws: SetupError.self) { try IPAddress.list(" , ", what: "x") }
    }

    /// A TCP listener on a free loopback port, letting in only 127.0.0.2.
    static func listener() throws -> (Listener, UInt16) {
        for port in UInt16.random(in: 20_000...40_000)..<UInt16(45_000) {
            do {
                return (try Listener(.tcp(IPAddress("127.0.0.1")!, port: port), allowedPeers: [IPAddress("127.0.0.2")!]), port)
            } catch let error as SetupError where error.description.contains("in use") { continue }
        }
        throw SetupError("no free port")
    }

    @Test func onlyAllowedPeersAreLetIn() throws {
        let (listener, port) = try Self.listener()
        defer { listener.close() }

        let stranger = try SocketClient(host: "127.0.0.1", port: port, source: "127.0.0.1", timeoutSeconds: 2)
        #expect(listener.hasConnection(within: 2000))
        guard case .refused(let peer) = listener.accept() else { Issue.record("a stranger was let in"); return }
        #expect(peer == IPAddress("127.0.0.1"))
        #expect(stranger.receiveAll() == ([], true), "closed at once, nothing said")

        _ = try SocketClient(host: "127.0.0.1", port: port, source: "127.0.0.2", timeoutSeconds: 2)
        #expect(listener.hasConnection(within: 2000))
        guard case .connection(let fd) = listener.accept() else { Issue.record("nginx's address was refused"); return }
        close(fd)
    }

    @Test func aPortInUseIsSaidSoAndTCPNeedsAnAllowedList() throws {
        let (listener, port) = try Self.listener()
        defer { listener.close() }
        #expect(throws: SetupError("127.0.0.1:\(port) is in use (a running pool, or another program): stop it or choose another --listen")) {
            try Listener(.tcp(IPAddress("127.0.0.1")!, port: port), allowedPeers: [IPAddress("127.0.0.1")!])
        }
        #expect(throws: SetupError.self) { try Listener(.tcp(IPAddress("127.0.0.1")!, port: port)) }
        #expect(throws: SetupError("198.18.255.254:9000: 198.18.255.254 is not an address of this host")) {
            try Listener(.tcp(IPAddress("198.18.255.254")!, port: 9000), allowedPeers: [IPAddress("127.0.0.1")!])
        }
    }

    /// A reload takes over the socket only where the settings say it is:
    /// a TCP socket taken for a unix one would answer anybody.
    @Test func anInheritedSocketMustBeWhereTheSettingsSay() throws {
        let (listener, port) = try Self.listener()
        defer { listener.close() }
        let here = ListenAddress.tcp(IPAddress("127.0.0.1")!, port: port)
        #expect(Listener.boundAddress(listener.descriptor) == here)
        #expect(try Listener(inherited: listener.descriptor, address: here, allowedPeers: [IPAddress("127.0.0.2")!]).allowedPeers.count == 1)
        #expect(throws: SetupError("the inherited socket is bound to \(here), not unix:/tmp/x.sock: restart the pool to move it")) {
            try Listener(inherited: listener.descriptor, address: .unix(path: "/tmp/x.sock"))
        }
        #expect(throws: SetupError.self) {
            try Listener(inherited: listener.descriptor, address: .tcp(IPAddress("127.0.0.1")!, port: port &+ 1), allowedPeers: [IPAddress("127.0.0.2")!])
        }
        let folder = FileManager.default.temporaryDirectory.path + "/listener-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let unix = try Listener(.unix(path: folder + "/pool.sock"))
        defer { unix.close() }
        #expect(Listener.boundAddress(unix.descriptor) == .unix(path: folder + "/pool.sock"))
        #expect(throws: SetupError.self) { try Listener(inherited: unix.descriptor, address: here, allowedPeers: [IPAddress("127.0.0.2")!]) }
    }
}
