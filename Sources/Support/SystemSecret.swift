#if canImport(Glibc)
import Glibc
#endif

/// The secret nginx adds, as the FastCGI parameter `AIRWAVE_SYSTEM_SECRET`,
/// to requests that came through its system location (loopback clients
/// only): the pool and `airwave live` answer `/api/v1/system/` to those
/// alone, so reaching their sockets grants nothing by itself.
public struct SystemSecret: Sendable {
    /// The FastCGI parameter that carries it.
    public static let parameter = "AIRWAVE_SYSTEM_SECRET"
    static let minimumLength = 16

    private let bytes: [UInt8]

    public init(_ bytes: [UInt8]) throws(SetupError) {
        guard bytes.count >= Self.minimumLength else {
            throw SetupError("a system secret needs at least \(Self.minimumLength) bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// Reads the secret from `path` (surrounding white space dropped); the
    /// file must be this process's user's and closed to everyone else.
    public static func load(from path: String) throws -> SystemSecret {
        var info = stat()
        guard stat(path, &info) == 0 else { throw SystemError("stat of the system secret \(path)") }
        guard info.st_uid == geteuid() else { throw SetupError("the system secret \(path) belongs to user \(info.st_uid), not to this process's user \(geteuid())") }
        guard info.st_mode & 0o077 == 0 else {
            throw SetupError("the system secret \(path) can be read by others (mode \(String(info.st_mode & 0o7777, radix: 8))): chmod 600 it")
        }
        guard let file = fopen(path, "r") else { throw SystemError("read the system secret \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        while case let c = fgetc(file), c != EOF { bytes.append(UInt8(c)) }
        let blank: Set<UInt8> = [9, 10, 13, 32]
        let trimmed = bytes.drop { blank.contains($0) }.reversed().drop { blank.contains($0) }.reversed()
        do { return try SystemSecret(Array(trimmed)) } catch { throw SetupError("\(path): \(error.description)") }
    }

    /// Whether `presented` is the secret, in time that does not depend on
    /// where the first difference is.
    public func admits(_ presented: (some Collection<UInt8>)?) -> Bool {
        guard let presented, presented.count == bytes.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(presented, bytes) { difference |= a ^ b }
        return difference == 0
    }
}
