import API
import FastCGI
import Support
import Vocabulary

/// A worker's answer to one FastCGI request: its method and URI read once,
/// as bytes; the system secret checked; the API's answer written as the CGI
/// head and body. A HEAD gets the body too: nginx leaves it out for the
/// client and, having fetched the HEAD as a GET, may store it.
public struct Responder {
    public let api: LibraryAPI
    /// The secret nginx's system location adds; nil: system endpoints refused.
    public let secret: SystemSecret?

    public init(api: LibraryAPI, secret: SystemSecret?) {
        self.api = api
        self.secret = secret
    }

    public func respond(_ request: FastCGIRequest) -> FastCGIResponse {
        let response = api.respond(method: HTTPMethod(request.parameter("REQUEST_METHOD") ?? []),
                                   uri: Array(request.parameter("REQUEST_URI") ?? []),
                                   systemAccess: secret?.admits(request.parameter(SystemSecret.parameter)) ?? false)
        return FastCGIResponse(head: Array(response.headerBlock().utf8), body: response.body)
    }
}
