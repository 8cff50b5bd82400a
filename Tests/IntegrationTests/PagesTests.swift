import API
import Foundation
import Testing
import Traffic

/// The pages in a real browser (headless Chromium over WebDriver) against a
/// live stack: what they show is what the API answers, every view is a URL,
/// names are text, and the live view's numbers are the counters'.
@Suite(.serialized) struct PagesTests {
    static let base = "/api/v1/library"

    /// How the pages show a name: control characters as their escapes.
    static func shown(_ text: String?) -> String {
        guard let text else { return "—" }
        return text.unicodeScalars.map { scalar -> String in
            switch scalar.value {
            case 9: return "\\t"
            case 10: return "\\n"
            case 13: return "\\r"
            case 0..<32, 127: return "\\u" + String(format: "%04x", scalar.value)
            default: return String(scalar)
            }
        }.joined()
    }

    static func json(_ response: Response) throws -> Any { try JSONSerialization.jsonObject(with: Data(response.body)) }

    static func names(_ stack: Stack, _ uri: String, _ key: String) throws -> [String] {
        (try json(try stack.expected(uri)) as? [[String: Any]] ?? []).map { shown($0[key] as? String) }
    }

    /// Artist → work → recordings, the filters, searching, markup shown as
    /// text, a bookmark reloaded, the back button, and the API's errors.
    @Test func browsingTheLibrary() throws {
        guard WebDriver.required() else { return }
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        let browser = try WebDriver()
        defer { browser.quit() }
        let site = "http://127.0.0.1:\(stack.port)"

        // The list: the database's first artists, in the contract's order.
        try browser.go(site + "/")
        let first = try Self.names(stack, Self.base + "/artists?limit=50", "name")
        #expect(browser.eventually { try browser.texts("[data-test=artist]") == first }, "\(((try? browser.texts("[data-test=artist]")) ?? []).prefix(5))")
        #expect(try browser.title() == "Artists · Air-Wave")

        // Searching narrows it, as you type.
        try browser.type("blue", into: try browser.find("[data-test=search]"))
        let blue = try Self.names(stack, Self.base + "/artists?limit=50&search=blue", "name")
        #expect(blue.count < first.count || blue != first)
        #expect(browser.eventually { try browser.texts("[data-test=artist]") == blue })
        #expect(try browser.url().hasSuffix("#/?q=blue"))

        // Markup in a name is text: searched for, shown with its brackets, never a <b>.
        try browser.clear(try browser.find("[data-test=search]"))
        try browser.type("<b>", into: try browser.find("[data-test=search]"))
        let marked = try Self.names(stack, Self.base + "/artists?limit=50&search=%3Cb%3E", "name")
        #expect(!marked.isEmpty && marked.allSatisfy { $0.contains("<b>") })
        #expect(browser.eventually { try browser.texts("[data-test=artist]") == marked })
        #expect(try browser.run("return document.querySelectorAll('#results b, #results script').length") as? Int == 0)

        // Artist → its works, as the API answers them.
        try browser.go(site + "/#/")
        _ = try browser.find("[data-test=artist]")
        let artistID = try #require((try Self.json(try stack.expected(Self.base + "/artists?limit=1")) as? [[String: Any]])?.first?["id"] as? Int)
        try browser.click(try browser.find("[data-test=artist]"))
        let artist = try #require(try Self.json(try stack.expected(Self.base + "/artists/\(artistID)")) as? [String: Any])
        #expect(browser.eventually { try browser.texts("[data-test=title]") == [Self.shown(artist["name"] as? String)] })
        let works = try Self.names(stack, Self.base + "/artists/\(artistID)/works?limit=24", "title")
        #expect(browser.eventually { try browser.texts("[data-test=work]") == works })
        let facts = try browser.texts("[data-test=facts]").first ?? ""
        #expect(facts.hasPrefix("\((artist["work_count"] as! Int).grouped) works · \((artist["recording_count"] as! Int).grouped) recordings"), "\(facts)")

        // → a work and its recordings.
        let workID = try #require((try Self.json(try stack.expected(Self.base + "/artists/\(artistID)/works?limit=1")) as? [[String: Any]])?.first?["id"] as? Int)
        try browser.click(try browser.find("[data-test=work]"))
        let work = try #require(try Self.json(try stack.expected(Self.base + "/works/\(workID)")) as? [String: Any])
        #expect(browser.eventually { try browser.texts("[data-test=title]") == [Self.shown(work["title"] as? String)] })
        let all = try Self.names(stack, Self.base + "/works/\(workID)/recordings?limit=100", "title")
        #expect(browser.eventually { try browser.texts("td[data-label=Title]") == all })

        // The back button: the artist again.
        try browser.back()
        #expect(browser.eventually { try browser.texts("[data-test=title]") == [Self.shown(artist["name"] as? String)] })

        // A work with recordings of every kind, filtered in the page, bookmarked, reloaded.
        let busy = try Self.busiestWork(stack)
        try browser.go(site + "/#/works/\(busy)")
        let everything = try Self.names(stack, Self.base + "/works/\(busy)/recordings?limit=100", "title")
        #expect(browser.eventually { try browser.texts("td[data-label=Title]") == everything })
        try browser.click(try browser.find("select#status option[value=matched]"))
        try browser.click(try browser.find("select#source option[value=library]"))
        let filtered = try Self.names(stack, Self.base + "/works/\(busy)/recordings?limit=100&status=matched&source=library", "title")
        #expect(filtered.count < everything.count)
        #expect(browser.eventually { try browser.texts("td[data-label=Title]") == filtered })
        #expect(try browser.url().hasSuffix("#/works/\(busy)?status=matched&source=library"))
        try browser.refresh()
        #expect(browser.eventually { try browser.texts("td[data-label=Title]") == filtered })
        #expect(try browser.run("return ['status', 'source'].map(id => document.getElementById(id).value)") as? [String] == ["matched", "library"])
        let files = try (try Self.json(try stack.expected(Self.base + "/works/\(busy)/recordings?limit=100&status=matched&source=library")) as? [[String: Any]] ?? [])
            .map { ($0["has_file"] as? Bool) == true ? "yes" : "no" }
        #expect(try browser.texts("td[data-label=File]") == files)

        // The API's errors, in its own words.
        try browser.go(site + "/#/artists/abc")
        #expect(browser.eventually { try browser.texts("[data-test=problem]").first?.contains("422: artist id must be a base-10 integer") == true })
        try browser.go(site + "/#/works/999999999")
        #expect(browser.eventually { try browser.texts("[data-test=problem]").first == "404: Work not found" })
    }

