import Support

#if canImport(Glibc)
import Glibc
#endif

/// Why a connection ended without a request to answer.
public enum FastCGIError: Error, Equatable, CustomStringConvertible {
    /// The peer did not send a whole request before the deadline.
    case timedOut
    /// The peer closed the connection halfway through a request.
    case closedEarly
    /// The bytes are not FastCGI as a web server sends it.
    case malformed(String)
    /// The peer aborted the request (FCGI_ABORT_REQUEST).
    case aborted
    /// A system call failed (errno).
    case system(Int32)

    public var description: String {
        switch self {
        case .timedOut: "no whole request before the deadline"
        case .closedEarly: "the peer closed the connection halfway through a request"
        case .malformed(let why): "malformed FastCGI: \(why)"
        case .aborted: "the peer aborted the request"
        case .system(let code): SystemError("read/write", code: code).description
        }
    }
}

/// A worker's side of a connection from nginx: reads a request's records
/// with a deadline, writes the answer as STDOUT records and END_REQUEST. A
/// responder for one request at a time (FCGI_MPXS_CONNS=0), as libfcgi is.
/// One per worker, reused for every connection it accepts (its buffers too).
public final class FastCGIConnection {
    /// What one request may hold. nginx sends a handful of parameters (the
    /// URI is at most 8 KB there) and a body only with POST.
    public struct Limits: Sendable {
        public var maxParamsBytes = 64 << 10
        public var maxBodyBytes = 16 << 20
        public init() {}
    }

    public private(set) var descriptor: Int32 = -1
    private let limits: Limits
    private var input = [UInt8](repeating: 0, count: 1 << 17)  // more than the largest record
    private var start = 0, end = 0
    private var output: [UInt8] = []

    public init(limits: Limits = Limits()) {
        self.limits = limits
        output.reserveCapacity(1 << 16)
    }

    /// Starts on a newly accepted connection (a non-blocking descriptor).
    public func open(_ descriptor: Int32) {
        self.descriptor = descriptor
        start = 0
        end = 0
    }

    /// Closes the connection.
    public func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    // MARK: Reading

    /// The next request, complete with its parameters and body; nil when the
    /// peer closed the connection before sending any byte of one. Management
    /// records (FCGI_GET_VALUES) are answered on the way.
    /// - Parameter deadline: CLOCK_MONOTONIC nanoseconds.
    public func nextRequest(deadline: UInt64) throws(FastCGIError) -> FastCGIRequest? {
        var active: (id: UInt16, keep: Bool)?
        var params: [UInt8] = []
        var pairs: [(name: Range<Int>, value: Range<Int>)]?
        var bodyLength = 0
        while true {
            guard try fill(RecordHeader.size, deadline: deadline, endAllowed: active == nil && start == end) else { return nil }
            guard let header = RecordHeader(input[start..<start + RecordHeader.size]) else {
                throw .malformed("version \(input[start]), not 1")
            }
            try fill(RecordHeader.size + header.contentLength + header.paddingLength, deadline: deadline, endAllowed: false)
            let contentStart = start + RecordHeader.size
            let content = input[contentStart..<contentStart + header.contentLength]
            start = contentStart + header.contentLength + header.paddingLength

            if header.requestID == 0 {  // management records
                try answerManagement(header, content, deadline: deadline)
                continue
            }
            switch header.knownType {
            case .beginRequest:
                guard header.contentLength == 8 else { throw .malformed("BEGIN_REQUEST with \(header.contentLength) bytes, not 8") }
                let role = UInt16(content[contentStart]) << 8 | UInt16(content[contentStart + 1])
                let keep = content[contentStart + 2] & 1 != 0
                if let active {
                    guard active.id != header.requestID else { throw .malformed("BEGIN_REQUEST twice for request \(header.requestID)") }
                    try endRequest(header.requestID, .cantMultiplex, deadline: deadline)
                } else if role != 1 {
                    try endRequest(header.requestID, .unknownRole, deadline: deadline)  // only the responder role
                } else {
                    active = (header.requestID, keep)
                }
            case .params:
                guard active?.id == header.requestID else { continue }  // records of no active request are ignored
                guard pairs == nil else { throw .malformed("PARAMS after the empty PARAMS record") }
                if content.isEmpty {
                    guard let parsed = NameValuePairs.parse(params) else { throw .malformed("a parameter's length runs past the PARAMS stream") }
                    pairs = parsed
                } else {
                    guard params.count + content.count <= limits.maxParamsBytes else {
                        throw .malformed("parameters over \(limits.maxParamsBytes) bytes")
                    }
                    params += content
                }
            case .stdin:
                guard let active, active.id == header.requestID else { continue }
                guard let pairs else { throw .malformed("STDIN before the parameters ended") }
                if content.isEmpty {
                    return FastCGIRequest(requestID: active.id, keepConnection: active.keep, params: params, pairs: pairs, bodyLength: bodyLength)
                }
                bodyLength += content.count
                guard bodyLength <= limits.maxBodyBytes else { throw .malformed("a body over \(limits.maxBodyBytes) bytes") }
            case .abortRequest:
                guard active?.id == header.requestID else { continue }
                throw .aborted
            case .data:
                continue  // the filter role's second stream: not ours
            default:
                throw .malformed("record type \(header.type) from the web server")
            }
        }
    }

