import Foundation

/// A figure followed over time. A layer carries one property per period of its mapped field —
/// `share_2019`, `share_2020`, … (with `count_YYYY` and `total_YYYY` beside them), `share` being
/// the latest — and may carry reference series (the whole country, a region) that are not areas
/// of the map, as the FeatureCollection's foreign member `"atlas:references"`:
///
/// ```json
/// "atlas:references": [
///   {"id": "0000", "name": "Riket", "values": {"2007": 0.1012, "2008": 0.1047, …, "2021": 0.0932}}
/// ]
/// ```
///
/// `values` maps a period (the four-digit year of the property names, as text) to a number in
/// the unit of the period properties (a share 0–1 for `share_YYYY`), or null when the reference
/// has no figure that period. `name` may be left out (the id is shown instead).
public struct ReportSeries: Sendable {
    /// A series drawn for comparison, not an area of the map.
    public struct Reference: Sendable, Hashable {
        public var id: String
        public var name: String
        /// One value per period of the series, nil where it has none.
        public var values: [Double?]
    }

    /// The field the periods are of: `share` for `share_2019` …
    public let field: String
    /// The periods in order: "2007", "2008", …
    public let periods: [String]
    /// Per area in layer order, one value per period.
    public let values: [[Double?]]
    public let references: [Reference]

    /// The field a period property belongs to: "share" for "share_2019", nil for other names.
    static func baseField(of name: String) -> String? {
        guard let period = period(of: name) else { return nil }
        return String(name.dropLast(period.count + 1))
    }

    /// The four-digit year at the end of `FIELD_YYYY`.
    static func period(of name: String) -> String? {
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count >= 2, let last = parts.last, last.count == 4, last.allSatisfy(\.isASCII),
            let year = Int(last), (1800...2200).contains(year)
        else { return nil }
        return String(last)
    }

    /// The series of the mapped field, or nil when the layer has fewer than two periods of it.
    /// The mapped field may be the base (`share`) or one of its periods (`share_2021`).
    init?(layer: Layer, valueField: String) throws {
        let mapped = try layer.fields[layer.fieldIndex(valueField)].name
        let base = Self.baseField(of: mapped) ?? mapped
        var columns: [(period: String, index: Int)] = []
        for (k, field) in layer.fields.enumerated() {
            guard let period = Self.period(of: field.name), Self.baseField(of: field.name) == base else { continue }
            columns.append((period, k))
        }
        columns.sort { Int($0.period)! < Int($1.period)! }
        guard columns.count >= 2 else { return nil }
        field = base
        periods = columns.map(\.period)
        values = layer.features.map { feature in
            columns.map { column in feature.values[column.index].parsedNumber.flatMap { $0.isFinite ? $0 : nil } }
        }
        references = try Self.references(layer, periods: columns.map(\.period))
    }

    static func references(_ layer: Layer, periods: [String]) throws -> [Reference] {
        guard let member = layer.metadata["atlas:references"] else { return [] }
        guard case .array(let items) = member else {
            throw AtlasError(file: layer.source, "\"atlas:references\" must be a list of {id, name, values}, not \(member.kind)")
        }
        return try items.enumerated().map { k, item in
            let position = "\"atlas:references\" item \(k + 1)"
            let id: String
            switch item["id"] {
            case .string(let s)?: id = s
            case let value? where value.number != nil: id = ReportNumber.plain(value.number!)
            default: throw AtlasError(file: layer.source, "\(position) has no id")
            }
            guard case .object(let members)? = item["values"] else {
                throw AtlasError(file: layer.source, "\(position) (\(id)): values must map periods to numbers")
            }
            var byPeriod: [String: Double] = [:]
            for (period, value) in members {
                switch value {
                case .null: continue
                case let number where number.number != nil: byPeriod[period] = number.number!
                default:
                    throw AtlasError(file: layer.source, "\(position) (\(id)): the value for \(period) is \(value.kind), not a number")
                }
            }
            return Reference(id: id, name: item["name"]?.string ?? id, values: periods.map { byPeriod[$0] })
        }
    }

    /// Each area's rank in a period, 1 for the highest value; equal values share a rank;
    /// nil for an area without a value that period.
    func ranks(period k: Int) -> [Int?] {
        let present = values.indices.compactMap { i in values[i][k].map { (i, $0) } }
        var ranks = [Int?](repeating: nil, count: values.count)
        for (i, v) in present { ranks[i] = 1 + present.filter { $0.1 > v }.count }
        return ranks
    }

