import Foundation
import Testing
@testable import Atlas

/// Numbers as the JSON parser reads them and as the writers print them. The parser's plain
/// path must give the double strtod gives; the printer must give the bytes the writers have
/// always written (Swift's shortest text, or printf's %.15g when that is longer than 16).
@Suite struct JSONNumberTests {
    /// The first element of the JSON array "[text]".
    private func parsed(_ text: String) throws -> JSONValue {
        guard case .array(let elements) = try JSONParser.parse(Array("[\(text)]".utf8)), let first = elements.first else {
            throw AtlasError("expected a number in [\(text)]")
        }
        return first
    }

    /// What the parser is to make of `text`: an integer that fits in 64 bits exactly, anything
    /// else as the double strtod gives (Swift's Double(String) calls it), `.int` when that double
    /// is whole and the text an integer.
    private func strtodValue(_ text: String) -> JSONValue? {
        let isInteger = !text.contains(where: { ".eE".contains($0) })
        if isInteger, let exact = Int(text) { return .int(exact) }
        guard let d = Double(text) else { return nil }
        if isInteger, let exact = Int(exactly: d) { return .int(exact) }
        return .double(d)
    }

    private func expectSameBits(_ value: JSONValue, _ expected: JSONValue, _ text: String) {
        switch (value, expected) {
        case (.double(let a), .double(let b)):
            #expect(a.bitPattern == b.bitPattern, "\(text): \(a) against strtod's \(b)")
        default:
            #expect(value == expected, "\(text)")
        }
    }

    @Test func decimalsParseToTheDoubleStrtodGives() throws {
        var random = SeededGenerator(seed: 7946)
        var texts: [String] = []
        for _ in 0..<2500 {
            // Decimals as files hold them: up to 19 digits, the point anywhere, some exponents.
            let digits = Int.random(in: 1...19, using: &random)
            var mantissa = String(UInt64.random(in: 1...UInt64.max, using: &random)).prefix(digits)
            let point = Int.random(in: 0...mantissa.count, using: &random)
            if point < mantissa.count { mantissa.insert(".", at: mantissa.index(mantissa.startIndex, offsetBy: point)) }
            if mantissa.hasPrefix(".") { mantissa = "0" + mantissa }
            if mantissa.hasSuffix(".") { mantissa += "0" }
            var text = (Bool.random(using: &random) ? "-" : "") + mantissa
            if Int.random(in: 0..<4, using: &random) == 0 { text += "e\(Int.random(in: -30...30, using: &random))" }
            texts.append(text)
            // The same digits at any exponent a double can reach, subnormals too (overflow is
            // an error, tested below).
            let scaled = String(mantissa) + "e\(Int.random(in: -345...310, using: &random))"
            if Double(scaled)!.isFinite { texts.append(scaled) }
            // Subnormals printed shortest and to 17 digits.
            let tiny = Double(bitPattern: UInt64.random(in: 1..<(1 << 52), using: &random))
            texts.append("\(tiny)")
            texts.append(String(format: "%.17g", tiny))
            // Doubles printed shortest (up to 17 digits) and to 1–17 significant digits.
            let d = Double(bitPattern: UInt64.random(in: 0...0x7FEF_FFFF_FFFF_FFFF, using: &random))
            texts.append("\(d)")
            texts.append(String(format: "%.\(Int.random(in: 1...17, using: &random))g", Double.random(in: -1000...1000, using: &random)))
        }
        // Each alone at the end of the text, and all in one array, where eight bytes at a time
        // can be read from each.
        guard case .array(let together) = try JSONParser.parse(Array("[\(texts.joined(separator: ","))]".utf8)) else {
            Issue.record("expected an array")
            return
        }
        #expect(together.count == texts.count)
        for (text, value) in zip(texts, together) {
            let expected = try #require(strtodValue(text), "\(text)")
            expectSameBits(try parsed(text), expected, text)
            expectSameBits(value, expected, text)
        }
    }

