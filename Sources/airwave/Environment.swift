#if canImport(Glibc)
import Glibc
#endif

/// Settings that may come from the environment when no flag gives them.
enum Environment {
    static func string(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
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
