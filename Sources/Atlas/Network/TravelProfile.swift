import Foundation

/// The three ways of travelling the access indicator knows.
public enum TravelMode: String, Sendable, CaseIterable {
    case car, bike, walk
}

/// Speeds (km/h) at which a way may be travelled along and against its node order;
/// nil means that direction is not allowed.
public struct WayTraversal: Equatable, Sendable {
    public var forward: Double?
    public var backward: Double?

    public init(forward: Double?, backward: Double?) {
        self.forward = forward
        self.backward = backward
    }
}

/// Which OpenStreetMap ways a mode may use, in which directions, and how fast.
///
/// - Highways: car uses motorway … residential, service, unclassified, living_street and
///   their links (plus `road`); bike uses everything but motorway/trunk (and their links),
///   plus cycleway, path, track, pedestrian (footway only with `bicycle=yes`); walk uses everything but
///   motorway/trunk (and links), plus footway, pedestrian, path, steps, track, cycleway.
/// - Access: `access`, then the mode's tags (`motor_vehicle`, `motorcar` for car; `vehicle`,
///   `bicycle` for bike; `foot` for walk), the most specific winning. `no` and `private`
///   deny; `yes`, `designated`, `permissive`, `destination`, `customers` allow. A way whose
///   `highway` the mode does not use is still allowed when its mode tag says yes/designated
///   (e.g. `highway=footway` + `bicycle=yes`), except motorways for walk and bike.
/// - Oneway: `oneway=yes|true|1` forward only, `-1|reverse` backward only; `junction=roundabout`
///   and `highway=motorway` (and `motorway_link`) are oneway unless `oneway=no`. Car obeys
///   oneway; bike obeys it unless `oneway:bicycle=no`; walk ignores it.
/// - Speed: bike 16 km/h flat (the PIPOS assumption), walk 5 km/h flat. Car: `maxspeed` when
///   parsable — a number (km/h), `"N mph"`, `"N knots"`, `walk` (6 km/h), `none` (the class
///   default), and the Swedish implicit values from the OSM wiki's table of implicit maxspeed
///   values: `SE:urban` 50, `SE:rural` 70, `SE:motorway` 110 (other `XX:urban`/`XX:rural`/
///   `XX:motorway` values take 50/80/110, and `XX:living_street` 7); otherwise `defaultCarSpeed`.
public struct TravelProfile: Sendable {
    public var mode: TravelMode

    public init(_ mode: TravelMode) {
        self.mode = mode
    }

    /// Fixed speeds of the slow modes, km/h.
    public static let bikeSpeed = 16.0
    public static let walkSpeed = 5.0

    /// Car speeds (km/h) when `maxspeed` is missing: typical Swedish posted limits per class
    /// (motorway 110, motortrafikled/trunk 90, primary 80 rural roads, urban streets 50 and
    /// below), close to the defaults of OSRM's car profile.
    public static let defaultCarSpeed: [String: Double] = [
        "motorway": 110, "motorway_link": 60,
        "trunk": 90, "trunk_link": 50,
        "primary": 80, "primary_link": 50,
        "secondary": 70, "secondary_link": 50,
        "tertiary": 60, "tertiary_link": 40,
        "unclassified": 50, "road": 50,
        "residential": 40, "living_street": 7, "service": 20,
    ]

    static let bikeHighways: Set<String> = [
        "primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
        "unclassified", "road", "residential", "living_street", "service", "cycleway", "path", "track",
        "pedestrian", "busway",
    ]

    static let walkHighways: Set<String> = [
        "primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
        "unclassified", "road", "residential", "living_street", "service", "cycleway", "path", "track",
        "footway", "pedestrian", "steps", "bridleway", "corridor",
    ]

    static let deniedValues: Set<String> = ["no", "private", "agricultural", "forestry", "delivery"]
    static let allowedValues: Set<String> = ["yes", "designated", "permissive", "destination", "customers"]

    /// Every tag `traversal` may read, in any mode: ways that agree on these are travelled
    /// alike, which lets a reader decide once per combination of them.
    public static let consultedKeys: Set<String> = [
        "highway", "area", "access", "vehicle", "motor_vehicle", "motorcar", "bicycle", "foot",
        "maxspeed", "oneway", "junction", "oneway:bicycle",
    ]

