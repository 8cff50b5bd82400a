/// A query string's parameters, percent-decoded; a repeated name: the last wins.
public struct QueryParameters: Sendable {
    private var values: [String: String] = [:]

    public init(_ query: Substring) {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.percentDecoded(parts[0], plusIsSpace: true)
            values[name] = parts.count > 1 ? Self.percentDecoded(parts[1], plusIsSpace: true) : ""
        }
    }

    public subscript(name: String) -> String? { values[name] }

    static let maxSearchLength = 200
    static let limitRange = 1...1000

    func skip() throws(APIError) -> Int64 {
        guard let text = values["skip"] else { return 0 }
        guard let skip = Self.integer(text), skip >= 0 else {
            throw .invalid("skip must be an integer >= 0, got \(Self.quoted(text))")
        }
        return skip
    }

    func limit(default value: Int) throws(APIError) -> Int {
        guard let text = values["limit"] else { return value }
        guard let limit = Self.integer(text), Self.limitRange.contains(Int(limit)) else {
            throw .invalid("limit must be an integer from 1 to 1000, got \(Self.quoted(text))")
        }
        return Int(limit)
    }

    func search() throws(APIError) -> String {
        let search = values["search"] ?? ""
        guard search.unicodeScalars.count <= Self.maxSearchLength else {
            throw .invalid("search must be at most \(Self.maxSearchLength) characters, got \(search.unicodeScalars.count)")
        }
        return search
    }

    func choice<T: RawRepresentable & CaseIterable>(_ name: String, default value: T) throws(APIError) -> T where T.RawValue == String {
        guard let text = values[name] else { return value }
        guard let choice = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalid("\(name) must be one of \(allowed), got \(Self.quoted(text))")
        }
        return choice
    }

    /// A base-10 integer (optional sign, digits only) that fits in 64 bits.
    static func integer(_ text: String) -> Int64? {
        // Swift's parser takes exactly [+-]?[0-9]+ and fails on overflow.
        Int64(text, radix: 10)
    }

    /// `text` quoted for an error message, shortened when long.
    static func quoted(_ text: String) -> String {
        let shown = text.unicodeScalars.count > 40 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(40))) + "…" : text
        return "'\(shown)'"
    }

    /// Percent-decodes; an invalid escape is kept as it is; invalid UTF-8 is repaired.
    static func percentDecoded(_ text: Substring) -> String { percentDecoded(text, plusIsSpace: false) }

    static func percentDecoded(_ text: Substring, plusIsSpace: Bool) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        let utf8 = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%"), i + 2 < utf8.count, let high = hexValue(utf8[i + 1]), let low = hexValue(utf8[i + 2]) {
                bytes.append(high << 4 | low)
                i += 3
            } else {
                bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }
}
