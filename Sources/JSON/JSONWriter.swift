/// Writes JSON straight into bytes: no intermediate dictionaries, every
/// control character escaped, non-ASCII text kept as UTF-8.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// True right after an opening bracket: the next value needs no comma.
    private var atStart = true

    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    /// `{"detail": "..."}`: every error body of the API and the live view.
    public static func detail(_ message: String) -> [UInt8] {
        var json = JSONWriter(capacity: 64 + message.utf8.count)
        json.beginObject()
        json.field("detail", message)
        json.endObject()
        return json.bytes
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); atStart = true }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); atStart = false }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); atStart = true }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); atStart = false }

    public mutating func field(_ key: StaticString, _ value: Int64) { writeKey(key); append(value) }
    public mutating func field(_ key: StaticString, _ value: Int) { writeKey(key); append(Int64(value)) }
    public mutating func field(_ key: StaticString, _ value: Int64?) { writeKey(key); value.map { append($0) } ?? null() }
    public mutating func field(_ key: StaticString, _ value: String) { writeKey(key); append(value) }
    public mutating func field(_ key: StaticString, _ value: String?) { writeKey(key); value.map { append($0) } ?? null() }
    public mutating func field(_ key: StaticString, _ value: Double?) { writeKey(key); value.map { append($0) } ?? null() }
    public mutating func field(_ key: StaticString, _ value: Bool) { writeKey(key); ascii(value ? "true" : "false") }
    public mutating func nullField(_ key: StaticString) { writeKey(key); null() }

    /// A key whose value (an object, an array, or `null()`) is written next.
    public mutating func name(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        atStart = true
    }

    public mutating func null() { ascii("null"); atStart = false }

    /// A key known only at run time (a map's), whose value is written next.
    public mutating func key(_ key: String) {
        separate()
        append(key)
        bytes.append(UInt8(ascii: ":"))
        atStart = true
    }

    /// A string value on its own (an array element, or a whole document).
    public mutating func value(_ string: String) { separate(); append(string) }
    /// A number on its own (an array element).
    public mutating func value(_ number: Int64) { separate(); append(number) }

    private mutating func separate() {
        if !atStart { bytes.append(UInt8(ascii: ",")) }
        atStart = false
    }

    private mutating func writeKey(_ key: StaticString) {
        name(key)
        atStart = false
    }

    private mutating func ascii(_ text: StaticString) { text.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    private mutating func append(_ value: Int64) { bytes.append(contentsOf: String(value).utf8) }

    /// The shortest text that reads back as the same Double; `null` for
    /// infinities and NaN, which JSON cannot hold.
    private mutating func append(_ value: Double) {
        guard value.isFinite else { null(); return }
        bytes.append(contentsOf: value.description.utf8)
    }

    private mutating func append(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                escape(byte)
                runStart = i + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: bytes.append(0x22)
        case 0x5C: bytes.append(0x5C)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        }
    }
}
