import Foundation
import Testing

/// Hostile input through the command line: what the user sees on stderr for input atlas reads
/// with a repair (a warning naming the record and field) or refuses (an error saying what the
/// file is), and that a refused output target is left as it was.
@Suite struct HostileInputCLITests {
    private func patch(_ path: String, at offset: Int, with bytes: [UInt8]) throws {
        var data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        data.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        try Data(data).write(to: URL(fileURLWithPath: path))
    }

    @Test func aStrayByteInAUTF8TableIsRepairedInItsCellAndNamed() throws {
        let folder = try CLI.temporaryFolder()
        let path = folder + "/orter.csv"
        let bytes = Array("kod,ort\n1,Göteborg\n2,M".utf8) + [0xF6] + Array("lndal\n3,Örebro\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try CLI.run(["inspect", path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("encoding:   UTF-8"))
        #expect(result.stderr.contains(
            "warning: \(path): 1 value was not valid UTF-8 and was read as Windows-1252: record 2, field 'ort' (line 3); the rest of the file is UTF-8"))
    }

    @Test func aNumberBeyondADoubleIsNullWithAWarning() throws {
        let folder = try CLI.temporaryFolder()
        let path = folder + "/punkter.csv"
        try "x,y,v\n500000,6600000,1.5\n500100,6600000,1e400\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["export", path, "--crs", "EPSG:3006", "--out", folder + "/punkter.geojson"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("warning: \(path): record 2, field 'v': '1e400' is beyond the range of a number (line 3); read as null"))
        let out = try String(contentsOfFile: folder + "/punkter.geojson", encoding: .utf8)
        #expect(out.contains(#""v":null"#))
    }

    @Test func aDuplicateDBFFieldAndANaNAreNamedInWarnings() throws {
        let folder = try CLI.temporaryFolder()
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            try FileManager.default.copyItem(
                atPath: CLI.shared("dalarna/shp/vardcentraler_sjukhus.\(ext)"), toPath: folder + "/vard.\(ext)")
        }
        // Field 2 (descriptor at byte 64) "hsa_vc" renamed to "namn", the first field's name;
        // record 1's N(24,15) sweref99tm (bytes 401–424 of the record, header 257 bytes) set to "nan".
        try patch(folder + "/vard.dbf", at: 64, with: Array("namn\0\0".utf8))
        try patch(folder + "/vard.dbf", at: 257 + 401, with: Array("nan".utf8) + [UInt8](repeating: 0x20, count: 21))
        let result = try CLI.run(["inspect", folder + "/vard.shp"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("warning: \(folder)/vard.dbf: a second field named 'namn' is read as 'namn_2'"))
        #expect(result.stderr.contains(
            "warning: \(folder)/vard.dbf: record 1, field 'sweref99tm': 'nan' is not a finite number; read as null"))
        #expect(result.stdout.contains("namn_2"))
    }

    @Test func aFIFOInputIsNamedNotWaitedFor() throws {
        let folder = try CLI.temporaryFolder()
        #expect(mkfifo(folder + "/pipe.geojson", 0o644) == 0)
        let result = try CLI.run(["export", folder + "/pipe.geojson", "--out", folder + "/out.geojson"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(folder)/pipe.geojson: is a FIFO (named pipe), not a regular file"))
    }

    @Test func anOutputThatIsASymbolicLinkIsRefusedAndKept() throws {
        let folder = try CLI.temporaryFolder()
        let input = folder + "/in.csv"
        try "x,y\n500000,6600000\n".write(toFile: input, atomically: true, encoding: .utf8)
        try "precious".write(toFile: folder + "/elsewhere.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/out.geojson", withDestinationPath: folder + "/elsewhere.txt")
        let result = try CLI.run(["export", input, "--crs", "EPSG:3006", "--out", folder + "/out.geojson"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(folder)/out.geojson: is a symbolic link; atlas writes only to a new or a regular file"))
        #expect(try String(contentsOfFile: folder + "/elsewhere.txt", encoding: .utf8) == "precious")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder)) == ["in.csv", "elsewhere.txt", "out.geojson"])
    }

    @Test func aTransitFeedWithAHeadwayOfTwoBillionSecondsIsAnError() throws {
        let folder = try CLI.temporaryFolder()
        let tables = [
            "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,a,59.0,16.0\nB,b,59.1,16.1\n",
            "routes.txt": "route_id,route_type\nbus,3\n",
            "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n",
            "trips.txt": "route_id,service_id,trip_id\nbus,WK,F\n",
            "stop_times.txt": "trip_id,departure_time,stop_id,stop_sequence\nF,00:00:00,A,1\nF,00:10:00,B,2\n",
            "frequencies.txt": "trip_id,start_time,end_time,headway_secs\nF,06:00:00,07:00:00,2147483647\n",
        ]
        try FileManager.default.createDirectory(atPath: folder + "/feed", withIntermediateDirectories: false)
        for (name, text) in tables { try text.write(toFile: folder + "/feed/" + name, atomically: true, encoding: .utf8) }
        let result = try CLI.run([
            "transit", "--gtfs", folder + "/feed", "--date", "2024-03-05", "--stops-out", folder + "/stops.geojson",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains(
            "\(folder)/feed/frequencies.txt: record 1: field 'headway_secs': '2147483647' is not a headway (whole seconds from 1 to 86400, one day) (line 2)"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/stops.geojson"))
        // The error comes while the feed's files may still be hashed on another thread: the
        // process must end with the error every time, never in libcrypto's clean-up at exit.
        for _ in 0..<12 {
            let again = try CLI.run(["transit", "--gtfs", folder + "/feed", "--date", "2024-03-05", "--stops-out", folder + "/stops.geojson"])
            #expect(again.status == 1, "\(again.stderr)")
        }
    }
}
