import CShapelib
import Foundation
import Testing

@testable import Atlas

@Suite("Shapefile: DBF types, nulls and encodings")
struct ShapefileAttributeTests {
    private static let origin = [[Coordinate(500_000, 6_700_000)]]

    private func table(
        _ columns: [ShapefileFixture.Column], _ records: [[String]], codePage: String? = "UTF-8"
    ) throws -> Layer {
        try table(columns, records.map { $0.map { Array($0.utf8) } }, codePage: codePage)
    }

    private func table(
        _ columns: [ShapefileFixture.Column], _ records: [[[UInt8]]], codePage: String? = "UTF-8",
        cpg: String? = nil
    ) throws -> Layer {
        let folder = try TestData.temporaryFolder()
        let fixture = ShapefileFixture(
            type: SHPT_POINT, shapes: records.map { _ in Self.origin }, columns: columns, records: records,
            codePage: codePage)
        let path = try fixture.write(in: folder)
        if let cpg { try cpg.write(toFile: folder + "/fixture.cpg", atomically: true, encoding: .utf8) }
        return try Shapefile.read(path: path)
    }

    @Test("C, N, F, L and D fields become string, integer, real, boolean and date values")
    func fieldTypes() throws {
        let layer = try table(
            [
                .init(name: "namn", type: "C", width: 20), .init(name: "antal", type: "N", width: 9),
                .init(name: "andel", type: "N", width: 12, decimals: 4), .init(name: "area", type: "F", width: 19, decimals: 6),
                .init(name: "aktiv", type: "L", width: 1), .init(name: "datum", type: "D", width: 8),
                .init(name: "stor", type: "N", width: 20),
            ],
            [
                ["Falun  ", "    59747", "      0.2788", "  2.5e3", "T", "20241231", "12345678901234567890"],
                ["  Mora", "-12", "-0.5", "0.125", "n", "19991001", ""],
                ["", "", "************", "", "?", "00000000", "1.5"],
                ["Säter", "*********", "           ", "   ", " ", "        ", "-7"],
            ])
        // "stor" has a whole number beyond 64 bits: the field is text, every value as written.
        #expect(layer.fields.map(\.type) == [.string, .integer, .real, .real, .boolean, .date, .string])
        #expect(layer.features.count == 4)
        let rows = layer.features.map(\.values)
        #expect(rows[0] == [.string("Falun"), .int(59747), .double(0.2788), .double(2500), .bool(true), .string("2024-12-31"), .string("12345678901234567890")])
        #expect(rows[1] == [.string("Mora"), .int(-12), .double(-0.5), .double(0.125), .bool(false), .string("1999-10-01"), .null])
        #expect(rows[2] == [.null, .null, .null, .null, .null, .null, .string("1.5")])
        #expect(rows[3] == [.string("Säter"), .null, .null, .null, .null, .null, .string("-7")])
    }

    @Test("our nulls agree with shapelib's DBFIsAttributeNULL")
    func nullsAgreeWithShapelib() throws {
        let folder = try TestData.temporaryFolder()
        let columns: [ShapefileFixture.Column] = [
            .init(name: "c", type: "C", width: 4), .init(name: "n", type: "N", width: 5),
            .init(name: "l", type: "L", width: 1), .init(name: "d", type: "D", width: 8),
        ]
        // A blank date is left out: shapelib 1.5.0 calls it a value, newer shapelib and GDAL
        // call it null, as atlas does (see fieldTypes).
        let records = [["ab", "12", "T", "20200101"], ["", "*****", "?", "00000000"], ["  ", "", "F", "20201231"]]
        let path = try ShapefileFixture(
            type: SHPT_POINT, shapes: records.map { _ in Self.origin }, columns: columns,
            records: records.map { $0.map { Array($0.utf8) } }
        ).write(in: folder)
        let layer = try Shapefile.read(path: path)
        let dbf = try #require(DBFOpen(folder + "/fixture.dbf", "rb"))
        defer { DBFClose(dbf) }
        for (record, feature) in layer.features.enumerated() {
            for field in columns.indices {
                let shapelibNull = DBFIsAttributeNULL(dbf, Int32(record), Int32(field)) != 0
                #expect(feature.values[field].isNull == shapelibNull, "record \(record + 1) field \(field + 1)")
            }
        }
    }

