import Atlas
import Foundation

/// Paths to the real open data the tests read: `../shared/data` beside the repository,
/// and the embedded `GeoData/`.
enum TestData {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func shared(_ relative: String) -> String {
        repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data/" + relative).path
    }

    static func geoData(_ relative: String) -> String {
        repositoryRoot.appendingPathComponent("GeoData/" + relative).path
    }

    /// One folder per test process holds every test's temporary folders; it is removed when the
    /// process exits.
    static let processFolder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("atlas-tests-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        atexit { try? FileManager.default.removeItem(at: TestData.processFolder) }
        return url
    }()

    /// A fresh empty folder for a test's outputs.
    static func temporaryFolder() throws -> String {
        let url = processFolder.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}

extension TransitRequest {
    /// Population near Falun's counted stops: the demo's platforms with their average weekday
    /// departures, the 1 km grid and the DeSO (from GeoData, the same files as in ../shared/data).
    static func falun(out: String) -> TransitRequest {
        let falun = TestData.geoData("falun") + "/"
        var request = TransitRequest()
        request.stops = LayerSource(falun + "falun_hallplatser_avgangar.geojson")
        request.departuresField = "genomsnitt_veckodag_avgangar"
        request.population = LayerSource(falun + "falun_befolkning_1km_2025.geojson")
        request.populationField = "befolkning_2025"
        request.areas = LayerSource(falun + "falun_deso_2025_pop2024.geojson")
        request.areaID = "desokod"
        request.out = out
        return request
    }
}
