/// `status` of the recordings list: all, or only those verified (matched)
/// or not (unmatched).
public enum StatusFilter: String, CaseIterable, Sendable {
    case all, matched, unmatched
}

/// `source` of the recordings list: all, or only those with a file
/// (library) or without one (metadata).
public enum SourceFilter: String, CaseIterable, Sendable {
    case all, library, metadata
}
