#if canImport(Glibc)
import Glibc
#endif

/// Settings that may come from the environment when no flag gives them, or
/// from a settings file (`serve --config`), which wins over the environment
/// and is read again at every start, so a reload (SIGHUP) applies its changes.
enum Environment {
    static func string(_ name: String) -> String? {
        if let value = settingsFile[name] { return value.isEmpty ? nil : value }
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    /// `NAME=value` lines; blank lines and `#` comments are skipped.
    nonisolated(unsafe) private static var settingsFile: [String: String] = [:]

    /// The file must be this user's (or root's) and closed to others' writes:
    /// whoever can write it chooses the database, the log file, the user.
    static func load(settingsFile path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_uid == geteuid() || info.st_uid == 0 else {
                throw SettingError("the settings file \(path) belongs to user \(info.st_uid), not to this process's user \(geteuid()); refusing to trust it")
            }
            guard info.st_mode & 0o022 == 0 else {
                throw SettingError("the settings file \(path) can be written by others (mode \(String(info.st_mode & 0o7777, radix: 8))); refusing to trust it (chmod go-w)")
            }
        }
        guard let file = fopen(path, "r") else {
            throw SettingError("cannot read the settings file \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var settings: [String: String] = [:]
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        var number = 0
        while getline(&line, &capacity, file) > 0 {
            number += 1
            let text = String(cString: line!).trimmingCharacters(in: " \t\r\n")
            if text.isEmpty || text.hasPrefix("#") { continue }
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw SettingError("\(path):\(number): expected NAME=value, got '\(text)'")
            }
            settings[String(text[..<equals]).trimmingCharacters(in: " \t")] = String(text[text.index(after: equals)...]).trimmingCharacters(in: " \t")
        }
        free(line)
        settingsFile = settings
    }

    static func bool(_ name: String) -> Bool? {
        guard let text = string(name)?.lowercased() else { return nil }
        return ["1", "true", "yes", "on"].contains(text)
    }

    static func int(_ name: String) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text) else { throw SettingError("\(name) must be an integer, got '\(text)'") }
        return value
    }
}

/// A setting with a bad value.
struct SettingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension String {
    /// Without the given characters at either end (compared as unicode
    /// scalars, so "\r\n" is two of them, not one Character).
    func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        let view = unicodeScalars
        guard let first = view.firstIndex(where: { !scalars.contains($0) }),
              let last = view.lastIndex(where: { !scalars.contains($0) }) else { return "" }
        return String(view[first...last])
    }
}

/// Writes to standard error unbuffered (for messages and progress lines).
func printError(_ text: String, newline: Bool = true) {
    let line = newline ? text + "\n" : text
    _ = line.withCString { write(2, $0, strlen($0)) }
}
