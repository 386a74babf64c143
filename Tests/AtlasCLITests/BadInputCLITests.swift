import Foundation
import Testing

@testable import Atlas

/// Corpus cases through the command line: atlas exits non-zero, names the file and the
/// problem on stderr, and leaves the output folder as it was (no output, no temporary file).
@Suite struct BadInputCLITests {
    /// A folder for the bad input and the output; returns it with the names it holds.
    private func folderContents(_ folder: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: folder))
    }

    private func expectFailure(
        _ arguments: [String], in folder: String, naming fragments: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try folderContents(folder)
        let result = try CLI.run(arguments)
        #expect(result.status != 0, "atlas \(arguments.joined(separator: " ")) succeeded", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.stderr.contains(fragment), "stderr lacks '\(fragment)': \(result.stderr)", sourceLocation: sourceLocation)
        }
        #expect(try folderContents(folder) == before, "atlas left files behind", sourceLocation: sourceLocation)
    }

    private func copyShapefile(_ relative: String, to folder: String) throws -> String {
        let name = URL(fileURLWithPath: relative).lastPathComponent
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            try FileManager.default.copyItem(
                atPath: CLI.shared(relative + "." + ext), toPath: folder + "/" + name + "." + ext)
        }
        return folder + "/" + name
    }

    private func patch(_ path: String, at offset: Int, with bytes: [UInt8]) throws {
        var data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        data.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        try Data(data).write(to: URL(fileURLWithPath: path))
    }

    @Test func exportOfAShapefileWhoseIndexPointsPastTheEnd() throws {
        let folder = try CLI.temporaryFolder()
        let base = try copyShapefile("dalarna/shp/vardcentraler_sjukhus", to: folder)
        // Entry 7's offset (bytes 148–151 of the .shx) now points 1 MB into a 1,220-byte .shp.
        try patch(base + ".shx", at: 148, with: [0x00, 0x08, 0x00, 0x00])
        try expectFailure(
            ["export", base + ".shp", "--out", folder + "/out.geojson"], in: folder,
            naming: [base + ".shx", "record 7", "past the end of the .shp (1220 bytes)"])
    }

    @Test func exportOfAShapefileWhoseRecordHeaderDisagreesWithTheIndex() throws {
        let folder = try CLI.temporaryFolder()
        let base = try copyShapefile("dalarna/shp/vardcentraler_sjukhus", to: folder)
        // Record 4's content length (bytes 188–191 of the .shp) set to 1 M 16-bit words.
        try patch(base + ".shp", at: 188, with: [0x00, 0x10, 0x00, 0x00])
        try expectFailure(
            ["export", base + ".shp", "--out", folder + "/out.geojson"], in: folder,
            naming: [base + ".shp", "record 4", "the record header says 2097152 bytes, the index 20"])
    }

    @Test func exportOfAShapefileWithAnUnknownCodePage() throws {
        let folder = try CLI.temporaryFolder()
        let base = try copyShapefile("sweden/shp/kommun", to: folder)
        try "KOI8-R".write(toFile: base + ".cpg", atomically: true, encoding: .utf8)
        try expectFailure(
            ["export", base + ".shp", "--out", folder + "/out.geojson"], in: folder,
            naming: [base + ".cpg", "unknown encoding 'KOI8-R'"])
    }

    @Test func exportOfDeeplyNestedJSON() throws {
        let folder = try CLI.temporaryFolder()
        let input = folder + "/deep.geojson"
        try String(repeating: "[", count: 100_000).write(toFile: input, atomically: true, encoding: .utf8)
        try expectFailure(
            ["export", input, "--out", folder + "/out.geojson"], in: folder,
            naming: [input, "nesting deeper than 512 levels"])
    }

    @Test func exportOfAFeatureWithAFourNumberPosition() throws {
        let folder = try CLI.temporaryFolder()
        let input = folder + "/four.geojson"
        let json = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[15,60]}},{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[15,60,1,2]}}]}"#
        try json.write(toFile: input, atomically: true, encoding: .utf8)
        try expectFailure(
            ["export", input, "--out", folder + "/out.geojson"], in: folder,
            naming: [input, "record 2", "2 or 3 numbers, found 4"])
    }

    @Test func exportOfACSVWithAnUnterminatedQuote() throws {
        let folder = try CLI.temporaryFolder()
        let input = folder + "/points.csv"
        try "id,namn,lon,lat\n1,\"Falun,15.6,60.6\n2,Borlänge,15.4,60.5\n".write(toFile: input, atomically: true, encoding: .utf8)
        try expectFailure(
            ["export", input, "--out", folder + "/out.geojson"], in: folder,
            naming: [input, "line 2: a quoted field that starts here is never closed"])
    }

    @Test func transitWithAFeedWhoseMemberFailsItsCRC() throws {
        let folder = try CLI.temporaryFolder()
        let files = [
            "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,Falun C,60.6025,15.6290\nB,Lugnet,60.6140,15.6520\n",
            "routes.txt": "route_id,route_type\nR,3\n",
            "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n",
            "trips.txt": "route_id,service_id,trip_id\nR,WK,T1\n",
            "stop_times.txt": "trip_id,departure_time,stop_id,stop_sequence\nT1,07:00:00,A,1\nT1,07:05:00,B,2\n",
        ]
        let feedFolder = try CLI.temporaryFolder()
        for (name, text) in files { try text.write(toFile: feedFolder + "/" + name, atomically: true, encoding: .utf8) }
        let zip = folder + "/feed.zip"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = URL(fileURLWithPath: feedFolder)
        process.arguments = ["-q", "-0", zip] + files.keys.sorted()
        try process.run()
        process.waitUntilExit()
        // Stored members hold their text verbatim: 07:05:00 becomes 07:06:00 behind the CRC's back.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: zip)))
        let needle = Array("07:05:00".utf8)
        let at = try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<$0 + needle.count]) == needle })
        bytes[at + 4] = UInt8(ascii: "6")
        try Data(bytes).write(to: URL(fileURLWithPath: zip))
        try expectFailure(
            [
                "transit", "--gtfs", zip, "--date", "2024-03-05",
                "--population", CLI.shared("falun/falun_befolkning_1km_2025.geojson"), "--population-field", "befolkning_2025",
                "--areas", CLI.shared("falun/falun_deso_2025_pop2024.geojson"), "--area-id", "desokod",
                "--out", folder + "/transit.geojson", "--stops-out", folder + "/stops.geojson",
            ], in: folder, naming: [zip + "/stop_times.txt", "CRC mismatch"])
    }

    @Test func accessOverAPBFWithACorruptBlob() throws {
        let folder = try CLI.temporaryFolder()
        let network = folder + "/roads.osm.pbf"
        // The real Porto Alegre extract with one byte inside its first data blob's zlib stream
        // changed: the header block still reads, the data block does not.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: CLI.shared("porto-alegre/poa_osm.pbf"))))
        let blobHeaderEnd = 4 + (Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3]))
        let blobSize = try #require(Self.dataSize(bytes[4..<blobHeaderEnd]))
        let dataBlock = blobHeaderEnd + blobSize
        let dataHeader = 4 + Int(bytes[dataBlock + 3])
        // The zlib header (78 9C) at the start of the blob's zlib_data, zeroed.
        let zlibStart = try #require(
            (dataBlock + dataHeader..<dataBlock + dataHeader + 32).first { bytes[$0] == 0x78 && bytes[$0 + 1] == 0x9C })
        bytes[zlibStart] = 0
        bytes[zlibStart + 1] = 0
        try Data(bytes).write(to: URL(fileURLWithPath: network))
        try expectFailure(
            [
                "access", "--network", network, "--destinations", CLI.shared("porto-alegre/poa_healthcare.geojson"),
                "--origins", CLI.shared("porto-alegre/poa_hexgrid.geojson"), "--population-field", "population",
                "--out", folder + "/access.geojson",
            ], in: folder, naming: [network, "block at byte \(dataBlock)", "corrupt compressed data"])
    }

    @Test func exportOfAGeoPackageThatIsNotSQLite() throws {
        let folder = try CLI.temporaryFolder()
        let input = folder + "/bad.gpkg"
        try "ogr2ogr was interrupted".write(toFile: input, atomically: true, encoding: .utf8)
        try expectFailure(
            ["export", input, "--out", folder + "/x.geojson"], in: folder,
            naming: [input, "not a GeoPackage: not an SQLite database"])
    }

    @Test func exportOfATruncatedGeoPackage() throws {
        let folder = try CLI.temporaryFolder()
        let input = folder + "/dalarna.gpkg"
        // GDAL's file is 788 pages of 4,096 bytes (3,227,648); the first 64 KiB are kept.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: CLI.shared("dalarna/gpkg/dalarna.gpkg")))
        try bytes.prefix(65_536).write(to: URL(fileURLWithPath: input))
        try expectFailure(
            ["export", input + "|layername=deso_2025", "--out", folder + "/x.geojson"], in: folder,
            naming: [input, "truncated: the SQLite header says", "the file has 65536"])
    }

    @Test func exportOfAGeoPackageLayerThatDoesNotExist() throws {
        let folder = try CLI.temporaryFolder()
        let input = CLI.shared("dalarna/gpkg/dalarna.gpkg")
        try expectFailure(
            ["export", input + "|layername=kommun", "--out", folder + "/x.geojson"], in: folder,
            naming: [input, "no layer 'kommun'", "deso_2025, befolkning_1km_2025, vardcentraler_sjukhus"])
    }

    @Test func exportOfAGeoPackageWithATruncatedGeometry() throws {
        let folder = try CLI.temporaryFolder()
        let input = folder + "/dalarna.gpkg"
        try FileManager.default.copyItem(atPath: CLI.shared("dalarna/gpkg/dalarna.gpkg"), toPath: input)
        do {
            let database = try SQLiteDatabase(path: input, readOnly: false)
            // GDAL's update triggers call ST_IsEmpty, which only GDAL provides.
            for n in 1...4 { try database.execute("DROP TRIGGER rtree_vardcentraler_sjukhus_geom_update\(n)") }
            try database.execute("UPDATE vardcentraler_sjukhus SET geom = substr(geom, 1, 20) WHERE fid = 12")
        }
        try expectFailure(
            ["export", input + "|layername=vardcentraler_sjukhus", "--out", folder + "/x.geojson"], in: folder,
            naming: [input + "|layername=vardcentraler_sjukhus", "record 12", "feature fid 12", "truncated geometry"])
    }

    @Test func exportIntoAFileThatIsNotAGeoPackageLeavesItAlone() throws {
        let folder = try CLI.temporaryFolder()
        let output = folder + "/notes.gpkg"
        try "keep me".write(toFile: output, atomically: true, encoding: .utf8)
        try expectFailure(
            ["export", CLI.shared("dalarna/shp/vardcentraler_sjukhus.shp"), "--out", output], in: folder,
            naming: [output, "atlas adds layers only to a GeoPackage"])
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "keep me")
    }

    /// The `datasize` (field 3, a varint) of a BlobHeader.
    static func dataSize(_ header: ArraySlice<UInt8>) -> Int? {
        var i = header.startIndex
        while i < header.endIndex {
            let key = header[i]
            i += 1
            func varint() -> Int {
                var value = 0, shift = 0
                while i < header.endIndex {
                    let b = header[i]
                    i += 1
                    value |= Int(b & 0x7F) << shift
                    if b < 0x80 { break }
                    shift += 7
                }
                return value
            }
            switch key & 7 {
            case 0:
                let value = varint()
                if key >> 3 == 3 { return value }
            case 2:
                i += varint()
            default:
                return nil
            }
        }
        return nil
    }
}
