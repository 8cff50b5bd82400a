/// The head a FastCGI responder writes before its body, in CGI's form: the
/// status with its reason, the content type and length, any other headers,
/// a blank line. The pool's workers and `airwave live` write theirs here.
public enum CGIHead {
    public static func make(status: Int, contentType: String = "application/json", contentLength: Int,
                            headers: [(name: String, value: String)] = []) -> String {
        var head = "Status: \(status) \(reason(status))\r\nContent-Type: \(contentType)\r\nContent-Length: \(contentLength)\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        return head + "\r\n"
    }

    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 202: "Accepted"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 422: "Unprocessable Entity"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}
