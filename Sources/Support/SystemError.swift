#if canImport(Glibc)
import Glibc
#endif

/// A system call that failed: which, on what, and errno's sentence. The one
/// place errno becomes an error (as swift-nio's Posix wrapper does).
public struct SystemError: Error, CustomStringConvertible, Equatable {
    public let call: String
    public let code: Int32

    /// The current errno, for the call just made.
    public init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    public var description: String { "\(call): \(String(cString: strerror(code)))" }
}