    /// The last period in which any area has a value.
    var latest: Int? { periods.indices.last { k in values.contains { $0[k] != nil } } }

    /// The smallest and largest value of every area and reference, for a shared scale.
    var range: (low: Double, high: Double)? {
        let all = values.flatMap { $0.compactMap { $0 } } + references.flatMap { $0.values.compactMap { $0 } }
        guard let low = all.min(), let high = all.max() else { return nil }
        return (low, high)
    }

    /// The first and last value of a row, with their periods.
    static func ends(_ row: [Double?]) -> (first: (Int, Double), last: (Int, Double))? {
        guard let f = row.firstIndex(where: { $0 != nil }), let l = row.lastIndex(where: { $0 != nil }), f < l else { return nil }
        return ((f, row[f]!), (l, row[l]!))
    }
}

extension ReportSeries {
    /// Sentences a reader can quote: which area is highest in the latest period (and since
    /// when), how its value changed since its first period, and the references beside it.
    func summary(areas: [ReportArea], format: ValueFormat, language: ReportLanguage) -> [String] {
        let sv = language == .swedish
        guard let last = latest else { return [] }
        let ranks = self.ranks(period: last)
        let present = areas.filter { values[$0.index][last] != nil }
        guard let top = present.min(by: { a, b in
            let x = values[a.index][last]!, y = values[b.index][last]!
            return x != y ? x > y : a.id < b.id
        }), ranks[top.index] == 1 else { return [] }
        let share = if case .percent = format { true } else { false }
        let what = share ? (sv ? "andelen" : "share") : (sv ? "värdet" : "value")
        let highest = share ? (sv ? "den högsta andelen" : "the highest share") : (sv ? "det högsta värdet" : "the highest value")
        let v = format.format(values[top.index][last]!, language)
        let period = periods[last]
        var first = "\(top.label) "
        first += sv ? "har \(highest) av de \(present.count) områdena \(period) (\(v))" : "has \(highest) of the \(present.count) areas in \(period) (\(v))"
        // How many periods back the area has been highest without a break.
        var since = last
        while since > 0, let r = self.ranks(period: since - 1)[top.index], r == 1 { since -= 1 }
        if since < last {
            let allYears = since == 0 && values[top.index].allSatisfy { $0 != nil }
            if allYears {
                first += sv ? ", och har haft det varje år sedan \(periods[0])" : ", and has had it every year since \(periods[0])"
            } else {
                first += sv ? ", och har haft det sedan \(periods[since])" : ", and has had it since \(periods[since])"
            }
        }
        var sentences = [first + "."]
        let row = values[top.index]
        if let ends = Self.ends(row), ends.last.0 == last {
            let (k0, v0) = ends.first
            let change = ends.last.1 - v0
            let from = format.format(v0, language)
            var text: String
            if format.format(ends.last.1, language) == from {
                text = sv ? "Där är \(what) densamma som \(periods[k0]) (\(from))" : "There the \(what) is the same as in \(periods[k0]) (\(from))"
            } else {
                let difference = format.difference(change, language)
                let verb = change < 0 ? (sv ? "minskat" : "fallen") : (sv ? "ökat" : "risen")
                text = sv ? "Där har \(what) \(verb) från \(from) \(periods[k0]) (\(difference))"
                    : "There the \(what) has \(verb) from \(from) in \(periods[k0]) (\(difference))"
            }
            // A peak between the ends is part of the story.
            if let peak = row.indices.filter({ row[$0] != nil }).max(by: { row[$0]! < row[$1]! }), peak != k0, peak != last,
                row[peak]! > max(v0, ends.last.1)
            {
                let value = format.format(row[peak]!, language)
                text += sv ? "; den var som högst \(periods[peak]) (\(value))" : "; it was highest in \(periods[peak]) (\(value))"
            }
            sentences.append(text + ".")
        }
        for reference in references {
            guard let value = reference.values[last] else { continue }
            var text = "\(reference.name) \(period): \(format.format(value, language))"
            if let f = reference.values.firstIndex(where: { $0 != nil }), f < last {
                text += sv ? " (\(format.format(reference.values[f]!, language)) \(periods[f]))" : " (\(format.format(reference.values[f]!, language)) in \(periods[f]))"
            }
            sentences.append((sv ? "Som jämförelse: " : "For comparison: ") + text + ".")
        }
        return sentences
    }
}
