import Foundation

/// GTFS ids (kept as exact text: 16-digit Swedish ids must never pass through a Double)
/// numbered 0, 1, 2, … in order of first appearance. Lookups hash raw bytes, so the
/// stop_times loop finds a stop without building a String.
///
/// The slots are placed by a fast hash seeded afresh in each process. No feed can make every
/// lookup a scan: once an insert leaves a run of more than `longestRun` occupied slots in a
/// row, the ids are placed again by Swift's `Hasher` (SipHash, also seeded per process) for
/// the table's lifetime. Runs that long do not arise by chance in tables of real size, and if
/// one did it would cost only speed.
public struct IdentifierTable: Sendable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    private var slots: [Int32]
    private var mask: Int
    private var hashing: Hashing

    enum Hashing: Equatable {
        /// The fast hash with its seed.
        case fast(UInt64)
        /// Swift's `Hasher`.
        case sip
        /// Every id to slot 0, to test the change to `Hasher`.
        case constant
    }

    /// The longest run of occupied slots the fast hash may leave, and so the most slots a
    /// lookup looks at. At most half the slots are taken: the longest runs of random hashes
    /// in tables of 50,000, 260,000 and 1,000,000 ids (three tables each) were 22–26, 40–67
    /// and 42–52 slots.
    static let longestRun = 128

    public init(capacity: Int = 16) {
        self.init(capacity: capacity, hashing: .fast(UInt64.random(in: .min ... .max)))
    }

    init(capacity: Int = 16, hashing: Hashing) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        self.hashing = hashing
    }

    /// Whether the ids are placed by Swift's `Hasher`, as after a run too long for the fast hash.
    var placesBySipHash: Bool { hashing == .sip }

    public var count: Int { offsets.count - 1 }

    public func id(_ index: Int32) -> String {
        let i = Int(index)
        return String(decoding: arena[offsets[i]..<offsets[i + 1]], as: UTF8.self)
    }

    public var ids: [String] { (0..<count).map { id(Int32($0)) } }

    public func index(of id: String) -> Int32? {
        var text = id
        return text.withUTF8 { index(of: UnsafeRawBufferPointer($0)) }
    }

    @inline(__always) public func index(of bytes: UnsafeRawBufferPointer) -> Int32? {
        var slot = Int(truncatingIfNeeded: hash(bytes)) & mask
        return arena.withUnsafeBufferPointer { arena in
            while true {
                let candidate = slots[slot]
                if candidate < 0 { return nil }
                let lo = offsets[Int(candidate)], hi = offsets[Int(candidate) + 1]
                if hi - lo == bytes.count, bytes.count == 0 || memcmp(arena.baseAddress! + lo, bytes.baseAddress!, bytes.count) == 0 {
                    return candidate
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The id's number and whether it was new.
    @discardableResult
    public mutating func insert(_ bytes: UnsafeRawBufferPointer) -> (index: Int32, inserted: Bool) {
        if let existing = index(of: bytes) { return (existing, false) }
        if (count + 1) * 2 > slots.count { grow() }
        let index = Int32(count)
        arena.append(contentsOf: bytes)
        offsets.append(arena.count)
        if place(index, hash: hash(bytes)) > Self.longestRun { placeAllBySipHash() }
        return (index, true)
    }

    @discardableResult
    public mutating func insert(_ id: String) -> (index: Int32, inserted: Bool) {
        var text = id
        return text.withUTF8 { insert(UnsafeRawBufferPointer($0)) }
    }

    /// Puts `index` in the first free slot from its hash on; returns the length of the run of
    /// occupied slots it is now part of.
    private mutating func place(_ index: Int32, hash: UInt64) -> Int {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = index
        // At most half the slots are taken, so both walks end.
        var run = 1
        var k = (slot + 1) & mask
        while slots[k] >= 0 { run += 1; k = (k + 1) & mask }
        k = (slot - 1) & mask
        while slots[k] >= 0 { run += 1; k = (k - 1) & mask }
        return run
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        placeAll()
    }

    /// Every id placed again in empty slots by the table's hash, and by `Hasher` from then on
    /// if that leaves a run longer than `longestRun`.
    private mutating func placeAll() {
        slots = [Int32](repeating: -1, count: slots.count)
        var longest = 0
        for i in 0..<count {
            let h = arena.withUnsafeBytes { raw in hash(UnsafeRawBufferPointer(rebasing: raw[offsets[i]..<offsets[i + 1]])) }
            longest = max(longest, place(Int32(i), hash: h))
        }
        if longest > Self.longestRun { placeAllBySipHash() }
    }

    private mutating func placeAllBySipHash() {
        guard hashing != .sip else { return }
        hashing = .sip
        placeAll()
    }

    @inline(__always) private func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        switch hashing {
        case .fast(let seed): Self.fastHash(bytes, seed: seed)
        case .sip: Self.sipHash(bytes)
        case .constant: 0
        }
    }

    /// Eight bytes at a time, each word xored into the state and mixed by a full 64 × 64-bit
    /// multiplication folded to 64 bits (as wyhash mixes), from a state of the seed and the
    /// length; mixed once more at the end.
    @inline(__always) static func fastHash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        @inline(__always) func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let (high, low) = a.multipliedFullWidth(by: b)
            return high ^ low
        }
        var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        while i + 8 <= bytes.count {
            h = mix(h ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)), 0xA076_1D64_78BD_642F)
            i += 8
        }
        if i < bytes.count {
            var word: UInt64 = 0
            for k in i..<bytes.count { word |= UInt64(bytes[k]) << UInt64(8 * (k - i)) }
            h = mix(h ^ word, 0xE703_7ED1_A0B4_28DB)
        }
        return mix(h, 0x8EBC_6AF0_9C88_C6E3)
    }

    /// Whether `bytes` spell `id`.
    @inline(__always) static func same(_ bytes: UnsafeRawBufferPointer, _ id: [UInt8]) -> Bool {
        guard bytes.count == id.count else { return false }
        guard bytes.count > 0 else { return true }
        return id.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
    }

    /// Swift's `Hasher`, seeded afresh in each process: what no feed can make ids collide in
    /// (with a fixed hash, 10,000 ids in one slot make every lookup a scan).
    static func sipHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