    /// How `way` may be travelled in this mode, or nil when it may not be used at all.
    public func traversal(_ way: OSMWay) -> WayTraversal? {
        traversal(tag: way.tag)
    }

    public func traversal(tag: (String) -> String?) -> WayTraversal? {
        guard let highway = tag("highway") else { return nil }
        if tag("area") == "yes" { return nil }
        let modeKeys: [String]
        let usesClass: Bool
        switch mode {
        case .car:
            modeKeys = ["vehicle", "motor_vehicle", "motorcar"]
            usesClass = Self.defaultCarSpeed[highway] != nil
        case .bike:
            modeKeys = ["vehicle", "bicycle"]
            usesClass = Self.bikeHighways.contains(highway)
        case .walk:
            modeKeys = ["foot"]
            usesClass = Self.walkHighways.contains(highway)
        }
        var allowed: Bool? = nil
        if let access = tag("access") {
            if Self.deniedValues.contains(access) { allowed = false }
            if Self.allowedValues.contains(access) { allowed = true }
        }
        var explicitlyAllowed = false
        for key in modeKeys {
            guard let value = tag(key) else { continue }
            if Self.deniedValues.contains(value) { allowed = false; explicitlyAllowed = false }
            if Self.allowedValues.contains(value) { allowed = true; explicitlyAllowed = true }
        }
        if allowed == false { return nil }
        let isMotorway = highway == "motorway" || highway == "motorway_link"
        if !usesClass {
            guard mode != .car, explicitlyAllowed, !isMotorway else { return nil }
        }

        let speed: Double
        switch mode {
        case .car: speed = Self.carSpeed(maxspeed: tag("maxspeed"), highway: highway)
        case .bike: speed = Self.bikeSpeed
        case .walk: speed = Self.walkSpeed
        }

        var direction = 0  // 1 forward only, -1 backward only
        switch tag("oneway") {
        case "yes", "true", "1": direction = 1
        case "-1", "reverse": direction = -1
        case "no", "false", "0": direction = 0
        default:
            if tag("junction") == "roundabout" || isMotorway { direction = 1 }
        }
        if mode == .walk { direction = 0 }
        if mode == .bike, tag("oneway:bicycle") == "no" { direction = 0 }
        return WayTraversal(forward: direction >= 0 ? speed : nil, backward: direction <= 0 ? speed : nil)
    }

    /// A car speed from a `maxspeed` value, falling back to the class default.
    public static func carSpeed(maxspeed: String?, highway: String) -> Double {
        let fallback = defaultCarSpeed[highway] ?? 50
        guard let raw = maxspeed?.trimmingCharacters(in: .whitespaces).lowercased(), !raw.isEmpty else {
            return fallback
        }
        // Several limits ("50;30") happen on split segments: the lowest is the safe reading.
        if raw.contains(";") {
            let parts = raw.split(separator: ";").map { carSpeed(maxspeed: String($0), highway: highway) }
            return parts.min() ?? fallback
        }
        switch raw {
        case "none", "signals", "variable": return fallback
        case "walk": return 6
        case "se:urban": return 50
        case "se:rural": return 70
        case "se:motorway": return 110
        default: break
        }
        if let colon = raw.firstIndex(of: ":"), raw[raw.startIndex..<colon].count == 2 {
            switch raw[raw.index(after: colon)...] {
            case "urban": return 50
            case "rural": return 80
            case "motorway": return 110
            case "trunk": return 90
            case "living_street": return 7
            default: return fallback
            }
        }
        let parts = raw.split(separator: " ")
        if let first = parts.first, let value = Double(first), value > 0 {
            if parts.count > 1 {
                switch parts[1] {
                case "mph": return value * 1.609344
                case "knots": return value * 1.852
                case "km/h", "kmh", "kph": return value
                default: return fallback
                }
            }
            return value
        }
        if raw.hasSuffix("mph"), let value = Double(raw.dropLast(3)), value > 0 { return value * 1.609344 }
        return fallback
    }
}
