import Foundation
import Testing
@testable import Atlas

/// GTFS ids numbered in order of first appearance, placed by a seeded fast hash, and by
/// `Hasher` once ids pile up in one run of slots.
@Suite struct IdentifierTableTests {
    /// Inserts every id, then checks each one's number, a repeated insert and an absent id.
    private func expectNumbered(_ ids: [String], in table: inout IdentifierTable) {
        for (k, id) in ids.enumerated() {
            let (index, inserted) = table.insert(id)
            #expect(index == Int32(k) && inserted, "\(id)")
        }
        #expect(table.count == ids.count)
        for (k, id) in ids.enumerated() where table.index(of: id) != Int32(k) {
            Issue.record("\(id) is not number \(k)")
        }
        #expect(table.insert(ids[ids.count / 2]) == (Int32(ids.count / 2), false))
        #expect(table.index(of: "not an id") == nil)
        #expect(table.ids == ids)
    }

    @Test func idsThatAllCollideMoveTheTableToSipHashAfterTheLongestRun() {
        // Every id hashes to slot 0, so the k-th insert leaves a run of k slots: the 129th is
        // the first run longer than 128, and from it on the ids are placed by Hasher.
        var table = IdentifierTable(hashing: .constant)
        for k in 1...128 { table.insert("stop-\(k)") }
        #expect(!table.placesBySipHash)
        table.insert("stop-129")
        #expect(table.placesBySipHash)

        var numbered = IdentifierTable(hashing: .constant)
        expectNumbered((1...300).map { "stop-\($0)" } + [""], in: &numbered)
        #expect(numbered.placesBySipHash)
    }

    @Test func swedishIdsStayOnTheFastHash() {
        // 16-digit Samtrafiken stop point ids (9022 0200 0000 1001 and on, as in the Swedish
        // feed) and short numeric ids: 100,000 in all, none left in a long run.
        let ids = (0..<50_000).map { "90220200\(String(format: "%08d", 1001 + 7 * $0))" } + (1...50_000).map(String.init)
        var table = IdentifierTable()
        expectNumbered(ids, in: &table)
        #expect(!table.placesBySipHash)
    }

    @Test func theFastHashTakesEveryByteTheLengthAndTheSeed() {
        func hash(_ text: String, seed: UInt64 = 7) -> UInt64 {
            var text = text
            return text.withUTF8 { IdentifierTable.fastHash(UnsafeRawBufferPointer($0), seed: seed) }
        }
        // A last byte after a whole word, a trailing NUL (same words, other length), and one
        // byte in the first word.
        #expect(hash("abcdefgh1") != hash("abcdefgh2"))
        #expect(hash("a") != hash("a\u{0}"))
        #expect(hash("1bcdefgh") != hash("2bcdefgh"))
        #expect(hash("") != hash("", seed: 8))
        #expect(hash("9022020000001001") != hash("9022020000001001", seed: 8))
    }
}
