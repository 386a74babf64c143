import Foundation

/// A section's title, definition and sources written from the layer's `"atlas:run"`: the
/// measure named by the table's own columns and filters, the radius, rule, window and grouping a
/// transit run used, the mode, destinations and speeds of an access run. Nothing is said that the
/// run does not record; what atlas cannot know (what the destinations are) is named neutrally.
/// A layer without `"atlas:run"` gets neutral text naming the mapped field and the file.
struct RunDescription {
    var title: String
    var definition: String
    var sources: String

    /// `label` names what the figure is about in the user's words: the measure of a low-income
    /// layer ("barn 0–19 år i hushåll med låg ekonomisk standard"), the destinations of an access
    /// layer ("skola"). It becomes the title and, for access, the destinations' name.
    static func describe(
        run: LayerRun?, layer: Layer, valueField: String, language: ReportLanguage, label: String?
    ) -> RunDescription {
        let words = RunWords(language: language)
        guard let run else { return neutral(layer: layer, valueField: valueField, words: words, label: label) }
        let base = ReportSeries.baseField(of: valueField) ?? valueField
        switch run.indicator {
        case "lowincome" where base == (run.primary ?? "share"):
            return lowIncome(run, words: words, label: label)
        case "transit" where base == (run.primary ?? "share_near") && run.role != "stops":
            return transit(run, words: words, label: label)
        case "access" where base == (run.primary ?? "mean_minutes") && run.role != "cells":
            return access(run, words: words, label: label)
        default:
            var neutral = neutral(layer: layer, valueField: valueField, words: words, label: label)
            neutral.sources = words.files(run.inputs.map(\.file))
            return neutral
        }
    }

    static func neutral(layer: Layer, valueField: String, words: RunWords, label: String?) -> RunDescription {
        let file = URL(fileURLWithPath: layer.source).lastPathComponent
        let definition =
            words.sv
            ? "Kartan och tabellen visar fältet \(words.quoted(valueField))\(file.isEmpty ? "" : " i \(file)")."
            : "The map and the table show the field \(words.quoted(valueField))\(file.isEmpty ? "" : " of \(file)")."
        return RunDescription(title: label ?? valueField, definition: definition, sources: "")
    }

    // MARK: lowincome

