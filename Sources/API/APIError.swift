/// An answer other than 200: a status and the `detail` the client reads.
public struct APIError: Error, Equatable, Sendable {
    public var status: Int
    public var detail: String

    public init(_ status: Int, _ detail: String) {
        self.status = status
        self.detail = detail
    }

    static func invalid(_ detail: String) -> APIError { APIError(422, detail) }
    static let artistNotFound = APIError(404, "Artist not found")
    static let workNotFound = APIError(404, "Work not found")
    static let notFound = APIError(404, "Not Found")
    static let methodNotAllowed = APIError(405, "Method Not Allowed")
    static let systemForbidden = APIError(403, "Forbidden: the system endpoints answer only through nginx's system location")
}
