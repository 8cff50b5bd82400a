/// FastCGI 1.0 framing (the specification's sections 3 and 8): every record
/// is an 8-byte header, up to 65,535 bytes of content and up to 255 of padding.
enum RecordType: UInt8 {
    case beginRequest = 1, abortRequest, endRequest, params, stdin, stdout, stderr, data, getValues, getValuesResult, unknownType
}

/// `protocolStatus` of an END_REQUEST record.
enum ProtocolStatus: UInt8 {
    case requestComplete = 0, cantMultiplex = 1, overloaded = 2, unknownRole = 3
}

struct RecordHeader: Equatable {
    static let size = 8
    static let version: UInt8 = 1
    static let maxContent = 65_535

    /// The raw type byte: a peer may send types this side does not know.
    var type: UInt8
    var requestID: UInt16
    var contentLength: Int
    var paddingLength: Int

    var knownType: RecordType? { RecordType(rawValue: type) }

    /// Decodes 8 bytes; nil when the version is not 1.
    init?(_ bytes: ArraySlice<UInt8>) {
        let b = bytes.startIndex
        guard bytes[b] == Self.version else { return nil }
        type = bytes[b + 1]
        requestID = UInt16(bytes[b + 2]) << 8 | UInt16(bytes[b + 3])
        contentLength = Int(bytes[b + 4]) << 8 | Int(bytes[b + 5])
        paddingLength = Int(bytes[b + 6])
    }

    init(_ type: RecordType, requestID: UInt16, contentLength: Int) {
        self.type = type.rawValue
        self.requestID = requestID
        self.contentLength = contentLength
        self.paddingLength = 0
    }

    func append(to buffer: inout [UInt8]) {
        buffer.append(Self.version)
        buffer.append(type)
        buffer.append(UInt8(requestID >> 8))
        buffer.append(UInt8(requestID & 0xFF))
        buffer.append(UInt8(contentLength >> 8))
        buffer.append(UInt8(contentLength & 0xFF))
        buffer.append(UInt8(paddingLength))
        buffer.append(0)
    }
}

/// FastCGI name-value pairs (PARAMS and GET_VALUES content): each length is
/// one byte below 128, else four bytes with the top bit set.
enum NameValuePairs {
    /// The pairs of `bytes`, as ranges into it; nil when a length runs past the end.
    static func parse(_ bytes: [UInt8]) -> [(name: Range<Int>, value: Range<Int>)]? {
        var pairs: [(name: Range<Int>, value: Range<Int>)] = []
        var i = 0
        func length() -> Int? {
            guard i < bytes.count else { return nil }
            if bytes[i] < 0x80 {
                defer { i += 1 }
                return Int(bytes[i])
            }
            guard i + 4 <= bytes.count else { return nil }
            defer { i += 4 }
            return Int(bytes[i] & 0x7F) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
        }
        while i < bytes.count {
            guard let nameLength = length(), let valueLength = length(),
                  nameLength <= bytes.count - i, valueLength <= bytes.count - i - nameLength else { return nil }
            pairs.append((i..<i + nameLength, i + nameLength..<i + nameLength + valueLength))
            i += nameLength + valueLength
        }
        return pairs
    }

    static func append(name: some Collection<UInt8>, value: some Collection<UInt8>, to buffer: inout [UInt8]) {
        for length in [name.count, value.count] {
            if length < 0x80 {
                buffer.append(UInt8(length))
            } else {
                buffer += [UInt8(0x80 | (length >> 24) & 0x7F), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
            }
        }
        buffer += name
        buffer += value
    }
}