    static func lowIncome(_ run: LayerRun, words w: RunWords, label: String?) -> RunDescription {
        let sv = w.sv
        let count = run.text("count"), total = run.text("total"), share = run.text("share")
        let stats = run.file("stats"), areas = run.file("areas")
        let filters = run.texts("where").map(w.filter)
        let table: String
        if let stats {
            table = (sv ? "i tabellen \(stats)" : "in the table \(stats)")
                + (filters.isEmpty ? "" : sv ? ", rader där \(w.list(filters, and: true))" : ", rows where \(w.list(filters, and: true))")
        } else {
            table = areas.map { sv ? "i områdeslagret \($0)" : "in the area layer \($0)" } ?? (sv ? "i områdeslagret" : "in the area layer")
        }
        var sentences: [String] = []
        if let count, let total {
            sentences.append(
                sv ? "Andelen är kolumnen \(w.quoted(count)) delad med kolumnen \(w.quoted(total)) \(table)."
                    : "The share is the column \(w.quoted(count)) divided by the column \(w.quoted(total)) \(table).")
        } else if let share {
            let unit = run.text("share-unit") == "fraction" ? (sv ? "som andel 0–1" : "as a fraction 0–1") : (sv ? "i procent" : "in per cent")
            sentences.append(
                sv ? "Andelen är kolumnen \(w.quoted(share)) \(table), där den anges \(unit)."
                    : "The share is the column \(w.quoted(share)) \(table), where it is given \(unit).")
            if let total {
                sentences.append(
                    sv ? "Kolumnen \(w.quoted(total)) ger antalet andelen avser." : "The column \(w.quoted(total)) gives the number the share is of.")
            }
        }
        if let key = run.file("key") {
            sentences.append(sv ? "Tabellens områdeskoder är översatta med nyckeltabellen \(key)." : "The table's area codes are mapped through the key table \(key).")
        }
        if run.has("target") || run.has("target-grid") {
            let target =
                run.file("target").map { sv ? "områdena i \($0)" : "the areas of \($0)" }
                ?? run.number("target-grid").map { sv ? "rutor om \(w.number($0)) m" : "\(w.number($0)) m grid cells" }
                ?? ""
            let by =
                run.file("weights").map { file in
                    let field = run.text("weight-field").map { " (\(w.quoted($0)))" } ?? ""
                    return sv ? "fördelade efter befolkningen i \(file)\(field)" : "shared out by the population in \(file)\(field)"
                } ?? (sv ? "fördelade efter yta" : "shared out by area")
            sentences.append(
                sv ? "Siffrorna är omräknade från tabellens områden till \(target), \(by)."
                    : "The figures are re-aggregated from the table's areas to \(target), \(by).")
            if let coverage = run.number("min-coverage"), coverage > 0 {
                let percent = w.number(coverage * 100)
                sentences.append(
                    sv ? "Ett område redovisas bara när minst \(percent) % av det täcks av publicerade uppgifter."
                        : "An area is shown only when published figures cover at least \(percent)% of it.")
            }
        }
        if let total, let minimum = run.number("min-total"), minimum > 0 {
            sentences.append(
                sv ? "Områden där \(w.quoted(total)) är under \(w.number(minimum)) redovisas inte (ej publicerat), liksom uppgifter som utgivaren inte har publicerat."
                    : "Areas where \(w.quoted(total)) is below \(w.number(minimum)) are not shown (withheld), nor are figures the publisher withheld.")
        } else {
            sentences.append(sv ? "Uppgifter som utgivaren inte har publicerat redovisas inte." : "Figures the publisher withheld are not shown.")
        }
        let column = count ?? share
        let title =
            label ?? column.flatMap { RunWords.readsLikeWords($0) ? $0 : nil }
            ?? (sv ? "Låg inkomst: andel per område" : "Low income: share by area")
        var files: [String] = []
        if let stats { files.append(sv ? "tabell \(stats)" : "table \(stats)") }
        if let areas { files.append(sv ? "områden \(areas)" : "areas \(areas)") }
        if let target = run.file("target") { files.append(sv ? "målområden \(target)" : "target areas \(target)") }
        if let weights = run.file("weights") { files.append(sv ? "befolkning \(weights)" : "population \(weights)") }
        return RunDescription(title: title, definition: sentences.joined(separator: " "), sources: w.sources(files))
    }

    // MARK: transit

