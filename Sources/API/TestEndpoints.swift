import Store
import Vocabulary

#if canImport(Glibc)
import Glibc
#endif

/// Endpoints that break a worker on purpose, for the pool's own tests; served
/// only when the pool runs with `--test-endpoints` (and, like every system
/// endpoint, only to loopback clients).
extension LibraryAPI {
    /// Below `/api/v1/system/`.
    static var testPrefix: String { "test/" }

    func testResponse(_ name: ArraySlice<UInt8>) -> Response {
        if name.elementsEqual("slow".utf8) {
            // A query that never ends by itself: the request timeout must stop it.
            do {
                return try store.read {
                    let endless = try store.database.prepare("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
                    _ = try endless.step()
                    return Response(status: 200, body: Array("finished".utf8))
                }
            } catch let error as DatabaseError where error.isInterrupt {
                return timedOut(Paths.system + "/test/slow", innerCache: nil)
            } catch {
                return Response(APIError(503, "\(error)"), innerCache: nil)
            }
        }
        if name.elementsEqual("hang".utf8) {
            // Stuck outside SQLite: only the master's watchdog can end it.
            while true { sleep(1) }
        }
        if name.elementsEqual("abandon-cache-store".utf8), let cache {
            // As a worker killed halfway through storing works/1 would leave
            // the shared cache: that entry reachable, half its body written,
            // the lock held. Then stuck, for the test to kill.
            let work = LibraryRequest.work(id: 1)
            if let body = try? store.read({ try body(for: work) }) {
                cache.abandonStoreForTesting(work.cacheKey, endpoint: work.endpoint, body: body)
            }
            while true { sleep(1) }
        }
        return Response(APIError.notFound, innerCache: nil)
    }
}
