/// A request's method, read from its bytes (nothing else is needed to route).
public enum HTTPMethod: Sendable, Equatable {
    case get, head, post, other

    public init(_ bytes: some Collection<UInt8>) {
        if bytes.elementsEqual("GET".utf8) {
            self = .get
        } else if bytes.elementsEqual("HEAD".utf8) {
            self = .head
        } else if bytes.elementsEqual("POST".utf8) {
            self = .post
        } else {
            self = .other
        }
    }
}