    static func transit(_ run: LayerRun, words w: RunWords, label: String?) -> RunDescription {
        let sv = w.sv
        var sentences: [String] = []
        let radius = run.number("radius").map(w.number)
        let within = radius.map { sv ? "inom \($0) meter fågelvägen från" : "within \($0) metres in a straight line of" }
            ?? (sv ? "nära" : "near")
        if let stops = run.file("stops") {
            let minimum = run.number("min-departures")
            let field = run.text("departures-field")
            var stop = sv ? "en hållplats" : "a stop"
            if let minimum {
                stop += sv ? " med minst \(w.number(minimum)) \(minimum == 1 ? "avgång" : "avgångar") per dag"
                    : " with at least \(w.number(minimum)) \(minimum == 1 ? "departure" : "departures") a day"
            }
            if let field {
                stop += sv ? " enligt fältet \(w.quoted(field)) i \(stops)" : " by the field \(w.quoted(field)) of \(stops)"
            }
            sentences.append(sv ? "Andel av befolkningen som bor \(within) \(stop)." : "Share of the population living \(within) \(stop).")
        } else {
            let perHour = run.number("min-per-hour")
            let window = run.text("window").map(w.window)
            var stop = sv ? "en hållplats" : "a stop"
            if let perHour {
                let n = w.number(perHour)
                let departures = sv ? (perHour == 1 ? "avgång" : "avgångar") : (perHour == 1 ? "departure" : "departures")
                switch run.text("rule") {
                case "average":
                    stop += sv ? " med i genomsnitt minst \(n) \(departures) i timmen" : " with on average at least \(n) \(departures) an hour"
                case "every-hour":
                    stop += sv ? " med minst \(n) \(departures) i var och en av timmarna" : " with at least \(n) \(departures) in every hour"
                default:
                    stop += sv ? " med minst \(n) \(departures) i timmen" : " with at least \(n) \(departures) an hour"
                }
                if let window { stop += " \(window)" }
            }
            if let date = run.text("date") { stop += sv ? " den \(date)" : " on \(date)" }
            if let gtfs = run.file("gtfs") { stop += sv ? " enligt tidtabellen \(gtfs)" : " in the timetable \(gtfs)" }
            sentences.append(sv ? "Andel av befolkningen som bor \(within) \(stop)." : "Share of the population living \(within) \(stop).")
            let modes = run.texts("modes")
            if modes.isEmpty {
                sentences.append(sv ? "Alla trafikslag räknas." : "Every mode counts.")
            } else {
                let names = modes.map(w.transitMode)
                sentences.append(sv ? "Bara \(w.list(names, and: true)) räknas." : "Only \(w.list(names, and: true)) count.")
            }
        }
        switch run.text("group-stops") {
        case "parent":
            let field = run.text("parent-field") ?? "parent_station"
            sentences.append(
                sv ? "Hållplatslägen med samma \(w.quoted(field)) räknas som en hållplats."
                    : "Stop positions with the same \(w.quoted(field)) count as one stop.")
        case "none":
            sentences.append(sv ? "Varje hållplatsläge räknas för sig." : "Each stop position counts by itself.")
        default: break
        }
        let distance = radius.map { sv ? "inom \($0) m" : "within \($0) m" } ?? (sv ? "inom avståndet" : "within the distance")
        switch run.text("population-model") {
        case "centroid":
            sentences.append(
                sv ? "En befolkningsruta räknas som nära när dess mittpunkt ligger \(distance) från en sådan hållplats."
                    : "A population cell counts as near when its centre lies \(distance) of such a stop.")
        case "areal":
            sentences.append(
                sv ? "En befolkningsruta räknas med den del av sin yta som ligger \(distance) från en sådan hållplats."
                    : "A population cell counts by the part of its area that lies \(distance) of such a stop.")
        default: break
        }
        switch run.text("area-assignment") {
        case "centroid":
            sentences.append(
                sv ? "Rutans befolkning räknas till det område där rutans mittpunkt ligger."
                    : "A cell's population goes to the area that holds the cell's centre.")
        case "areal":
            sentences.append(
                sv ? "Rutans befolkning fördelas på områdena efter hur stor del av rutans yta som ligger i vart och ett."
                    : "A cell's population is split between the areas by the part of the cell's area in each.")
        default: break
        }
        if let population = run.file("population"), let field = run.text("population-field") {
            sentences.append(sv ? "Befolkningen är fältet \(w.quoted(field)) i \(population)." : "The population is the field \(w.quoted(field)) of \(population).")
        }
        let title =
            label ?? radius.map { sv ? "Kollektivtrafiknära läge, \($0) m" : "Population near public transport, \($0) m" }
            ?? (sv ? "Kollektivtrafiknära läge" : "Population near public transport")
        var files: [String] = []
        if let gtfs = run.file("gtfs") { files.append(sv ? "tidtabell \(gtfs) (GTFS)" : "timetable \(gtfs) (GTFS)") }
        if let stops = run.file("stops") { files.append(sv ? "hållplatser \(stops)" : "stops \(stops)") }
        if let population = run.file("population") { files.append(sv ? "befolkning \(population)" : "population \(population)") }
        if let areas = run.file("areas") { files.append(sv ? "områden \(areas)" : "areas \(areas)") }
        return RunDescription(title: title, definition: sentences.joined(separator: " "), sources: w.sources(files))
    }

    // MARK: access

