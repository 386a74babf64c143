import Testing
@testable import Atlas

@Suite struct GeometryValueTests {
    // The unit square traversed (0,0) → (1,0) → (1,1) → (0,1) is counter-clockwise with area 1.
    @Test func unitSquareIsCounterClockwise() {
        let square = [Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 1), Coordinate(0, 0)]
        #expect(Ring.signedArea(square) == 1)
        #expect(Ring.signedArea(square.reversed()) == -1)
        #expect(Ring.contains(square, Coordinate(0.5, 0.5)))
        #expect(!Ring.contains(square, Coordinate(1.5, 0.5)))
    }

    @Test func swedishDecimalCommaParses() {
        #expect(NumberParsing.double("12,5") == 12.5)
        #expect(NumberParsing.double("1 234,5") == 1234.5)
        #expect(NumberParsing.double("\u{2212}3") == -3)
        #expect(NumberParsing.double("..") == nil)
    }
}
