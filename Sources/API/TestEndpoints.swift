import Store

#if canImport(Glibc)
import Glibc
#endif

/// Endpoints that break a worker on purpose, for the pool's own tests; served
/// only when the pool runs with `--test-endpoints` (and, like every system
/// endpoint, only to loopback clients).
extension LibraryAPI {
    static var testPrefix: String { "/api/v1/system/test/" }

    func testResponse(_ name: Substring) -> Response {
        switch name {
        case "slow":
            // A query that never ends by itself: the request timeout must stop it.
            do {
                return try store.read {
                    let endless = try store.database.prepare("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
                    _ = try endless.step()
                    return Response(status: 200, body: Array("finished".utf8))
                }
            } catch let error as DatabaseError where error.isInterrupt {
                return timedOut(Self.testPrefix + name, innerCache: nil)
            } catch {
                return Response(APIError(503, "\(error)"), innerCache: nil)
            }
        case "hang":
            // Stuck outside SQLite: only the master's watchdog can end it.
            while true { sleep(1) }
        default:
            return Response(APIError.notFound, innerCache: nil)
        }
    }
}