    static func access(_ run: LayerRun, words w: RunWords, label: String?) -> RunDescription {
        let sv = w.sv
        let destination = label ?? w.destinationKind(run.texts("destination-filter"))
        let target = destination ?? (sv ? "målpunkt" : "destination")
        let network = run.file("network")
        let isPBF =
            run.text("network-format") == "pbf"
            || (run.text("network-format") == nil && (network ?? "").lowercased().hasSuffix(".pbf"))
        let how: String
        switch run.text("mode") {
        case "car":
            if isPBF {
                how = sv ? "med bil längs vägnätet, med hastighetsgränserna i OpenStreetMap (maxspeed) och typiska hastigheter per vägklass där de saknas"
                    : "by car along the road network, at the speed limits in OpenStreetMap (maxspeed) and typical speeds per road class where they are missing"
            } else if let field = run.text("speed-field") {
                let fallback = run.number("default-speed").map { sv ? " (\(w.number($0)) km/h där den saknas)" : " (\(w.number($0)) km/h where it is missing)" } ?? ""
                let backward = run.text("backward-speed-field").map { sv ? " och \(w.quoted($0)) mot linjens riktning" : " and \(w.quoted($0)) against the line's direction" } ?? ""
                how = sv ? "med bil längs vägnätet, med hastigheten i fältet \(w.quoted(field))\(backward)\(fallback)"
                    : "by car along the road network, at the speed in the field \(w.quoted(field))\(backward)\(fallback)"
            } else if let speed = run.number("default-speed") {
                how = sv ? "med bil längs vägnätet i \(w.number(speed)) km/h" : "by car along the road network at \(w.number(speed)) km/h"
            } else {
                how = sv ? "med bil längs vägnätet" : "by car along the road network"
            }
        case "bike":
            how = sv ? "med cykel i \(w.number(TravelProfile.bikeSpeed)) km/h längs vägnätet" : "by bicycle at \(w.number(TravelProfile.bikeSpeed)) km/h along the road network"
        case "walk":
            how = sv ? "till fots i \(w.number(TravelProfile.walkSpeed)) km/h längs gatu- och vägnätet" : "on foot at \(w.number(TravelProfile.walkSpeed)) km/h along the street and path network"
        case "transit":
            let modes = run.texts("modes").map(w.transitMode)
            let only = modes.isEmpty ? "" : sv ? " (bara \(w.list(modes, and: true)))" : " (\(w.list(modes, and: true)) only)"
            how = (sv ? "med kollektivtrafik" : "by public transport") + only
        case let other?:
            how = sv ? "längs nätet (\(other))" : "along the network (\(other))"
        case nil:
            how = sv ? "längs nätet" : "along the network"
        }
        var sentences: [String] = []
        let origins = run.file("origins").map { sv ? " i \($0)" : " of \($0)" } ?? ""
        let destinations = run.file("destinations").map { sv ? " (\($0))" : " (\($0))" } ?? ""
        sentences.append(
            sv ? "Befolkningsviktad genomsnittlig restid i minuter \(how), från varje befolkad ruta\(origins) till närmaste \(target)\(destinations)."
                : "Population-weighted mean travel time in minutes \(how), from every populated cell\(origins) to the nearest \(target)\(destinations).")
        if destination == nil, !run.texts("destination-filter").isEmpty {
            let filters = run.texts("destination-filter").map(w.filter)
            sentences.append(sv ? "Målpunkterna är de där \(w.list(filters, and: true))." : "The destinations are those where \(w.list(filters, and: true)).")
        }
        if let speed = run.number("access-speed"), ["car", "bike", "walk"].contains(run.text("mode") ?? "") {
            sentences.append(
                sv ? "Sträckan fågelvägen från rutan till närmaste väg, och från vägen till målpunkten, räknas i \(w.number(speed)) km/h."
                    : "The straight line from the cell to the nearest road, and from the road to the destination, is taken at \(w.number(speed)) km/h.")
        }
        sentences.append(
            sv ? "Befolkning som inte når någon målpunkt ingår inte i medelvärdet." : "People who reach no destination are left out of the mean.")
        let thresholds = run.numbers("thresholds")
        if !thresholds.isEmpty {
            let list = w.list(thresholds.map(w.number), and: true)
            sentences.append(
                sv ? "Tabellen visar också andelen av befolkningen som når fram inom \(list) minuter."
                    : "The table also gives the share of the population that gets there within \(list) minutes.")
        }
        if ["car", "bike"].contains(run.text("mode") ?? "") {
            sentences.append(sv ? "Metoden följer Tillväxtanalys PIPOS." : "The method follows PIPOS (Swedish Agency for Growth Policy Analysis).")
        }
        let title = sv ? "Restid till närmaste \(target)" : "Travel time to the nearest \(target)"
        var files: [String] = []
        if let network {
            let osm = isPBF ? (sv ? " (OpenStreetMap, © OpenStreetMap-bidragsgivare, ODbL)" : " (OpenStreetMap, © OpenStreetMap contributors, ODbL)") : ""
            files.append((sv ? "nät \(network)" : "network \(network)") + osm)
        }
        if let d = run.file("destinations") { files.append(sv ? "målpunkter \(d)" : "destinations \(d)") }
        if let o = run.file("origins") { files.append(sv ? "befolkning \(o)" : "population \(o)") }
        if let a = run.file("areas") { files.append(sv ? "områden \(a)" : "areas \(a)") }
        return RunDescription(title: title, definition: sentences.joined(separator: " "), sources: w.sources(files))
    }
}