    @Test(arguments: [
        // 0.1 + 0.2 printed in full; 17 significant digits, beyond the plain path's 2^53.
        "0.30000000000000004", "0.18859330274438355", "0.1687742778636534",
        // The plain path's limits: 2^53 as the mantissa, 10^±22, and one past each.
        "9007199254740.992", "9007199254740.993", "1e22", "1e23", "1.5e-22", "1.5e-23",
        // Doubles at the ends of the range, and numbers with many digits.
        "1.7976931348623157e308", "2.2250738585072014e-308", "4.9e-324", "1e-7", "0.0000001",
        "123456789012345678901234567890", "0.000000000000000000000000000001", "1.0000000000000000000000001",
        // Eisel-Lemire's hard cases: a halfway tie at 2^53 + 1 (to even, down) and 2^53 + 3 (up),
        // ties at 10^23 and above 2^64, the largest subnormal and smallest normal, the smallest
        // subnormal, half of it (to zero) and just above half, 19 digits at the table's ends,
        // and the largest text that does not overflow.
        "9007199254740993", "9007199254740995", "9007199254740993.0", "1e23", "8.589973e9",
        "18446744073709551616.0", "2.2250738585072009e-308", "2.2250738585072011e-308", "2.2250738585072012e-308",
        "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
        "1234567890123456789e-342", "9999999999999999999e-343", "1.7976931348623158e308",
        "4503599627370496.5", "4503599627370497.5", "7.2057594037927933e16", "0.000123456789012345678",
        // Signed zeros and exponents of every form.
        "-0.0", "0.0", "0e10", "-0e-10", "1E5", "1e+5", "2.5E-3", "-12.50e1",
    ])
    func edgeValuesParseAsStrtodParsesThem(text: String) throws {
        let expected = try #require(strtodValue(text))
        expectSameBits(try parsed(text), expected, text)
        // Followed by more text, so that the digits are read eight bytes at a time.
        expectSameBits(try parsed(text + ", 12345678901234567890"), expected, text)
    }

    @Test func wholeNumbersStayExactIntegers() throws {
        #expect(try parsed("0") == .int(0))
        // "-0" is an integer; integers have no sign of zero.
        #expect(try parsed("-0") == .int(0))
        #expect(try parsed("123456789012345678") == .int(123_456_789_012_345_678))
        // 19 and 20 digits: Int.max is 9223372036854775807; one more is a double.
        #expect(try parsed("9223372036854775807") == .int(Int.max))
        #expect(try parsed("-9223372036854775808") == .int(Int.min))
        #expect(try parsed("9223372036854775808") == .double(9_223_372_036_854_775_808))
        // 2^53 + 1 is no double but is an exact integer.
        #expect(try parsed("9007199254740993") == .int(9_007_199_254_740_993))
        // "-0.0" is a double, and keeps its sign as strtod does.
        guard case .double(let negativeZero) = try parsed("-0.0") else {
            Issue.record("-0.0 is not a double")
            return
        }
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
    }

    @Test(arguments: ["01", "-01", "1.", ".5", "1e", "1e+", "-", "+1", "1.5.2", "0x10", "1e400", "1.7976931348623159e308", "--1", "1-2", "0.e1", String(repeating: "1", count: 64)])
    func malformedNumbersAreRejected(text: String) {
        #expect(throws: AtlasError.self) { try parsed(text) }
        #expect(throws: AtlasError.self) { try parsed(text + ", 12345678901234567890") }
    }