    /// Makes `count` bytes available from `start`, reading as needed. False
    /// when the peer closed cleanly with nothing buffered and `endAllowed`.
    @discardableResult
    private func fill(_ count: Int, deadline: UInt64, endAllowed: Bool) throws(FastCGIError) -> Bool {
        while end - start < count {
            if start + count > input.count {  // move what is left to the front
                input.withUnsafeMutableBufferPointer { buffer in
                    let base = buffer.baseAddress!
                    base.update(from: base + start, count: end - start)
                }
                end -= start
                start = 0
            }
            let received = try receive(deadline: deadline)
            if received == 0 {
                if endAllowed && end == start { return false }
                throw .closedEarly
            }
        }
        return true
    }

    private func receive(deadline: UInt64) throws(FastCGIError) -> Int {
        while true {
            let n = input.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + end, $0.count - end) }
            if n >= 0 {
                end += n
                return n
            }
            switch errno {
            case EINTR: continue
            case EAGAIN: try wait(for: Int16(POLLIN), deadline: deadline)
            case ECONNRESET: throw .closedEarly
            case let code: throw .system(code)
            }
        }
    }

    // MARK: Writing

    /// Writes `response` as STDOUT records, the empty STDOUT record and
    /// END_REQUEST, in one buffer.
    public func respond(to request: FastCGIRequest, with response: FastCGIResponse, deadline: UInt64) throws(FastCGIError) {
        output.removeAll(keepingCapacity: true)
        var sent = 0
        let total = response.head.count + response.body.count
        while sent < total {
            let length = min(RecordHeader.maxContent, total - sent)
            RecordHeader(.stdout, requestID: request.requestID, contentLength: length).append(to: &output)
            let headEnd = response.head.count
            if sent < headEnd { output += response.head[sent..<min(headEnd, sent + length)] }
            if sent + length > headEnd { output += response.body[max(0, sent - headEnd)..<sent + length - headEnd] }
            sent += length
        }
        RecordHeader(.stdout, requestID: request.requestID, contentLength: 0).append(to: &output)
        appendEndRequest(request.requestID, .requestComplete)
        try flush(deadline: deadline)
    }

    private func endRequest(_ id: UInt16, _ status: ProtocolStatus, deadline: UInt64) throws(FastCGIError) {
        output.removeAll(keepingCapacity: true)
        appendEndRequest(id, status)
        try flush(deadline: deadline)
    }

    private func appendEndRequest(_ id: UInt16, _ status: ProtocolStatus) {
        RecordHeader(.endRequest, requestID: id, contentLength: 8).append(to: &output)
        output += [0, 0, 0, 0, status.rawValue, 0, 0, 0]  // appStatus 0, protocolStatus, reserved
    }

    /// FCGI_GET_VALUES gets this pool's answers; any other management record
    /// FCGI_UNKNOWN_TYPE, as the specification asks.
    private func answerManagement(_ header: RecordHeader, _ content: ArraySlice<UInt8>, deadline: UInt64) throws(FastCGIError) {
        var body: [UInt8] = []
        var type = RecordType.unknownType
        if header.knownType == .getValues {
            type = .getValuesResult
            let bytes = Array(content)
            guard let pairs = NameValuePairs.parse(bytes) else { throw .malformed("a GET_VALUES name runs past the record") }
            var known: [String: String] = ["FCGI_MAX_CONNS": "1", "FCGI_MAX_REQS": "1", "FCGI_MPXS_CONNS": "0"]
            for pair in pairs {
                // Each name answered once: a record asking for one name
                // thousands of times gets a short answer, not one past a
                // record's 65,535 bytes.
                let name = String(decoding: bytes[pair.name], as: UTF8.self)
                if let value = known.removeValue(forKey: name) {
                    NameValuePairs.append(name: bytes[pair.name], value: Array(value.utf8), to: &body)
                }
            }
        } else {
            body = [header.type, 0, 0, 0, 0, 0, 0, 0]
        }
        output.removeAll(keepingCapacity: true)
        RecordHeader(type, requestID: 0, contentLength: body.count).append(to: &output)
        output += body
        try flush(deadline: deadline)
    }

    private func flush(deadline: UInt64) throws(FastCGIError) {
        var offset = 0
        while offset < output.count {
            let n = output.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 {
                offset += n
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN: try wait(for: Int16(POLLOUT), deadline: deadline)
            case EPIPE, ECONNRESET: throw .closedEarly
            case let code: throw .system(code)
            }
        }
    }

    // MARK: Waiting

    private func wait(for events: Int16, deadline: UInt64) throws(FastCGIError) {
        while true {
            let now = SystemClock.now()
            guard now < deadline else { throw .timedOut }
            var descriptor = pollfd(fd: self.descriptor, events: events, revents: 0)
            let milliseconds = Int32(clamping: (deadline - now + 999_999) / 1_000_000)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .system(errno) }
        }
    }
}