    /// The work with the most recordings among the first artists' works,
    /// so that both filters leave some rows and drop others.
    static func busiestWork(_ stack: Stack) throws -> Int {
        let works = try json(try stack.expected(base + "/artists/1/works?limit=100")) as? [[String: Any]] ?? []
        return try #require(works.max { ($0["recording_count"] as? Int ?? 0) < ($1["recording_count"] as? Int ?? 0) }?["id"] as? Int)
    }

    /// At phone width nothing runs off the side and every cell says what it
    /// is; with the keyboard alone one reaches the search, types, and opens
    /// an artist.
    @Test func aPhoneAndAKeyboard() throws {
        guard WebDriver.required() else { return }
        let stack = try Stack(workers: 1)
        defer { _ = try? stack.stop() }
        let browser = try WebDriver(width: 390, height: 844)
        defer { browser.quit() }
        let site = "http://127.0.0.1:\(stack.port)"
        for view in ["/#/", "/#/artists/1", "/#/works/\(try Self.busiestWork(stack))"] {
            try browser.go(site + view)
            _ = try browser.find("tbody td")
            let widths = try browser.run("return [window.innerWidth, document.documentElement.scrollWidth]") as? [Int]
            #expect(widths?[0] == 390 && widths?[1] == 390, "\(view) is wider than the phone: \(widths ?? [])")
            let label = try browser.run("return getComputedStyle(document.querySelector('tbody td'), '::before').content") as? String
            #expect(label?.contains("\"") == true && label != "none", "\(view): cells are not labelled (\(label ?? "nil"))")
            try browser.screenshot(to: stack.runDir + "/phone\(view.replacingOccurrences(of: "/", with: "-")).png")
        }

        // Keyboard only, on a page just loaded: the skip link first, which
        // moves the focus and not the view.
        try browser.go("about:blank")
        try browser.go(site + "/#/")
        _ = try browser.find("[data-test=artist]")
        try browser.press("\u{E004}")
        #expect(try browser.run("return document.activeElement.className") as? String == "skip")
        try browser.press("\u{E007}")
        #expect(try browser.run("return document.activeElement.id") as? String == "main")
        #expect(try browser.url().hasSuffix("/#/") && browser.texts("[data-test=artist]").count == 50)
        // Tab to the search box, type, Tab to the first result, Enter.
        var tabs = 0
        while try browser.run("return document.activeElement.id") as? String != "search", tabs < 10 {
            try browser.press("\u{E004}")
            tabs += 1
        }
        #expect(tabs < 10, "the search box is not reachable with Tab")
        try browser.press("dream")
        let dream = try Self.names(stack, Self.base + "/artists?limit=50&search=dream", "name")
        #expect(browser.eventually { try browser.texts("[data-test=artist]") == dream })
        while try browser.run("return document.activeElement.dataset.test") as? String != "artist", tabs < 20 {
            try browser.press("\u{E004}")
            tabs += 1
        }
        try browser.press("\u{E007}")
        #expect(browser.eventually { try browser.texts("[data-test=title]") == [dream[0]] })

        // Paging with the keyboard keeps the focus on the pager.
        try browser.go(site + "/#/")
        let next = try browser.find("[data-test=next]")
        try browser.run("arguments[0].focus()", [next.reference])
        try browser.press("\u{E007}")
        #expect(browser.eventually { try browser.url().hasSuffix("#/?page=2") })
        let second = try Self.names(stack, Self.base + "/artists?skip=50&limit=50", "name")
        #expect(browser.eventually { try browser.texts("[data-test=artist]") == second })
        #expect(try browser.run("return document.activeElement.dataset.test") as? String == "next")
    }

