import API
import FastCGI
import Pool
import Support
import Vocabulary

/// A worker's answer to one FastCGI request: its method and URI read once,
/// as bytes; the system secret checked; the API's answer written as the CGI
/// head and body, and counted in the pool's histograms. A HEAD gets the body
/// too: nginx leaves it out for the client and, having fetched the HEAD as a
/// GET, may store it.
public struct Responder {
    public let api: LibraryAPI
    /// The secret nginx's system location adds; nil: system endpoints refused.
    public let secret: SystemSecret?
    /// The pool's scoreboard, where every answer is counted by route and
    /// status class; nil outside a pool (tests, `airwave measure`).
    public let scoreboard: Scoreboard?

    public init(api: LibraryAPI, secret: SystemSecret?, scoreboard: Scoreboard? = nil) {
        self.api = api
        self.secret = secret
        self.scoreboard = scoreboard
    }

    public func respond(_ request: FastCGIRequest) -> FastCGIResponse {
        let started = SystemClock.now()
        let uri = Array(request.parameter("REQUEST_URI") ?? [])
        let response = api.respond(method: HTTPMethod(request.parameter("REQUEST_METHOD") ?? []), uri: uri,
                                   systemAccess: secret?.admits(request.parameter(SystemSecret.parameter)) ?? false)
        let answer = FastCGIResponse(head: Array(response.headerBlock().utf8), body: response.body)
        // The time to answer, not to write it: the write's is nginx's (its upstream_response_time).
        scoreboard?.observe(route: Route(uri: uri).index, statusClass: min(max(response.status / 100, 1), 5) - 1,
                            microseconds: Int64((SystemClock.now() - started) / 1000))
        return answer
    }
}
