/// An error with the context a user needs to find and fix the problem:
/// the file, the record (1-based, as a user counts them), the field, and what was wrong.
public struct AtlasError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String?
    public var record: Int?
    public var field: String?
    public var message: String

    public init(file: String? = nil, record: Int? = nil, field: String? = nil, _ message: String) {
        self.file = file
        self.record = record
        self.field = field
        self.message = message
    }

    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let record { parts.append("record \(record)") }
        if let field { parts.append("field '\(field)'") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// The same error, attributed to a file when it did not name one yet.
    public func inFile(_ path: String) -> AtlasError {
        var copy = self
        if copy.file == nil { copy.file = path }
        return copy
    }
}
