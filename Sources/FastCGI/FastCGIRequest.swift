/// One request as nginx sent it: its parameters, as bytes. Nothing here is a
/// Swift `String`, so nothing is compared by Unicode equivalence or cut at a NUL.
public struct FastCGIRequest: Sendable {
    public let requestID: UInt16
    /// The web server asked to keep the connection open for its next request.
    public let keepConnection: Bool
    /// How many bytes of body (STDIN) came with it; the body itself is not kept.
    public let bodyLength: Int
    private let params: [UInt8]
    private let pairs: [Pair]

    struct Pair: Sendable {
        var name: Range<Int>
        var value: Range<Int>
    }

    init(requestID: UInt16, keepConnection: Bool, params: [UInt8], pairs: [(name: Range<Int>, value: Range<Int>)], bodyLength: Int) {
        self.requestID = requestID
        self.keepConnection = keepConnection
        self.params = params
        self.pairs = pairs.map { Pair(name: $0.name, value: $0.value) }
        self.bodyLength = bodyLength
    }

    /// For tests and in-process callers: a request with these parameters.
    public init(parameters: [(String, [UInt8])], requestID: UInt16 = 1, keepConnection: Bool = false) {
        var buffer: [UInt8] = []
        for (name, value) in parameters { NameValuePairs.append(name: Array(name.utf8), value: value, to: &buffer) }
        self.init(requestID: requestID, keepConnection: keepConnection, params: buffer,
                  pairs: NameValuePairs.parse(buffer) ?? [], bodyLength: 0)
    }

    /// The value of the parameter named `name` (compared byte for byte); the
    /// last one wins when nginx sent it twice.
    public func parameter(_ name: String) -> ArraySlice<UInt8>? {
        var name = name
        return name.withUTF8 { wanted in
            for pair in pairs.reversed() where params[pair.name].elementsEqual(wanted) { return params[pair.value] }
            return nil
        }
    }

    /// Every parameter, in the order sent.
    public var parameters: [(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] {
        pairs.map { (params[$0.name], params[$0.value]) }
    }
}

/// What a worker writes back: the CGI header block ("Status: …\r\n…\r\n\r\n")
/// and the body. The body is always sent, for HEAD too: nginx leaves it out
/// for the client, and may store it in its cache (it fetches a HEAD as a GET).
public struct FastCGIResponse: Sendable {
    public var head: [UInt8]
    public var body: [UInt8]

    public init(head: [UInt8], body: [UInt8]) {
        self.head = head
        self.body = body
    }
}
