import Testing
import Traffic

@Suite struct ServerURLTests {
    @Test func readsHostPortAndPrefix() throws {
        let plain = try ServerURL("http://127.0.0.1:8080")
        #expect(plain.host == "127.0.0.1" && plain.port == 8080 && plain.prefix == "")
        let named = try ServerURL("http://localhost/")
        #expect(named.host == "localhost" && named.port == 80 && named.prefix == "")
        let prefixed = try ServerURL("http://example.test:81/music/")
        #expect(prefixed.port == 81 && prefixed.prefix == "/music" && prefixed.description == "http://example.test:81/music")
        let v6 = try ServerURL("http://[::1]:8080")
        #expect(v6.host == "::1" && v6.port == 8080 && v6.description == "http://[::1]:8080")
    }

    @Test func refusesWhatItCannotMeasure() {
        for (text, words) in [("https://api.example.com", "https is not supported"), ("127.0.0.1:8080", "must start with http://"),
                              ("http://host:0", "port"), ("http://host:99999", "port"), ("http://host:x", "port"), ("http://", "no host")] {
            #expect(throws: TrafficError.self, "\(text)") { try ServerURL(text) }
            do { _ = try ServerURL(text) } catch { #expect(error.description.contains(words), "\(text): \(error)") }
        }
    }
}
