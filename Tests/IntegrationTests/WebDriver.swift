import Foundation
import Testing
import Traffic

/// A real browser for the pages' tests: Debian's headless Chromium, driven
/// through chromedriver's WebDriver protocol (W3C) over loopback. Each one
/// starts its own chromedriver on a free port, with its own profile folder,
/// and stops it by pid.
final class WebDriver {
    static let chromedriver = "/usr/bin/chromedriver"
    static let chromium = "/usr/bin/chromium"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: chromedriver) && FileManager.default.isExecutableFile(atPath: chromium) }

    /// Whether the browser is there; a test failure when not (`make test`
    /// installs it): the pages are never silently left untested.
    static func required() -> Bool {
        if !available { Issue.record("no \(chromium) or \(chromedriver): `make test` installs them (scripts/install-deps --tests)") }
        return available
    }

    /// A page element, as WebDriver names it (`reference`: how a script's
    /// arguments name it).
    struct Element {
        let key: String
        let id: String
        var reference: [String: String] { [key: id] }
    }

    private let driver: Subprocess
    private let connection: HTTPConnection
    private let profile: String
    let session: String

    init(width: Int = 1280, height: Int = 900) throws {
        let port = try Stack.freePort()
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("airwave-chromium-\(UUID().uuidString.prefix(8))").path
        driver = try Subprocess(Self.chromedriver, ["--port=\(port)", "--allowed-ips=127.0.0.1"])
        let connection = try HTTPConnection(ServerURL("http://127.0.0.1:\(port)"), timeoutSeconds: 60)
        connection.extraHeaders = ["Content-Type: application/json"]
        self.connection = connection
        let ready = Stack.eventually(within: 10) { (try? connection.request("/status"))?.status == 200 }
        guard ready else {
            driver.signal(SIGKILL)
            throw HTTPError(description: "chromedriver did not start: \(driver.wait().output)")
        }
        let arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                         "--window-size=\(width),\(height)", "--user-data-dir=\(profile)", "--no-first-run", "--disable-extensions"]
        var options: [String: Any] = ["binary": Self.chromium, "args": arguments]
        // A headless window is at least 500 wide: a phone's screen is emulated instead.
        if width < 600 { options["mobileEmulation"] = ["deviceMetrics": ["width": width, "height": height, "pixelRatio": 2]] }
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": options]]]
        let created = try Self.call(connection, "POST", "/session", capabilities)
        guard let value = created as? [String: Any], let session = value["sessionId"] as? String else {
            driver.signal(SIGKILL)
            throw HTTPError(description: "no browser session: \(String(describing: created))")
        }
        self.session = session
    }

    deinit { quit() }

    /// Ends the session (chromedriver closes Chromium) and stops chromedriver.
    func quit() {
        guard Stack.isAlive(driver.pid) else { return }
        _ = try? Self.call(connection, "DELETE", "/session/\(session)")
        driver.signal(SIGTERM)
        if !Stack.eventually(within: 5, { !Stack.isAlive(driver.pid) || Self.reap(driver.pid) }) { driver.signal(SIGKILL) }
        _ = driver.wait()
        try? FileManager.default.removeItem(atPath: profile)
    }

    private static func reap(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }

    // MARK: The protocol

    @discardableResult
    private static func call(_ connection: HTTPConnection, _ method: String, _ path: String, _ body: Any? = nil) throws -> Any? {
        let bytes = try body.map { [UInt8](try JSONSerialization.data(withJSONObject: $0)) } ?? (method == "POST" ? Array("{}".utf8) : [])
        let response = try connection.request(path, method: method, body: bytes)
        let json = try JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed]) as? [String: Any]
        let value = json?["value"]
        if response.status != 200 {
            let message = (value as? [String: Any])?["message"] as? String ?? response.text
            throw HTTPError(description: "WebDriver \(method) \(path): \(response.status) \(message.prefix(300))")
        }
        return value is NSNull ? nil : value
    }

    @discardableResult
    private func call(_ method: String, _ path: String, _ body: Any? = nil) throws -> Any? {
        try Self.call(connection, method, "/session/\(session)" + path, body)
    }

    func go(_ url: String) throws { try call("POST", "/url", ["url": url]) }
    func back() throws { try call("POST", "/back") }
    func refresh() throws { try call("POST", "/refresh") }
    func url() throws -> String { try call("GET", "/url") as? String ?? "" }
    func title() throws -> String { try call("GET", "/title") as? String ?? "" }

    func resize(width: Int, height: Int) throws { try call("POST", "/window/rect", ["width": width, "height": height]) }

    /// The elements `css` selects, now.
    func all(_ css: String) throws -> [Element] {
        let found = try call("POST", "/elements", ["using": "css selector", "value": css]) as? [[String: String]] ?? []
        return found.compactMap { $0.first.map { Element(key: $0.key, id: $0.value) } }
    }

    /// The first element `css` selects, waiting up to `seconds` for one.
    func find(_ css: String, within seconds: Double = 5) throws -> Element {
        var found: Element?
        _ = Stack.eventually(within: seconds) { found = try? all(css).first; return found != nil }
        guard let found else { throw HTTPError(description: "no element \(css) on \((try? url()) ?? "?")") }
        return found
    }

    func click(_ element: Element) throws { try call("POST", "/element/\(element.id)/click") }
    func type(_ text: String, into element: Element) throws { try call("POST", "/element/\(element.id)/value", ["text": text]) }
    func clear(_ element: Element) throws { try call("POST", "/element/\(element.id)/clear") }

    /// Runs `script` in the page (arguments as `arguments[i]`); its JSON result.
    func run(_ script: String, _ arguments: [Any] = []) throws -> Any? {
        try call("POST", "/execute/sync", ["script": script, "args": arguments])
    }

    /// The text content of every element `css` selects (exactly the DOM's
    /// text: what a name became on the page).
    func texts(_ css: String) throws -> [String] {
        try run("return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent)", [css]) as? [String] ?? []
    }

    /// Keys pressed on whatever has the focus (WebDriver's key codes: \u{E004} is Tab, \u{E007} Enter).
    func press(_ keys: String) throws {
        let actions = keys.unicodeScalars.flatMap { key in [["type": "keyDown", "value": String(key)], ["type": "keyUp", "value": String(key)]] }
        try call("POST", "/actions", ["actions": [["type": "key", "id": "keyboard", "actions": actions]]])
    }

    /// A PNG of the viewport.
    func screenshot(to path: String) throws {
        guard let base64 = try call("GET", "/screenshot") as? String, let data = Data(base64Encoded: base64) else {
            throw HTTPError(description: "no screenshot")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Waits until `condition` holds (up to `seconds`), then says whether it did.
    func eventually(within seconds: Double = 5, _ condition: () throws -> Bool) -> Bool {
        Stack.eventually(within: seconds) { (try? condition()) ?? false }
    }
}
