import Foundation
import Traffic

/// Requests to a test stack through the tools' own client, one connection
/// each (`Connection: close`), exactly the target given.
enum HTTP {
    static func request(port: Int, _ method: String = "GET", _ target: String) throws -> HTTPResponse {
        let connection = try HTTPConnection(ServerURL("http://127.0.0.1:\(port)"), timeoutSeconds: 10)
        connection.extraHeaders = ["Connection: close"]
        return try connection.request(target, method: method)
    }
}

extension HTTPResponse {
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
}

/// A test's own failure to set something up.
struct HTTPError: Error, CustomStringConvertible { let description: String }