    @Test("a malformed date or logical names its record and field")
    func malformedValues() throws {
        #expect {
            try table([.init(name: "datum", type: "D", width: 8)], [["20240101"], ["2024-1-1"]])
        } throws: { error in
            let error = error as? AtlasError
            return error?.record == 2 && error?.field == "datum" && error?.message.contains("'2024-1-1'") == true
        }
        #expect {
            try table([.init(name: "antal", type: "N", width: 6)], [["12"], ["3"], ["tolv"]])
        } throws: { error in
            let error = error as? AtlasError
            return error?.record == 3 && error?.field == "antal" && error?.message == "'tolv' is not a number"
        }
    }

    @Test("text in Windows-1252 and Latin-1 decodes by the .cpg, and by the language driver without one")
    func singleByteEncodings() throws {
        // "Älvdalen" and "Malå" as Windows-1252 bytes (Ä = 0xC4, å = 0xE5; the same in Latin-1).
        let records: [[[UInt8]]] = [[[0xC4] + Array("lvdalen".utf8)], [Array("Mal".utf8) + [0xE5]]]
        let column = [ShapefileFixture.Column(name: "kommun", type: "C", width: 20)]
        let expected: [Value] = [.string("Älvdalen"), .string("Malå")]

        let cp1252 = try table(column, records, codePage: "CP1252")
        #expect(cp1252.encoding == "Windows-1252")
        #expect(cp1252.features.map { $0.values[0] } == expected)

        let latin1 = try table(column, records, codePage: nil, cpg: "ISO 8859-1\r\n")
        #expect(latin1.encoding == "ISO-8859-1")
        #expect(latin1.features.map { $0.values[0] } == expected)

        // shapelib writes language driver 0x57 (87, "ANSI") and no .cpg for "LDID/87".
        let driver = try table(column, records, codePage: "LDID/87")
        #expect(driver.encoding == "Windows-1252")
        #expect(driver.features.map { $0.values[0] } == expected)

        // No .cpg and language driver 0: UTF-8.
        let plain = try table(column, [[Array("Älvdalen".utf8)]], codePage: nil)
        #expect(plain.encoding == "UTF-8")
        #expect(plain.features[0].values[0] == .string("Älvdalen"))
    }

    @Test("bad UTF-8 never stops a read: a cut-off character is dropped, a mislabelled field read as 1252")
    func badUTF8() throws {
        // A 4-byte field holding "Hå" and the first byte of another å (C3 A5 C3): the writer cut
        // by bytes. A 10-byte field holding Latin-1 "Malå" (E5) in a file labelled UTF-8.
        let records: [[[UInt8]]] = [
            [[0x48, 0xC3, 0xA5, 0xC3], Array("Mal".utf8) + [0xE5]],
            [Array("Åre".utf8), Array("Åre".utf8)],
        ]
        let layer = try table(
            [.init(name: "kort", type: "C", width: 4), .init(name: "namn", type: "C", width: 10)], records)
        #expect(layer.encoding == "UTF-8")
        #expect(layer.features.map(\.values) == [[.string("Hå"), .string("Malå")], [.string("Åre"), .string("Åre")]])
    }

    @Test("the encoding names a .cpg may hold")
    func encodingNames() {
        let names: [(String, TextEncoding?)] = [
            ("UTF-8", .utf8), ("utf8", .utf8), ("65001", .utf8), ("1252", .windows1252), ("CP1252", .windows1252),
            ("WINDOWS-1252", .windows1252), ("ANSI 1252", .windows1252), ("8859-1", .isoLatin1),
            ("ISO-8859-1", .isoLatin1), ("88591", .isoLatin1), ("LATIN1", .isoLatin1), ("8859-15", .isoLatin9),
            ("850", .cp850), ("CP850", .cp850), ("437", .cp437), ("KLINGON", nil), ("", nil),
        ]
        for (label, expected) in names {
            #expect(TextEncoding.named(label) == expected, "\(label)")
        }
        // Python's codecs give these: b"\x86\x84\x94\x8f\x8e\x99".decode("cp850") == "åäöÅÄÖ",
        // b"\xa4".decode("iso8859_15") == "€", b"\x80".decode("cp1252") == "€".
        var repairs = 0
        let bytes: [UInt8] = [0x86, 0x84, 0x94, 0x8F, 0x8E, 0x99]
        #expect(bytes.withUnsafeBufferPointer { TextEncoding.cp850.decode($0, repairs: &repairs) } == "åäöÅÄÖ")
        #expect([UInt8(0xA4)].withUnsafeBufferPointer { TextEncoding.isoLatin9.decode($0, repairs: &repairs) } == "€")
        #expect([UInt8(0x80)].withUnsafeBufferPointer { TextEncoding.windows1252.decode($0, repairs: &repairs) } == "€")
        #expect(repairs == 0)
    }
}
