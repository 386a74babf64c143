import Foundation

/// The language of a report's fixed texts and of its number formatting.
public enum ReportLanguage: String, Sendable, CaseIterable {
    case swedish = "sv"
    case english = "en"
}

/// Every fixed string a report prints, in Swedish and English.
struct ReportText: Sendable {
    let language: ReportLanguage

    private var sv: Bool { language == .swedish }

    var htmlLanguage: String { language.rawValue }
    var summary: String { sv ? "Sammanfattning" : "Summary" }
    var highest: String { sv ? "Högst" : "Highest" }
    var lowest: String { sv ? "Lägst" : "Lowest" }
    var definition: String { sv ? "Definition" : "Definition" }
    var sources: String { sv ? "Källor" : "Sources" }
    var area: String { sv ? "Område" : "Area" }
    var rank: String { sv ? "Nr" : "No." }
    var withheld: String { sv ? "Ej publicerat" : "Withheld" }
    var noData: String { sv ? "Uppgift saknas" : "No data" }
    var legend: String { sv ? "Teckenförklaring" : "Legend" }
    var contents: String { sv ? "Innehåll" : "Contents" }
    var madeBy: String { sv ? "Framtagen" : "Made" }
    var with: String { sv ? "med" : "with" }
    var from: String { sv ? "från" : "from" }
    var noInputs: String { sv ? "inga angivna filer" : "no files given" }
    var classesBy: String { sv ? "Klassindelning" : "Classes" }
    var mapOf: String { sv ? "Karta" : "Map" }
    var trend: String { sv ? "Utveckling" : "Trend" }
    var change: String { sv ? "Förändring" : "Change" }
    var rankEachYear: String { sv ? "Placering varje år" : "Rank each year" }

    /// The value column's heading when the section gives none.
    func valueHeading(_ format: ValueFormat) -> String {
        switch format {
        case .percent: sv ? "Andel" : "Share"
        case .minutes: sv ? "Minuter" : "Minutes"
        case .count: sv ? "Antal" : "Count"
        case .number: sv ? "Värde" : "Value"
        }
    }

    func areaCount(_ n: Int) -> String {
        if sv { return n == 1 ? "1 område" : "\(ReportNumber.grouped(n, language)) områden" }
        return n == 1 ? "1 area" : "\(ReportNumber.grouped(n, language)) areas"
    }

    func withheldCount(_ n: Int) -> String {
        let count = ReportNumber.grouped(n, language)
        return sv ? "\(count) ej publicerade" : "\(count) withheld"
    }

    func missingCount(_ n: Int) -> String {
        let count = ReportNumber.grouped(n, language)
        return sv ? "\(count) utan uppgift" : "\(count) without data"
    }

    /// A legend entry with its count: "Ej publicerat (2)".
    func counted(_ label: String, _ n: Int) -> String {
        "\(label) (\(ReportNumber.grouped(n, language)))"
    }

    func scheme(_ scheme: ClassificationScheme) -> String {
        switch scheme {
        case .quantile: sv ? "kvantiler (lika många områden i varje klass)" : "quantiles (as many areas in each class)"
        case .equal: sv ? "lika breda intervall" : "equal intervals"
        case .jenks: sv ? "naturliga brytpunkter (Jenks)" : "natural breaks (Jenks)"
        }
    }

    /// The caption's account of where the classes came from.
    func classes(_ origin: ClassOrigin, count: Int, format: ValueFormat) -> String {
        let classes = classCount(count)
        switch origin {
        case .scheme(let s):
            return "\(classesBy): \(scheme(s)), \(classes)."
        case .layer(let name):
            // "thresholds": fixed upper limits such as the PIPOS 5, 10 and 30 minutes.
            let fixed = sv ? "fasta gränser" : "fixed limits"
            let how = name == "thresholds" ? fixed : name.flatMap(ClassificationScheme.init(rawValue:)).map(scheme) ?? name ?? givenBreaks
            return sv ? "\(classesBy): \(how), \(classes), som i lagret." : "\(classesBy): \(how), \(classes), as in the layer."
        case .breaks:
            return "\(classesBy): \(givenBreaks), \(classes)."
        case .thresholds(let limits):
            let words = RunWords(language: language)
            let list = words.list(limits.map(words.number), and: true)
            let unit = if case .minutes = format { sv ? " minuter" : " minutes" } else { "" }
            let pipos = limits == [5, 10, 30] && unit != "" ? " (PIPOS)" : ""
            return sv ? "\(classesBy): fasta gränser vid \(list)\(unit)\(pipos), \(classes)."
                : "\(classesBy): fixed limits at \(list)\(unit)\(pipos), \(classes)."
        }
    }

    func classCount(_ n: Int) -> String {
        sv ? (n == 1 ? "1 klass" : "\(n) klasser") : (n == 1 ? "1 class" : "\(n) classes")
    }

    var givenBreaks: String { sv ? "angivna gränser" : "given breaks" }

    /// The change column's heading, with the unit of a change in a share.
    func changeHeading(_ format: ValueFormat) -> String {
        if case .percent = format { return sv ? "Förändring, procentenheter" : "Change, percentage points" }
        return change
    }

