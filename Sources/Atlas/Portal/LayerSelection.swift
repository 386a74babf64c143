import Foundation

/// Making a layer small enough for a map portal: only the fields a map shows, only the features
/// with something to show.
extension Layer {
    /// The layer with only `names`, in that order; an unknown name is an error listing the fields.
    public func keepingFields(_ names: [String]) throws -> Layer {
        var seen = Set<String>()
        var indices: [Int] = []
        for name in names {
            let i = try fieldIndex(name)
            if seen.insert(fields[i].name).inserted { indices.append(i) }
        }
        var copy = self
        copy.fields = indices.map { fields[$0] }
        for k in copy.features.indices {
            let values = copy.features[k].values
            copy.features[k].values = indices.map { values[$0] }
        }
        return copy
    }

    /// The layer without the features that have nothing to show in `field`: null, zero, or text
    /// that is empty or reads as zero ("0", "0,0"). `false` is a value and stays.
    public func droppingEmpty(_ field: String) throws -> Layer {
        let i = try fieldIndex(field)
        var copy = self
        copy.features = features.filter { !Self.isEmptyValue($0.values[i]) }
        return copy
    }

    static func isEmptyValue(_ value: Value) -> Bool {
        switch value {
        case .null: true
        case .int(let n): n == 0
        case .double(let d): d == 0 || d.isNaN
        case .string(let s):
            s.trimmingCharacters(in: .whitespaces).isEmpty || NumberParsing.double(s) == 0
        case .bool: false
        }
    }
}
