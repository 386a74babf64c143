import Foundation

/// GTFS ids (kept as exact text: 16-digit Swedish ids must never pass through a Double)
/// numbered 0, 1, 2, … in order of first appearance. Lookups hash raw bytes, so the
/// stop_times loop finds a stop without building a String.
public struct IdentifierTable: Sendable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    private var slots: [Int32]
    private var mask: Int

    public init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

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
        var slot = Int(truncatingIfNeeded: IdentifierTable.hash(bytes)) & mask
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
        place(index, hash: IdentifierTable.hash(bytes))
        return (index, true)
    }

    @discardableResult
    public mutating func insert(_ id: String) -> (index: Int32, inserted: Bool) {
        var text = id
        return text.withUTF8 { insert(UnsafeRawBufferPointer($0)) }
    }

    private mutating func place(_ index: Int32, hash: UInt64) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = index
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for i in 0..<count {
            let h = arena.withUnsafeBytes { raw in
                IdentifierTable.hash(UnsafeRawBufferPointer(rebasing: raw[offsets[i]..<offsets[i + 1]]))
            }
            place(Int32(i), hash: h)
        }
    }

    /// Swift's `Hasher`, seeded afresh in each process, so that no feed can be made of ids
    /// that all land in one slot (with a fixed hash, 10,000 such ids make every lookup a scan).
    @inline(__always) static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