/// The small words the descriptions are made of, in the report's language.
struct RunWords {
    let language: ReportLanguage
    var sv: Bool { language == .swedish }

    func quoted(_ text: String) -> String { sv ? "”\(text)”" : "“\(text)”" }

    func number(_ value: Double) -> String {
        ReportNumber.format(value, decimals: value == value.rounded() ? 0 : 1, language)
    }

    /// "a, b och c" / "a, b and c"; "a eller b" when `and` is false.
    func list(_ items: [String], and: Bool) -> String {
        guard let last = items.last else { return "" }
        guard items.count > 1 else { return last }
        let word = and ? (sv ? "och" : "and") : (sv ? "eller" : "or")
        return items.dropLast().joined(separator: ", ") + " \(word) " + last
    }

    /// `year=2021` as "year = 2021".
    func filter(_ text: String) -> String {
        guard let eq = text.firstIndex(of: "=") else { return text }
        return "\(text[..<eq]) = \(text[text.index(after: eq)...])"
    }

    func window(_ text: String) -> String { text.replacingOccurrences(of: "-", with: "–") }

    func files(_ names: [String]) -> String {
        guard !names.isEmpty else { return "" }
        return (sv ? "Filer: " : "Files: ") + names.joined(separator: ", ") + "."
    }

    func sources(_ parts: [String]) -> String {
        guard !parts.isEmpty else { return "" }
        let text = parts.joined(separator: "; ")
        return text.prefix(1).uppercased() + text.dropFirst() + "."
    }

    func transitMode(_ mode: String) -> String {
        let sv: [String: String] = [
            "bus": "buss", "tram": "spårvagn", "metro": "tunnelbana", "rail": "tåg", "ferry": "färja",
            "trolleybus": "trådbuss", "taxi": "anropsstyrd trafik", "air": "flyg",
        ]
        return self.sv ? sv[mode] ?? mode : mode.replacingOccurrences(of: "-", with: " ")
    }

    /// What the destinations are, from a filter atlas can read a kind from: an OpenStreetMap tag
    /// it knows (`amenity=hospital`), or a value of a field that names kinds (`typ=Vårdcentral`),
    /// several values of one field joined with "or". Nil when the filter says no kind.
    func destinationKind(_ filters: [String]) -> String? {
        let osm: [String: (String, String)] = [
            "hospital": ("sjukhus", "hospital"), "clinic": ("vårdmottagning", "clinic"),
            "doctors": ("läkarmottagning", "doctors' practice"), "pharmacy": ("apotek", "pharmacy"),
            "dentist": ("tandläkare", "dentist"), "school": ("skola", "school"),
            "kindergarten": ("förskola", "kindergarten"), "library": ("bibliotek", "library"),
            "supermarket": ("livsmedelsbutik", "supermarket"), "centre": ("vårdcentral", "health centre"),
        ]
        let kindFields: Set<String> = ["typ", "type", "kategori", "category", "slag", "art", "verksamhet"]
        var field: String?
        var kinds: [String] = []
        for filter in filters {
            guard let eq = filter.firstIndex(of: "=") else { return nil }
            let key = filter[..<eq].lowercased(), value = String(filter[filter.index(after: eq)...])
            guard field == nil || field == key else { return nil }
            field = key
            if ["amenity", "healthcare", "shop"].contains(key) {
                guard let words = osm[value.lowercased()] else { return nil }
                kinds.append(sv ? words.0 : words.1)
            } else if kindFields.contains(key), !value.isEmpty {
                let rest = value.dropFirst()
                kinds.append(rest == rest.lowercased() ? value.prefix(1).lowercased() + rest : value)
            } else {
                return nil
            }
        }
        return kinds.isEmpty ? nil : list(kinds, and: false)
    }

    /// A column name that reads as a label ("Barn 0-19 år i hushåll med låg ekonomisk standard")
    /// rather than a code (`value`, `N02904`).
    static func readsLikeWords(_ text: String) -> Bool {
        text.contains(" ") && text.count >= 12
    }
}
