import Foundation
import Traffic
import Vocabulary

/// Requests to a test stack through the tools' own client, one connection
/// each (`Connection: close`), exactly the target given.
enum HTTP {
    /// What our own pages send with a POST to the system endpoints.
    static let asked = "\(Paths.systemPostHeader.name): \(Paths.systemPostHeader.value)"

    static func request(port: Int, _ method: String = "GET", _ target: String, headers: [String] = []) throws -> HTTPResponse {
        let connection = try HTTPConnection(ServerURL("http://127.0.0.1:\(port)"), timeoutSeconds: 10)
        connection.extraHeaders = ["Connection: close"]
        return try connection.request(target, method: method, headers: headers)
    }
}

extension HTTPResponse {
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
}

/// A test's own failure to set something up.
struct HTTPError: Error, CustomStringConvertible { let description: String }
