import Vocabulary

/// One answer as it came: status, headers (names lower-cased), body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The last value of a header, by case-insensitive name.
    public subscript(name: String) -> String? {
        let lowered = name.lowercased()
        return headers.last { $0.name == lowered }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

extension CacheStatus {
    /// What this answer's cache headers say.
    public init(_ response: HTTPResponse) { self.init { response[$0] } }
}
