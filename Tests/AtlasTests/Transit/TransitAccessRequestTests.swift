import Foundation
import Testing

@testable import Atlas

@Suite("The transit options of an access request")
struct TransitAccessRequestTests {
    static let json = """
        {"network": "walk.pbf", "destinations": "care.geojson", "origins": "cells.geojson", "population-field": "pop",
         "mode": "transit", "gtfs": "/feeds/a.zip", "date": "2024-03-05", "departure-window": "07:00-09:00",
         "percentiles": "10,50,90", "max-rides": 3, "board-slack": 90, "compare-car": "car.geojson", "out": "x.geojson"}
        """

    static func request() throws -> AccessRequest {
        try JSONDecoder().decode(AccessRequest.self, from: Data(json.utf8))
    }

    @Test func decodesFromTheOptionNames() throws {
        let request = try Self.request()
        #expect(request.mode == .transit)
        #expect(request.gtfs == ["/feeds/a.zip"])
        #expect(request.date == ServiceDate(iso: "2024-03-05"))
        #expect(request.departureWindow == TimeWindow(start: 7 * 3600, end: 9 * 3600))
        #expect(request.percentiles == [10, 50, 90])
        #expect(request.maxRides == 3)
        #expect(request.boardSlack == 90)
        #expect(request.compareCar?.path == "car.geojson")
        // Unnamed options keep their defaults.
        #expect(request.walkSpeed == 5)
        #expect(request.maxWalk == 20)
        #expect(request.maxMinutes == 120)
        // Several feeds as a list.
        let two = try JSONDecoder().decode(
            AccessRequest.self, from: Data(Self.json.replacingOccurrences(of: "\"/feeds/a.zip\"", with: "[\"a.zip\", \"b.zip\"]").utf8))
        #expect(two.gtfs == ["a.zip", "b.zip"])
    }

    @Test func badValuesNameTheirOption() throws {
        let session = try Session()
        func option(_ change: (inout AccessRequest) -> Void) throws -> String? {
            var request = try Self.request()
            change(&request)
            do { try request.validate(in: session) } catch let error as OptionError { return error.option } catch { return "\(error)" }
            return nil
        }
        #expect(try option { $0.gtfs = [] } == "gtfs")
        #expect(try option { $0.date = nil } == "date")
        #expect(try option { $0.departureWindow = nil } == "departure-window")
        #expect(try option { $0.departureWindow = TimeWindow(start: 47 * 3600, end: 49 * 3600) } == "departure-window")
        #expect(try option { $0.departureWindow = TimeWindow(start: 7 * 3600, end: 7 * 3600 + 30) } == "departure-window")
        #expect(try option { $0.percentiles = [0, 50] } == "percentiles")
        #expect(try option { $0.percentiles = [100] } == "percentiles")
        #expect(try option { $0.percentiles = [12.5] } == "percentiles")
        #expect(try option { $0.percentiles = [50, 50] } == "percentiles")
        #expect(try option { $0.walkSpeed = 0 } == "walk-speed")
        #expect(try option { $0.maxWalk = -1 } == "max-walk")
        #expect(try option { $0.boardSlack = -5 } == "board-slack")
        #expect(try option { $0.maxRides = 0 } == "max-rides")
        #expect(try option { $0.maxRides = 17 } == "max-rides")
        #expect(try option { $0.maxMinutes = 2000 } == "max-minutes")
        #expect(try option { $0.speedField = "speed" } == "speed-field")
        // The transit options belong to mode transit.
        #expect(try option { $0.mode = .car } == "gtfs")
        #expect(try option { $0.mode = .walk; $0.gtfs = []; $0.date = nil; $0.departureWindow = nil } == "compare-car")
        #expect(try option { $0.minutesCSV = "m.csv"; $0.mode = .bike; $0.gtfs = []; $0.date = nil; $0.departureWindow = nil; $0.compareCar = nil } == "minutes-csv")
    }

    @Test func provenanceRecordsTheOptionsOfTheMode() throws {
        func keys(_ request: AccessRequest) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(request)) as? [String: Any])
        }
        let transit = try keys(Self.request())
        // Feeds by file name, as layers are; defaults included; the road options left out.
        #expect(transit["gtfs"] as? [String] == ["a.zip"])
        #expect(transit["walk-speed"] as? Double == 5)
        #expect(transit["departure-window"] as? String == "07:00-09:00")
        #expect(transit["access-speed"] == nil)
        var car = try Self.request()
        car.mode = .car
        let road = try keys(car)
        #expect(road["access-speed"] as? Double == 5)
        #expect(road["walk-speed"] == nil)
        #expect(road["gtfs"] == nil)
    }
}
