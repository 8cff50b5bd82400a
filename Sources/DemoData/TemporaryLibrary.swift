import Foundation

/// A generated library in a new file, for tests and tools: the one way the
/// project makes a throwaway library.
public struct TemporaryLibrary: Sendable {
    public let path: String

    /// Writes a library of `artists` artists (every nasty row included) at a
    /// new path in `folder` (default: the system's temporary folder);
    /// `prepare` may change it before anyone opens it.
    public init(artists: Int = 40, helperIndexes: Bool = true, in folder: String? = nil, name: String = "library",
                prepare: (String) throws -> Void = { _ in }) throws {
        let folder = folder ?? FileManager.default.temporaryDirectory.path
        path = folder + "/\(name)-\(UUID().uuidString.prefix(8).lowercased()).db"
        var configuration = LibraryGenerator.Configuration(artists: artists)
        configuration.helperIndexes = helperIndexes
        _ = try LibraryGenerator(configuration).write(to: path)
        try prepare(path)
    }

    /// Removes the file (and SQLite's side files, if any).
    public func remove() {
        for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