    /// The live page: its numbers move when `airwave load-test` sends
    /// requests, and they are the live view's and the pool's counters.
    @Test func theLivePage() throws {
        guard WebDriver.required() else { return }
        let stack = try Stack(workers: 2)
        defer { _ = try? stack.stop() }
        let browser = try WebDriver(width: 1280, height: 1400)
        defer { browser.quit() }
        try browser.go("http://127.0.0.1:\(stack.port)/live/")
        _ = try browser.find("[data-test=requests-total]")
        let before = try LiveViewTests.settled(stack)
        let load = try Subprocess.run(Stack.binary, ["load-test", "--url", "http://127.0.0.1:\(stack.port)", "--users", "4",
                                                     "--duration", "3", "--think", "0", "--seed", "3"])
        #expect(load.status == 0, "\(load.output.suffix(500))")
        let after = try LiveViewTests.settled(stack)
        let total = try #require(LiveViewTests.counts(after, "total")["requests"])
        let was = LiveViewTests.counts(before, "total")["requests"] ?? 0
        #expect(total > was + 100, "the load test's requests were not counted (\(was) → \(total))")
        // The page shows the same numbers, endpoint by endpoint.
        #expect(browser.eventually(within: 5) { try browser.texts("[data-test=requests-total]") == [total.grouped] })
        for endpoint in ["artists", "artist", "artist_works", "work", "work_recordings"] {
            let counts = LiveViewTests.counts(after, endpoint)
            let outer = try browser.run("return [...document.querySelectorAll('[data-test=row-\(endpoint)] span[data-hits]')].map(s => [+s.dataset.hits, +s.dataset.asked])") as? [[Int]]
            // The columns: outer last minute, outer since start, inner last minute, inner since start.
            #expect(outer?[1] == [counts["outer_hits"] ?? -1, (counts["outer_hits"] ?? 0) + (counts["outer_misses"] ?? 0)], "\(endpoint)")
            #expect(outer?[3] == [counts["inner_hits"] ?? -1, (counts["inner_hits"] ?? 0) + (counts["inner_misses"] ?? 0)], "\(endpoint)")
            #expect(try browser.texts("[data-test=requests-\(endpoint)]") == [(counts["requests"] ?? 0).grouped])
        }
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(try stack.get("/api/v1/system/cache/stats").body)) as? [String: Any])
        let inner = try #require(stats["total"] as? [String: Any])
        #expect(browser.eventually { try browser.texts("[data-test=inner-counters]").first?.hasPrefix("\((inner["hits"] as! Int).grouped) hits, ") == true })
        try browser.screenshot(to: stack.runDir + "/live.png")

        // The buttons: the outer cache off and on again, the inner cache emptied.
        try browser.click(try browser.find("[data-test=outer-toggle]"))
        #expect(browser.eventually(within: 15) { try browser.texts("[data-test=summary]").first?.hasPrefix("Outer cache: OFF") == true })
        #expect(try stack.get(ToolTests.artist)["x-cache-outer"] == "OFF")
        #expect(browser.eventually { try browser.texts("[data-test=outer-toggle]") == ["Turn the outer cache on"] })
        try browser.click(try browser.find("[data-test=outer-toggle]"))
        #expect(browser.eventually(within: 15) { try browser.texts("[data-test=summary]").first?.hasPrefix("Outer cache: ON") == true })
        try browser.click(try browser.find("[data-test=inner-clear]"))
        #expect(browser.eventually { try browser.texts("[data-test=message]") == ["Inner cache cleared."] })
        let cleared = try #require(try JSONSerialization.jsonObject(with: Data(try stack.get("/api/v1/system/cache/stats").body)) as? [String: Any])
        #expect((cleared["total"] as? [String: Any])?["entries"] as? Int == 0)
    }
}

extension Int {
    /// 1234567 as the pages write it: "1,234,567".
    var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (self < 0 ? "-" : "") + out
    }
}
