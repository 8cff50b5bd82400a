import Testing
import Traffic
import Vocabulary

@Suite struct TextTableTests {
    @Test func tablesAlignTheirColumns() {
        var table = TextTable(["Endpoint", "Requests"])
        table.add(["GET /artists", "12"])
        table.add(["GET /works/{id}", "1,234"])
        #expect(table.render() == """
        ┌─────────────────┬──────────┐
        │ Endpoint        │ Requests │
        ├─────────────────┼──────────┤
        │ GET /artists    │       12 │
        │ GET /works/{id} │    1,234 │
        └─────────────────┴──────────┘
        """)
    }
}
