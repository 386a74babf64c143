import Foundation

extension StopDepartures {
    /// The header of `writeCSV`: one column per hour of the window, named by its start ("h06").
    public var csvHeader: [String] {
        let first = window.start / 3600
        return ["stop_id", "stop_name", "lon", "lat", "departures", "min_per_hour"]
            + (0..<window.hours).map { k in
                let h = first + k
                return h < 10 ? "h0\(h)" : "h\(h)"
            }
    }

    /// Departures per stop as CSV, one row per stop (or group) in feed order; written whole or
    /// not at all.
    public func writeCSV(to path: String) throws {
        let file = try AtomicFile(path: path)
        var text = csvHeader.joined(separator: ",") + "\n"
        for (i, stop) in stops.enumerated() {
            var fields = [Self.quoted(stop.id), Self.quoted(stop.name)]
            fields.append(stop.coordinate.map { String($0.x) } ?? "")
            fields.append(stop.coordinate.map { String($0.y) } ?? "")
            fields.append(String(departures(i)))
            fields.append(String(minimumPerHour(i)))
            fields.append(contentsOf: hourly(i).map { String($0) })
            text += fields.joined(separator: ",") + "\n"
            if text.utf8.count > 1 << 20 {
                try file.write(text)
                text = ""
            }
        }
        try file.write(text)
        try file.commit()
    }

    private static func quoted(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension StopDepartures {
    /// The stops as a WGS 84 point layer with `stop_id`, `stop_name`, `departures`,
    /// `min_per_hour` and `qualifies` under the rule; stops without a position are left out.
    public func stopsLayer(rule: DepartureRule, minPerHour: Double, source: String) -> Layer {
        var layer = Layer(
            source: source, format: "GTFS", crs: .wgs84,
            fields: TransitProximity.gtfsStopSchema.map(\.field),
            features: [])
        for (i, stop) in stops.enumerated() {
            guard let c = stop.coordinate else { continue }
            layer.features.append(Feature(
                geometry: .point(c),
                values: [
                    .string(stop.id), .string(stop.name), .int(departures(i)), .int(minimumPerHour(i)),
                    .bool(qualifies(i, rule: rule, minPerHour: minPerHour)),
                ]))
        }
        return layer
    }
}
