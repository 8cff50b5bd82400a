import JSON
import Vocabulary
/// What a worker writes back: status, a few headers, the body.
public struct Response: Sendable {
    public var status: Int
    public var contentType = "application/json"
    public var body: [UInt8]
    /// Set on every library answer; nil on system endpoints.
    public var innerCache: InnerCacheStatus?
    /// `Allow`, on a 405.
    public var allow: String?

    public init(status: Int, body: [UInt8], innerCache: InnerCacheStatus? = nil) {
        self.status = status
        self.body = body
        self.innerCache = innerCache
    }

    init(_ error: APIError, innerCache: InnerCacheStatus?) {
        self.init(status: error.status, body: JSONWriter.detail(error.detail), innerCache: innerCache)
        if error.status == 405 { allow = "GET, HEAD" }
    }

    /// The FastCGI/CGI header block, ending with the blank line.
    public func headerBlock() -> String {
        var head = "Status: \(status) \(Self.reason(status))\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        if let innerCache { head += "\(CacheHeader.inner): \(innerCache.rawValue)\r\n" }
        if let allow { head += "Allow: \(allow)\r\n" }
        return head + "\r\n"
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 422: "Unprocessable Entity"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}
