import Foundation

/// A mode of transport, from a basic (0–12) or extended (100–1700) GTFS route type.
public enum TransitMode: String, Sendable, CaseIterable, Hashable {
    case tram, metro, rail, bus, ferry, cableTram = "cable-tram", aerialLift = "aerial-lift"
    case funicular, trolleybus, monorail, taxi, air, other

    /// Extended types are folded into the basic mode they run as: coach and rail-replacement
    /// bus count as bus, urban and suburban railways as metro and rail.
    public init(routeType: Int) {
        switch routeType {
        case 0, 900...999: self = .tram
        case 1, 400...699: self = .metro
        case 2, 100...199, 300...399: self = .rail
        case 3, 200...299, 700...799: self = .bus
        case 4, 1000...1099, 1200...1299: self = .ferry
        case 5: self = .cableTram
        case 6, 1300...1399: self = .aerialLift
        case 7, 1400...1499: self = .funicular
        case 11, 800...899: self = .trolleybus
        case 12: self = .monorail
        case 1100...1199: self = .air
        case 1500...1599: self = .taxi
        default: self = .other
        }
    }

    /// Parses a `--modes` item: a name ("bus", "rail", "coach", "water", …) or a route type
    /// number, which stands for its whole mode.
    public init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        if let number = Int(text) {
            guard number >= 0 else { return nil }
            self.init(routeType: number)
            return
        }
        switch text {
        case "coach": self = .bus
        case "train", "railway": self = .rail
        case "subway", "underground", "urban-rail": self = .metro
        case "water", "boat": self = .ferry
        case "gondola", "cable-car": self = .aerialLift
        case "cable_tram", "cabletram": self = .cableTram
        case "aerial_lift", "aeriallift": self = .aerialLift
        default:
            guard let mode = TransitMode(rawValue: text) else { return nil }
            self = mode
        }
    }
}
