import Foundation

/// Reading a request's options: a key that is absent keeps the request's default; lists may be
/// given as one value, as a comma-separated value, or as several values.
extension KeyedDecodingContainer {
    func read<T: Decodable>(_ value: inout T, _ key: Key) throws {
        if let decoded = try decodeIfPresent(T.self, forKey: key) { value = decoded }
    }

    func read<T: Decodable>(_ value: inout T?, _ key: Key) throws {
        if let decoded = try decodeIfPresent(T.self, forKey: key) { value = decoded }
    }

    /// Several values: `[a, b]`, or a single value (split at commas when `commas`).
    func readList(_ value: inout [String], _ key: Key, commas: Bool = false) throws {
        guard contains(key) else { return }
        if let list = try? decode([String].self, forKey: key) {
            value = list
        } else {
            let single = try decode(String.self, forKey: key)
            value = commas ? single.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [single]
        }
    }

    /// Transit modes by name or route type: `[bus, rail]` or `bus,rail`.
    func readModes(_ value: inout [TransitMode]?, _ key: Key) throws {
        var texts: [String] = []
        try readList(&texts, key, commas: true)
        guard contains(key) else { return }
        do { value = try TransitRequest.modes(texts) } catch let error as OptionError {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: error.message)
        }
    }

    /// Numbers as `[5, 10, 30]` or `5,10,30`.
    func readNumbers(_ value: inout [Double], _ key: Key) throws {
        var texts: [String] = []
        try readList(&texts, key, commas: true)
        guard contains(key) else { return }
        value = try texts.map { text in
            guard let number = Double(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "'\(text)' is not a number")
            }
            return number
        }
    }

    /// `COLUMN=VALUE` filters, one or several.
    func readFilters(_ value: inout [StatisticsFilter], _ key: Key) throws {
        var texts: [String] = []
        try readList(&texts, key)
        guard contains(key) else { return }
        value = try texts.map { text in
            do { return try StatisticsFilter(parsing: text) } catch let error as AtlasError {
                throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: error.message)
            }
        }
    }

    /// A value parsed from its text, with the parser's own error as the message.
    func readParsed<T>(_ value: inout T, _ key: Key, _ parse: (String) throws -> T) throws {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return }
        do {
            value = try parse(text)
        } catch let error as AtlasError {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: error.message)
        }
    }
}

/// A request option's value that was not acceptable: the option and what was wrong.
public struct OptionError: Error, CustomStringConvertible, Sendable {
    public var option: String
    public var message: String

    public init(_ option: String, _ message: String) {
        self.option = option
        self.message = message
    }

    public var description: String { "option '\(option)': \(message)" }
}

extension TimeWindow: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let window = TimeWindow(argument: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a window such as 06:00-20:00 (start before end)"))
        }
        self = window
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension ServiceDate: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = ServiceDate(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a date YYYY-MM-DD"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension StatisticsFilter: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch let error as AtlasError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode("\(column)=\(value)")
    }
}

extension TransitMode: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let mode = TransitMode(argument: text) else {
            let names = TransitMode.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a mode (\(names)) or a route type number"))
        }
        self = mode
    }
}

/// Enumerations whose options are spelt as their raw values.
public protocol OptionEnum: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension OptionEnum {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: text) else {
            let names = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not one of \(names)"))
        }
        self = value
    }
}

extension ClassificationScheme: OptionEnum {}
extension ShareUnit: OptionEnum {}
extension StopGrouping: OptionEnum {}
extension DepartureRule: OptionEnum {}
extension PopulationModel: OptionEnum {}
extension AreaAssignment: OptionEnum {}
extension TravelMode: OptionEnum {}
extension RoadNetworkFormat: OptionEnum {}
extension MissingRule: OptionEnum {}
extension LineJunctions: OptionEnum {}
extension TimeBasis: OptionEnum {}