    func trendHeading(_ from: String, _ to: String) -> String { "\(trend) \(from)–\(to)" }

    var rankNote: String {
        sv ? "Placering bland områdena varje år, 1 för det högsta värdet; färgen visar årets värde i kartans klasser."
            : "Rank among the areas each year, 1 for the highest value; the colour shows the year's value in the map's classes."
    }

    /// "5 januari 2025 kl. 10:00 UTC" / "5 January 2025, 10:00 UTC": UTC so that a report
    /// made from the same data at the same instant is the same file anywhere.
    func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let svMonths = [
            "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
            "oktober", "november", "december",
        ]
        let enMonths = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December",
        ]
        let month = (sv ? svMonths : enMonths)[(c.month ?? 1) - 1]
        let time = String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
        let day = c.day ?? 1, year = c.year ?? 1970
        return sv ? "\(day) \(month) \(year) kl. \(time) UTC" : "\(day) \(month) \(year), \(time) UTC"
    }
}

/// How a section's values are written: a share (0–1) as a percentage, minutes, a count
/// or a plain number.
public enum ValueFormat: Hashable, Sendable {
    case percent(decimals: Int)
    case minutes(decimals: Int)
    case count
    case number(decimals: Int)

    public static let percent = ValueFormat.percent(decimals: 1)
    public static let minutes = ValueFormat.minutes(decimals: 1)

    /// A format guessed from a field: `share…` as percent, `…minutes` as minutes, whole numbers
    /// as counts, anything else with one decimal.
    public static func inferred(for field: String, in layer: Layer) throws -> ValueFormat {
        let name = try layer.fields[layer.fieldIndex(field)].name
        if name.hasPrefix("share") { return .percent }
        if name.hasSuffix("minutes") { return .minutes }
        let whole = try layer.values(of: name).allSatisfy { value in
            value.isNull || (value.number.map { $0 == $0.rounded() } ?? false)
        }
        return whole ? .count : .number(decimals: 1)
    }

    /// The value as text in the report's language: "12,2 %" / "12.2%", "1 234" / "1,234".
    public func format(_ value: Double, _ language: ReportLanguage) -> String {
        switch self {
        case .percent(let decimals):
            let number = ReportNumber.format(value * 100, decimals: decimals, language)
            return language == .swedish ? number + " %" : number + "%"
        case .minutes(let decimals):
            return ReportNumber.format(value, decimals: decimals, language) + " min"
        case .count:
            return ReportNumber.format(value, decimals: 0, language)
        case .number(let decimals):
            return ReportNumber.format(value, decimals: decimals, language)
        }
    }

    /// A change with its sign: "−1,8 procentenheter" / "−1.8 percentage points", "+2,0 min".
    /// `unit: false` leaves out the unit of a share's change, for a column whose heading names it.
    func difference(_ change: Double, _ language: ReportLanguage, unit: Bool = true) -> String {
        let sv = language == .swedish
        let sign = change > 0 ? "+" : ""
        switch self {
        case .percent(let decimals):
            let number = ReportNumber.format(change * 100, decimals: decimals, language)
            return sign + number + (unit ? (sv ? " procentenheter" : " percentage points") : "")
        default:
            return sign + format(change, language)
        }
    }

    /// A class range such as "10,1–12,2 %", with the unit written once.
    func range(_ low: Double, _ high: Double, _ language: ReportLanguage) -> String {
        switch self {
        case .percent(let decimals):
            let a = ReportNumber.format(low * 100, decimals: decimals, language)
            let b = ReportNumber.format(high * 100, decimals: decimals, language)
            return language == .swedish ? "\(a)–\(b) %" : "\(a)–\(b)%"
        case .minutes(let decimals):
            let a = ReportNumber.format(low, decimals: decimals, language)
            let b = ReportNumber.format(high, decimals: decimals, language)
            return "\(a)–\(b) min"
        case .count, .number:
            return format(low, language) + "–" + format(high, language)
        }
    }
}

/// Number formatting without Foundation locales, so output does not depend on the machine:
/// Swedish uses a decimal comma and a space between thousands, English a point and commas.
enum ReportNumber {
    static func format(_ value: Double, decimals: Int, _ language: ReportLanguage) -> String {
        guard value.isFinite else { return "–" }
        let scale = pow(10.0, Double(decimals))
        let scaled = (abs(value) * scale).rounded()
        let negative = value < 0 && scaled > 0
        // Beyond 2^53 digits are noise anyway; clamp so the Int conversion cannot trap.
        let units = Int(min(scaled, 9.0e15))
        let whole = units / Int(scale)
        let fraction = units % Int(scale)
        var text = grouped(whole, language)
        if decimals > 0 {
            let digits = String(fraction)
            text += (language == .swedish ? "," : ".")
                + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return negative ? "\u{2212}" + text : text
    }

    /// A number as JSON writes it, for ids and parameters: 14, 0.5.
    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// A non-negative integer with thousands separators.
    static func grouped(_ n: Int, _ language: ReportLanguage) -> String {
        let digits = Array(String(n))
        let separator: Character = language == .swedish ? " " : ","
        var out: [Character] = []
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(separator) }
            out.append(d)
        }
        return String(out)
    }
}
