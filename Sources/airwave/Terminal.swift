#if canImport(Glibc)
import Glibc
#endif

/// Writes to standard error unbuffered (for messages and progress lines).
func printError(_ text: String, newline: Bool = true) {
    let line = newline ? text + "\n" : text
    _ = line.withCString { write(2, $0, strlen($0)) }
}
