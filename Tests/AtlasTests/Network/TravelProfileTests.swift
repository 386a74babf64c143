import Testing

@testable import Atlas

@Suite("Travel profiles for OSM ways")
struct TravelProfileTests {
    func way(_ tags: [String: String]) -> OSMWay {
        OSMWay(id: 1, refs: [1, 2], tags: tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    @Test func carSpeedsFromMaxspeed() {
        #expect(TravelProfile.carSpeed(maxspeed: "70", highway: "primary") == 70)
        #expect(abs(TravelProfile.carSpeed(maxspeed: "30 mph", highway: "primary") - 48.28032) < 1e-9)
        #expect(TravelProfile.carSpeed(maxspeed: "SE:urban", highway: "primary") == 50)
        #expect(TravelProfile.carSpeed(maxspeed: "SE:rural", highway: "primary") == 70)
        #expect(TravelProfile.carSpeed(maxspeed: "SE:motorway", highway: "motorway") == 110)
        #expect(TravelProfile.carSpeed(maxspeed: "none", highway: "motorway") == 110)
        #expect(TravelProfile.carSpeed(maxspeed: "walk", highway: "residential") == 6)
        #expect(TravelProfile.carSpeed(maxspeed: "50;30", highway: "residential") == 30)
        #expect(TravelProfile.carSpeed(maxspeed: nil, highway: "residential") == 40)
        #expect(TravelProfile.carSpeed(maxspeed: "fast", highway: "tertiary") == 60)
    }

    @Test func onewayRules() {
        let car = TravelProfile(.car), bike = TravelProfile(.bike), walk = TravelProfile(.walk)
        let oneway = way(["highway": "residential", "oneway": "yes", "maxspeed": "30"])
        #expect(car.traversal(oneway) == WayTraversal(forward: 30, backward: nil))
        #expect(bike.traversal(oneway) == WayTraversal(forward: 16, backward: nil))
        #expect(walk.traversal(oneway) == WayTraversal(forward: 5, backward: 5))
        let contraflow = way(["highway": "residential", "oneway": "yes", "oneway:bicycle": "no"])
        #expect(bike.traversal(contraflow) == WayTraversal(forward: 16, backward: 16))
        #expect(car.traversal(way(["highway": "secondary", "oneway": "-1"])) == WayTraversal(forward: nil, backward: 70))
        #expect(car.traversal(way(["highway": "primary", "junction": "roundabout"])) == WayTraversal(forward: 80, backward: nil))
        #expect(car.traversal(way(["highway": "motorway"])) == WayTraversal(forward: 110, backward: nil))
        #expect(car.traversal(way(["highway": "motorway", "oneway": "no"])) == WayTraversal(forward: 110, backward: 110))
    }

    /// OSMRoads decides once per combination of `consultedKeys` tags, which is only right if
    /// `traversal` never reads another tag: record what it asks for over many tag sets.
    @Test func traversalReadsOnlyTheConsultedKeys() {
        var asked: Set<String> = []
        let values = ["yes", "no", "-1", "roundabout", "50", "SE:rural", "residential", "motorway", "footway", "designated"]
        for mode in TravelMode.allCases {
            for highway in ["residential", "motorway", "footway", "track", "cycleway"] {
                for (k, value) in values.enumerated() {
                    let tags = [
                        "highway": highway, "oneway": value, "access": values[(k + 1) % values.count],
                        "maxspeed": values[(k + 4) % values.count], "foot": value, "bicycle": value, "name": "Storgatan",
                    ]
                    _ = TravelProfile(mode).traversal { key in
                        asked.insert(key)
                        return tags[key]
                    }
                }
            }
        }
        #expect(asked.isSubset(of: TravelProfile.consultedKeys))
        #expect(asked.contains("maxspeed") && asked.contains("oneway:bicycle") && asked.contains("junction"))
    }

    @Test func accessRestrictions() {
        let car = TravelProfile(.car), bike = TravelProfile(.bike), walk = TravelProfile(.walk)
        #expect(car.traversal(way(["highway": "footway"])) == nil)
        #expect(walk.traversal(way(["highway": "footway"])) != nil)
        #expect(bike.traversal(way(["highway": "footway"])) == nil)
        #expect(bike.traversal(way(["highway": "footway", "bicycle": "yes"])) != nil)
        #expect(car.traversal(way(["highway": "residential", "access": "private"])) == nil)
        #expect(car.traversal(way(["highway": "service", "access": "no", "motor_vehicle": "yes"])) != nil)
        #expect(walk.traversal(way(["highway": "residential", "foot": "no"])) == nil)
        #expect(walk.traversal(way(["highway": "motorway"])) == nil)
        #expect(bike.traversal(way(["highway": "trunk"])) == nil)
        #expect(car.traversal(way(["building": "yes"])) == nil)
    }
}
