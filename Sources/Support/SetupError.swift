/// What stops the pool from starting or reloading and only its operator can
/// fix: a setting, a file's owner or mode, a database that is not one. Said
/// in a sentence that names the thing and the fix.
public struct SetupError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
