import Foundation
import JSON
import Testing

/// The JSON writer: every control character escaped, other text as it is,
/// numbers with their full value.
@Suite struct JSONWriterTests {
    func roundTrip(_ text: String) throws -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("s", text)
        json.endObject()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: String])
        return try #require(object["s"])
    }

    @Test func everyControlCharacterIsEscaped() throws {
        let all = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) } + ["\u{7F}", "\"", "\\", "/"]))
        var json = JSONWriter()
        json.value(all)
        #expect(json.bytes.allSatisfy { $0 >= 0x20 && $0 != 0x7F })
        #expect(try roundTrip(all) == all)
        #expect(String(decoding: json.bytes, as: UTF8.self).hasPrefix(#""\u0000\u0001"#))
    }

    @Test func arraysOfValues() {
        var json = JSONWriter()
        json.beginArray()
        for row in [[1, -2], [Int64.max]] as [[Int64]] {
            json.beginArray()
            row.forEach { json.value($0) }
            json.endArray()
        }
        json.value("x")
        json.endArray()
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"[[1,-2],[9223372036854775807],"x"]"#)
    }

    @Test func nonASCIIStaysAsItIs() throws {
        for text in ["Сергей", "坂本龍一", "👩‍🎤", "محمد", "e\u{301}", "\u{2028}"] {
            var json = JSONWriter()
            json.value(text)
            #expect(json.bytes == Array("\"\(text)\"".utf8))
            #expect(try roundTrip(text) == text)
        }
    }

    @Test func numbersKeepTheirFullValue() throws {
        for value in [0.1, 215.43762189, 1e-7, 123456789.123456789, 5e-324, 1.7976931348623157e308, -0.0, 600] as [Double] {
            var json = JSONWriter()
            json.beginObject()
            json.field("d", value)
            json.endObject()
            let text = String(decoding: json.bytes, as: UTF8.self)
            let number = String(text.dropFirst(5).dropLast())
            #expect(Double(number) == value, "\(text)")
        }
        var json = JSONWriter()
        json.beginObject()
        json.field("inf", Double.infinity)
        json.field("none", nil as Double?)
        json.field("big", Int64.min)
        json.field("t", true)
        json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"inf":null,"none":null,"big":-9223372036854775808,"t":true}"#)
    }
}
