/// One line of nginx's access log, as `conf/nginx/logging.conf` writes it:
///
///     ADDR [TIME] "REQUEST" STATUS BYTES outer=O inner=I upstream_time=U
///     request_time=R endpoint=E msec=M upstream=U agent="AGENT"
///
/// Read by the live view (both layers per endpoint and second) and by
/// `cache-analysis` (its own lines, by agent). The request and the agent
/// are the client's; nginx escapes `"` in them (`\x22`), so the request
/// ends at the first quote after it opens and nothing the client sends can
/// pass for one of the fields after it. Parsed from bytes, without a trap
/// on any input: a line that is not of this shape is nil.
public struct AccessLogLine: Sendable, Equatable {
    public var status: Int
    public var cache: CacheStatus
    /// The library endpoint its path named (nginx's `$airwave_endpoint`);
    /// nil for any other path, or a line from before the field existed.
    public var endpoint: Endpoint?
    /// When nginx finished it, in milliseconds since 1970 (`$msec`).
    public var milliseconds: Int64?
    /// The client's `User-Agent`, as nginx escaped it.
    public var agent: String

    public init(status: Int, cache: CacheStatus, endpoint: Endpoint? = nil, milliseconds: Int64? = nil, agent: String = "") {
        self.status = status
        self.cache = cache
        self.endpoint = endpoint
        self.milliseconds = milliseconds
        self.agent = agent
    }

    public init?(_ line: some Collection<UInt8>) {
        let bytes = Array(line)
        let quote = UInt8(ascii: "\""), space = UInt8(ascii: " ")
        // The request: from the first quote to the next one.
        guard let open = bytes.firstIndex(of: quote),
              let close = bytes[(open + 1)...].firstIndex(of: quote) else { return nil }
        // The agent: the rest of the line after ` agent="`, without its closing quote.
        let agentMark = Array(#" agent=""#.utf8)
        var fieldsEnd = bytes.endIndex
        var agent: ArraySlice<UInt8> = []
        if let at = Self.find(agentMark, in: bytes, from: close + 1) {
            fieldsEnd = at
            agent = bytes[(at + agentMark.count)...]
            if agent.last == quote { agent = agent.dropLast() }
        }
        let fields = bytes[(close + 1)..<fieldsEnd].split(separator: space)
        guard fields.count >= 4, let status = Self.integer(fields[fields.startIndex]), (100...999).contains(status) else { return nil }
        var outer: String?, inner: String?, endpoint: Endpoint?, milliseconds: Int64?
        for field in fields.dropFirst(2) {
            guard let equals = field.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = field[..<equals], value = field[(equals + 1)...]
            switch String(decoding: name, as: UTF8.self) {
            case "outer": outer = String(decoding: value, as: UTF8.self)
            case "inner": inner = String(decoding: value, as: UTF8.self)
            case "endpoint": endpoint = Endpoint(rawValue: String(decoding: value, as: UTF8.self))
            case "msec": milliseconds = Self.milliseconds(value)
            default: continue
            }
        }
        guard let outer, let inner else { return nil }
        self.init(status: status, cache: CacheStatus(outer: outer, inner: inner), endpoint: endpoint,
                  milliseconds: milliseconds, agent: String(decoding: agent, as: UTF8.self))
    }

    /// A base-10 integer of 1 to `maxDigits` digits.
    static func integer(_ digits: ArraySlice<UInt8>, maxDigits: Int = 9) -> Int? {
        guard (1...maxDigits).contains(digits.count) else { return nil }
        var value = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// `1764288000.123` (nginx's `$msec`: seconds, a dot, three digits) in milliseconds.
    static func milliseconds(_ text: ArraySlice<UInt8>) -> Int64? {
        guard let dot = text.firstIndex(of: UInt8(ascii: ".")), let seconds = integer(text[..<dot], maxDigits: 12),
              text[(dot + 1)...].count == 3, let fraction = integer(text[(dot + 1)...]) else { return nil }
        return Int64(seconds) * 1000 + Int64(fraction)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        for i in start...(haystack.count - needle.count) where haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}
