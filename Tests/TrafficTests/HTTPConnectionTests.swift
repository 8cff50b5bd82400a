import Testing
import Traffic
import TrafficTesting

@Suite struct HTTPConnectionTests {
    @Test func keepsOneConnectionAlive() throws {
        let stub = try StubServer { .init(body: "answer \($0.index) to \($0.method) \($0.target)") }
        defer { stub.stop() }
        let connection = try HTTPConnection(stub.url)
        for i in 0..<5 {
            let response = try connection.request("/x?i=\(i)")
            #expect(response.status == 200)
            #expect(response.text == "answer \(i) to GET /x?i=\(i)")
            #expect(response["Content-Type"] == "application/json")
        }
        #expect(connection.connects == 1)
        let post = try connection.request("/clear", method: "POST")
        #expect(post.text == "answer 5 to POST /clear")
        let head = try connection.request("/h", method: "HEAD")
        #expect(head.body.isEmpty && connection.connects == 1)
    }

    @Test func readsChunkedAnswersWithExtensionsAndTrailers() throws {
        let body = String(repeating: "0123456789", count: 30) + "é✓"
        let stub = try StubServer { _ in .init(body: body, chunked: true) }
        defer { stub.stop() }
        let connection = try HTTPConnection(stub.url)
        #expect(try connection.request("/a").text == body)
        #expect(try connection.request("/b").text == body)  // the trailer was consumed: the next answer parses
        #expect(connection.connects == 1)
    }

    @Test func reopensAConnectionTheServerClosedWhileIdle() throws {
        let stub = try StubServer { .init(body: "\($0.index)", closeSilently: true) }
        defer { stub.stop() }
        let connection = try HTTPConnection(stub.url)
        #expect(try connection.request("/1").text == "0")
        #expect(try connection.request("/2").text == "1")
        #expect(try connection.request("/3").text == "2")
        #expect(connection.connects == 3)
    }

    @Test func saysWhenNobodyListens() throws {
        let stub = try StubServer { _ in .init(body: "") }
        let url = stub.url
        stub.stop()
        let connection = try HTTPConnection(url)
        do {
            _ = try connection.request("/")
            Issue.record("a request to a closed port answered")
        } catch {
            #expect(error.description.contains("cannot connect to \(url)"), "\(error)")
        }
    }
}
