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
    /// `Cache-Control`, when an answer must say it (the metrics: never stored).
    public var cacheControl: String?

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
        CGIHead.make(status: status, contentType: contentType, contentLength: body.count,
                     headers: (innerCache.map { [(CacheHeader.inner, $0.rawValue)] } ?? []) + (allow.map { [("Allow", $0)] } ?? [])
                         + (cacheControl.map { [("Cache-Control", $0)] } ?? []))
    }
}