    /// `JSONText.number` as it was before it made "%.15g" itself: whole numbers below 10^15 as
    /// integers, Swift's shortest text up to 16 characters, else printf.
    private func printfNumber(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        let shortest = String(d)
        guard shortest.utf8.count > 16 else { return shortest }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            let length = withVaList([d]) { vsnprintf(buffer.baseAddress!, 32, "%.15g", $0) }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(length)), as: UTF8.self)
        }
    }

    @Test func numbersPrintAsSwiftAndPrintfPrintThem() {
        var random = SeededGenerator(seed: 2024)
        var values: [Double] = []
        for _ in 0..<2500 {
            values.append(Double(bitPattern: UInt64.random(in: 0...0xFFEF_FFFF_FFFF_FFFF, using: &random)))
            // Magnitudes from 1e-16 to 1e17, across the 1e-13 and 1e15 ends of the fast range.
            values.append(Double.random(in: 1...10, using: &random) * pow(10, Double(Int.random(in: -16...17, using: &random))))
            // Shares and sums as indicators compute them, and decimals of a few digits.
            values.append(Double(Int.random(in: 0...100_000, using: &random)) / Double(Int.random(in: 1...100_000, using: &random)))
            values.append(Double(Int.random(in: -999_999...999_999, using: &random)) / pow(10, Double(Int.random(in: 1...9, using: &random))))
        }
        for d in values {
            var out = ByteBuffer()
            JSONText.appendNumber(d, to: &out)
            #expect(out.string == printfNumber(d), "\(d.bitPattern)")
        }
    }

    @Test func edgeNumbersPrintAsBefore() {
        // Each with the text worked out from its decimal expansion (Python's Decimal(x)).
        let cases: [(Double, String)] = [
            (-0.0, "0"), (0.0, "0"), (1e-7, "1e-07"), (0.0001, "0.0001"), (0.00001, "1e-05"),
            // 0.1 + 0.2 is 0.3000000000000000444…: 0.3 to 15 digits.
            (0.1 + 0.2, "0.3"),
            // 17 digits: 0.18859330274438354524… rounds up to …384 at 15.
            (0.18859330274438355, "0.188593302744384"), (1.0 / 3, "0.333333333333333"),
            // 2^-22 is 2.384185791015625e-07 exactly, a tie at 15 digits: to even, …562.
            (0.0000002384185791015625, "2.38418579101562e-07"),
            // 123456789012344.5 exactly: a tie, to even (…344); …345.5 goes up to …346.
            (123_456_789_012_344.5, "123456789012344"), (123_456_789_012_345.5, "123456789012346"),
            // 999999999999999.9 rounds to 10^15 at 15 digits, which %g prints in e-notation.
            (999_999_999_999_999.9, "1e+15"), (1e15, "1e+15"), (1234567890123456.7, "1.23456789012346e+15"),
            (1e300, "1e+300"), (-1.7976931348623157e308, "-1.79769313486232e+308"),
            // The smallest double: Swift's shortest text, 6 characters, outside the fast range.
            (.leastNonzeroMagnitude, "5e-324"), (2.5e-14, "2.5e-14"), (0.07368617, "0.07368617"),
            (9.9999995, "9.9999995"), (0.0000005, "5e-07"),
            (.infinity, "null"), (.nan, "null"),
        ]
        for (d, expected) in cases {
            #expect(JSONText.number(d) == expected, "\(d)")
            #expect(printfNumber(d) == expected, "reference for \(d)")
        }
    }

    @Test func coordinatesRoundTheScaledValueHalfAwayFromZero() throws {
        // x · 10^6 in binary, rounded half away from zero: 5e-7 · 1e6 is exactly 0.5 in binary
        // (Python: 5e-7 * 1e6 == 0.5), so one unit; 9.9999995 · 1e6 == 9999999.5, so 10; and
        // 123.4567895 · 1e6 == 123456789.5, so 123.45679, though printf's %.6f gives 123.456789
        // from the exact 123.45678949999999929…; 4e-7 · 1e6 is 0.39999999999999997: zero, "0".
        let cases: [(Double, String)] = [
            (0.0000005, "0.000001"), (-0.0000005, "-0.000001"), (9.9999995, "10"), (123.4567895, "123.45679"),
            (0.0000004, "0"), (-0.0000004, "0"), (-0.0, "0"), (15.123456789, "15.123457"), (1e-7, "0"),
            (-180, "-180"), (12.1880892, "12.188089"), (0.000010, "0.00001"),
        ]
        let path = try TestData.temporaryFolder() + "/points.geojson"
        let writer = try GeoJSONWriter(path: path, fields: [])
        for (x, _) in cases { try writer.write(Feature(geometry: .point(Coordinate(x, 1)), values: [])) }
        try writer.finish()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for (x, expected) in cases {
            #expect(text.contains(#""coordinates":[\#(expected),1]}"#), "\(x)")
        }
    }
}
