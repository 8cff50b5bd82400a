/// A query string's parameters, split and percent-decoded as bytes (never as
/// Swift `String`s, which compare by Unicode equivalence); a repeated name:
/// the last wins.
public struct QueryParameters: Sendable {
    private var pairs: [(name: [UInt8], value: [UInt8])] = []

    public init(_ query: some Collection<UInt8>) {
        for pair in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            pairs.append((Self.percentDecoded(parts[0], plusIsSpace: true),
                          parts.count > 1 ? Self.percentDecoded(parts[1], plusIsSpace: true) : []))
        }
    }

    /// The value of the last parameter named `name`, compared byte for byte.
    public subscript(name: String) -> [UInt8]? {
        pairs.last { $0.name.elementsEqual(name.utf8) }?.value
    }

    static let maxSearchLength = 200
    static let limitRange = 1...1000

    func skip() throws(APIError) -> Int64 {
        guard let text = self["skip"] else { return 0 }
        guard let skip = Self.integer(text), skip >= 0 else {
            throw .invalid("skip must be an integer >= 0, got \(Self.quoted(text))")
        }
        return skip
    }

    func limit(default value: Int) throws(APIError) -> Int {
        guard let text = self["limit"] else { return value }
        guard let limit = Self.integer(text), Self.limitRange.contains(Int(limit)) else {
            throw .invalid("limit must be an integer from 1 to 1000, got \(Self.quoted(text))")
        }
        return Int(limit)
    }

    /// The search text: valid UTF-8 without NUL (SQLite's LIKE would stop
    /// there), at most 200 characters (Unicode scalars). Other control
    /// characters are searched for like any other: names contain tabs.
    func search() throws(APIError) -> [UInt8] {
        let search = self["search"] ?? []
        guard !search.contains(0) else { throw .invalid("search must not contain a NUL character (%00)") }
        guard let text = String(validating: search, as: UTF8.self) else {
            throw .invalid("search must be UTF-8 text; its percent-encoded bytes are not")
        }
        let length = text.unicodeScalars.count
        guard length <= Self.maxSearchLength else {
            throw .invalid("search must be at most \(Self.maxSearchLength) characters, got \(length)")
        }
        return search
    }

    func choice<T: RawRepresentable & CaseIterable>(_ name: String, default value: T) throws(APIError) -> T where T.RawValue == String {
        guard let text = self[name] else { return value }
        guard let choice = T.allCases.first(where: { $0.rawValue.utf8.elementsEqual(text) }) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalid("\(name) must be one of \(allowed), got \(Self.quoted(text))")
        }
        return choice
    }

    /// A base-10 integer (an optional sign, then digits only) that fits in 64 bits.
    static func integer(_ bytes: some Collection<UInt8>) -> Int64? {
        var digits = bytes[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            // Accumulate negatively: Int64.min has no positive twin.
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.subtractingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = next
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// `bytes` quoted for an error message (invalid UTF-8 shown as U+FFFD),
    /// shortened when long.
    static func quoted(_ bytes: some Collection<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let shown = text.unicodeScalars.count > 40 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(40))) + "…" : text
        return "'\(shown)'"
    }

    /// Percent-decodes; an invalid escape is kept as it is.
    static func percentDecoded(_ text: some Collection<UInt8>, plusIsSpace: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var i = text.startIndex
        while i != text.endIndex {
            let byte = text[i]
            let next = text.index(after: i)
            if byte == UInt8(ascii: "%"), next != text.endIndex, text.index(after: next) != text.endIndex,
               let high = hexValue(text[next]), let low = hexValue(text[text.index(after: next)]) {
                bytes.append(high << 4 | low)
                i = text.index(next, offsetBy: 2)
            } else {
                bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                i = next
            }
        }
        return bytes
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
