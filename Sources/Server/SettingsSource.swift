import Support

#if canImport(Glibc)
import Glibc
#endif

/// Where settings come from when no flag gives them: a settings file
/// (`serve --config`, read again at every start, so a reload applies its
/// changes), then the environment. An empty value counts as not set.
public struct SettingsSource: Sendable {
    private var environment: [String: String]
    private var file: [String: String] = [:]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// This process's environment.
    public static var process: SettingsSource {
        var environment: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return SettingsSource(environment: environment)
    }

    public func string(_ name: String) -> String? {
        guard let value = file[name] ?? environment[name], !value.isEmpty else { return nil }
        return value
    }

    public func bool(_ name: String) -> Bool? {
        string(name).map { ["1", "true", "yes", "on"].contains($0.lowercased()) }
    }

    public func int(_ name: String) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text) else { throw SetupError("\(name) must be an integer, got '\(text)'") }
        return value
    }

    /// Reads `NAME=value` lines (blank lines and `#` comments skipped),
    /// which then win over the environment. The file must be this user's
    /// (or root's) and closed to others' writes: whoever can write it
    /// chooses the database, the log file, the workers' user.
    public mutating func load(settingsFile path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_uid == geteuid() || info.st_uid == 0 else {
                throw SetupError("the settings file \(path) belongs to user \(info.st_uid), not to this process's user \(geteuid()); refusing to trust it")
            }
            guard info.st_mode & 0o022 == 0 else {
                throw SetupError("the settings file \(path) can be written by others (mode \(String(info.st_mode & 0o7777, radix: 8))); refusing to trust it (chmod go-w)")
            }
        }
        guard let handle = fopen(path, "r") else { throw SystemError("read the settings file \(path)") }
        defer { fclose(handle) }
        var settings: [String: String] = [:]
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        var number = 0
        defer { free(line) }
        while getline(&line, &capacity, handle) > 0 {
            number += 1
            let text = String(cString: line!).trimmingBlanks
            if text.isEmpty || text.hasPrefix("#") { continue }
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw SetupError("\(path):\(number): expected NAME=value, got '\(text)'")
            }
            settings[text[..<equals].trimmingBlanks] = text[text.index(after: equals)...].trimmingBlanks
        }
        file = settings
    }
}
