import Foundation
import Traffic

/// The API's description (`www/api/v1/openapi.json`), used to check every
/// answer the end-to-end tests see: its status is documented for the
/// operation, its body has the documented media type and matches the schema
/// (the subset of JSON Schema the file uses), its required headers are there.
struct OpenAPI: @unchecked Sendable {
    static let shared = try! OpenAPI(path: Stack.root + "/www/api/v1/openapi.json")

    let document: [String: Any]
    private let paths: [(template: [Substring], operations: [String: Any])]

    init(path: String) throws {
        document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        paths = (document["paths"] as! [String: Any]).map { ($0.key.split(separator: "/"), $0.value as! [String: Any]) }
    }

    /// What is wrong with `response` to `method target`, or nothing.
    func problems(method: String, target: String, response: HTTPResponse) -> [String] {
        guard target.hasPrefix("/api/") else { return [] }
        var problems: [String] = []
        if response["x-content-type-options"] != "nosniff" { problems.append("no X-Content-Type-Options: nosniff") }
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        guard let operations = operations(for: path), let operation = operations[method.lowercased()] as? [String: Any] else {
            // Not a documented operation: an error, in the API's JSON shape.
            if response.status == 200 { problems.append("200 for an undocumented operation") }
            if method != "HEAD" { problems += check(body: response, against: ["$ref": "#/components/schemas/Error"], mediaType: "application/json") }
            return problems
        }
        let responses = resolve(operation["responses"]) as! [String: Any]
        let status = String(response.status)
        let key = [status, status.prefix(1) + "XX", "default"].first { responses[$0] != nil }
        guard let key, let documented = resolve(responses[key]) as? [String: Any] else {
            return problems + ["status \(status) is not documented for \(method) \(path)"]
        }
        for (name, header) in (documented["headers"] as? [String: Any]) ?? [:] {
            let header = resolve(header) as! [String: Any]
            guard let value = response[name.lowercased()] else {
                if header["required"] as? Bool == true { problems.append("no \(name) header") }
                continue
            }
            if let schema = header["schema"] { problems += validate(value, against: schema, at: name) }
        }
        if method == "HEAD" {
            if !response.body.isEmpty { problems.append("a HEAD answer with a body") }
        } else if let content = documented["content"] as? [String: Any] {
            guard let (mediaType, media) = content.first(where: { response["content-type"]?.hasPrefix($0.key) == true }) else {
                return problems + ["Content-Type \(response["content-type"] ?? "none") is not one of \(content.keys.sorted())"]
            }
            if let schema = (media as? [String: Any])?["schema"] { problems += check(body: response, against: schema, mediaType: mediaType) }
        }
        return problems.map { "\(method) \(target.prefix(80)) → \(status): \($0)" }
    }

    private func operations(for path: String) -> [String: Any]? {
        let segments = path.split(separator: "/")
        return paths.first { template in
            template.template.count == segments.count
                && zip(template.template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }?.operations
    }

    private func check(body response: HTTPResponse, against schema: Any, mediaType: String) -> [String] {
        if response["content-type"]?.hasPrefix(mediaType) != true { return ["Content-Type \(response["content-type"] ?? "none"), not \(mediaType)"] }
        if mediaType != "application/json" { return validate(String(decoding: response.body, as: UTF8.self), against: schema, at: "body") }
        guard let json = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed]) else {
            return ["the body is not JSON: \(String(decoding: response.body.prefix(80), as: UTF8.self))"]
        }
        return validate(json, against: schema, at: "body")
    }

    private func resolve(_ value: Any?) -> Any? {
        guard let object = value as? [String: Any], let reference = object["$ref"] as? String else { return value }
        var node: Any? = document
        for part in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] }
        return resolve(node)
    }

    /// JSON Schema, as far as the file uses it: type, enum, const, properties,
    /// required, additionalProperties, items, oneOf, minimum, maximum,
    /// minLength, maxLength, $ref.
    func validate(_ value: Any, against schema: Any, at place: String) -> [String] {
        guard let schema = resolve(schema) as? [String: Any] else { return [] }
        var problems: [String] = []
        if let options = schema["oneOf"] as? [Any] {
            let matching = options.filter { validate(value, against: $0, at: place).isEmpty }.count
            if matching != 1 { problems.append("\(place) matches \(matching) of oneOf's \(options.count) schemas") }
        }
        if let types = schema["type"].map({ ($0 as? [String]) ?? [$0 as! String] }), !types.contains(where: { Self.kind(of: value, is: $0) }) {
            return problems + ["\(place) is \(Self.describe(value)), not \(types.joined(separator: " or "))"]
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { Self.equal($0, value) }) {
            problems.append("\(place) is \(Self.describe(value)), not one of \(allowed)")
        }
        if let constant = schema["const"], !Self.equal(constant, value) { problems.append("\(place) is \(Self.describe(value)), not \(constant)") }
        if let number = Self.number(value) {
            if let minimum = schema["minimum"].flatMap(Self.number), number < minimum { problems.append("\(place) \(number) < \(minimum)") }
            if let maximum = schema["maximum"].flatMap(Self.number), number > maximum { problems.append("\(place) \(number) > \(maximum)") }
        }
        if let text = value as? String {
            let length = text.unicodeScalars.count
            if let maximum = schema["maxLength"] as? Int, length > maximum { problems.append("\(place) is longer than \(maximum)") }
            if let minimum = schema["minLength"] as? Int, length < minimum { problems.append("\(place) is shorter than \(minimum)") }
        }
        if let object = value as? [String: Any] {
            let properties = (schema["properties"] as? [String: Any]) ?? [:]
            for name in (schema["required"] as? [String]) ?? [] where object[name] == nil { problems.append("\(place).\(name) is missing") }
            for (name, member) in object {
                if let property = properties[name] {
                    problems += validate(member, against: property, at: "\(place).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(place).\(name) is not in the schema")
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] {
            for (index, item) in array.enumerated() { problems += validate(item, against: items, at: "\(place)[\(index)]") }
        }
        return problems
    }

    // JSONSerialization's values: booleans and numbers are both NSNumber.

    private static func isBoolean(_ value: Any) -> Bool {
        (value as? NSNumber).map { String(cString: $0.objCType) == "c" && "\(type(of: value))".contains("Boolean") } ?? false
    }

    private static func number(_ value: Any) -> Double? {
        guard !isBoolean(value), let number = value as? NSNumber else { return nil }
        return number.doubleValue
    }

    private static func kind(of value: Any, is type: String) -> Bool {
        switch type {
        case "null": value is NSNull
        case "boolean": isBoolean(value)
        case "integer": number(value).map { $0 == $0.rounded() } ?? false
        case "number": number(value) != nil
        case "string": value is String
        case "array": value is [Any]
        case "object": value is [String: Any]
        default: false
        }
    }

    private static func equal(_ a: Any, _ b: Any) -> Bool {
        if isBoolean(a) || isBoolean(b) { return isBoolean(a) && isBoolean(b) && (a as! NSNumber).boolValue == (b as! NSNumber).boolValue }
        if let x = number(a), let y = number(b) { return x == y }
        if let x = a as? String, let y = b as? String { return Array(x.utf8) == Array(y.utf8) }
        return a is NSNull && b is NSNull
    }

    private static func describe(_ value: Any) -> String {
        let text = "\(value)"
        return text.count > 60 ? String(text.prefix(60)) + "…" : text
    }
}
