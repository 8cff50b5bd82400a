import CFastCGI

/// One FastCGI request slot, reused for every request a worker accepts:
/// accept, read parameters, write the answer, finish.
public final class FastCGIRequest {
    // libfcgi's streams keep a pointer to the request: it needs a fixed address.
    private let request: UnsafeMutablePointer<FCGX_Request>

    /// Prepares to accept on `listener` (a descriptor shared by all workers).
    /// Accept returns early when a signal arrives, so a stop is never stuck.
    public init(listener: Int32) {
        FCGX_Init()
        request = .allocate(capacity: 1)
        request.initialize(to: FCGX_Request())
        FCGX_InitRequest(request, listener, FCGI_FAIL_ACCEPT_ON_INTR)
    }

    deinit {
        FCGX_Free(request, 0)
        request.deallocate()
    }

    /// Waits for the next request; false when interrupted or on error.
    public func accept() -> Bool { FCGX_Accept_r(request) >= 0 }

    /// A request parameter as libfcgi holds it (valid until `finish`): no copy.
    public func rawParameter(_ name: StaticString) -> UnsafePointer<CChar>? {
        name.withUTF8Buffer { $0.withMemoryRebound(to: CChar.self) { FCGX_GetParam($0.baseAddress, request.pointee.envp) } }
            .map { UnsafePointer($0) }
    }

    /// A request parameter (`REQUEST_METHOD`, `REQUEST_URI`, …).
    public func parameter(_ name: String) -> String? {
        FCGX_GetParam(name, request.pointee.envp).map { String(cString: $0) }
    }

    /// Writes the header block, then the body unless `includeBody` is false (HEAD).
    public func write(head: String, body: [UInt8], includeBody: Bool = true) {
        var head = head
        head.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { _ = FCGX_PutStr($0.baseAddress, Int32($0.count), request.pointee.out) }
        }
        if includeBody, !body.isEmpty {
            body.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { _ = FCGX_PutStr($0.baseAddress, Int32($0.count), request.pointee.out) }
            }
        }
    }

    /// Flushes the answer and closes the connection to nginx.
    public func finish() { FCGX_Finish_r(request) }
}
