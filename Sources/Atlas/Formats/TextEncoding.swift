import Foundation

/// The text encoding of attribute data: UTF-8 or one of the single-byte code pages found in
/// shapefiles (`.cpg`, DBF language driver) and in Swedish CSV exports. Decoding never fails:
/// see `decode(_:mayBeCut:repairs:)` for what happens to bytes that are not valid UTF-8.
public struct TextEncoding: Sendable, Hashable, CustomStringConvertible {
    /// The name reported to users, e.g. "UTF-8", "Windows-1252".
    public let name: String
    /// For single-byte encodings, the UTF-8 form of bytes 0x80–0xFF: four bytes per entry,
    /// a length then up to three code units (every character of these code pages is in the BMP).
    private let upperHalf: [UInt8]

    public var description: String { name }
    public var isUTF8: Bool { upperHalf.isEmpty }

    private init(name: String, upperHalf characters: String?) {
        self.name = name
        guard let characters else {
            upperHalf = []
            return
        }
        let scalars = Array(characters.unicodeScalars)
        precondition(scalars.count == 128, "\(name): a code page table needs 128 characters")
        var table = [UInt8](repeating: 0, count: 512)
        for (i, scalar) in scalars.enumerated() {
            let units = Array(String(scalar).utf8)
            table[4 * i] = UInt8(units.count)
            for (k, unit) in units.enumerated() { table[4 * i + 1 + k] = unit }
        }
        upperHalf = table
    }

    public static let utf8 = TextEncoding(name: "UTF-8", upperHalf: nil)
    public static let windows1252 = TextEncoding(
        name: "Windows-1252",
        upperHalf:
            "€\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\u{8D}Ž\u{8F}\u{90}‘’“”•–—˜™š›œ\u{9D}žŸ\u{A0}¡¢£¤¥¦§¨©ª«¬\u{AD}®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ"
    )
    public static let isoLatin1 = TextEncoding(
        name: "ISO-8859-1",
        upperHalf: String(String.UnicodeScalarView((0x80...0xFF).map { Unicode.Scalar(UInt8($0)) }))
    )
    /// Latin-1 with eight letters replaced, among them € at 0xA4.
    public static let isoLatin9: TextEncoding = {
        let replaced: [UInt8: Unicode.Scalar] = [
            0xA4: "€", 0xA6: "Š", 0xA8: "š", 0xB4: "Ž", 0xB8: "ž", 0xBC: "Œ", 0xBD: "œ", 0xBE: "Ÿ",
        ]
        let scalars = (0x80...0xFF).map { UInt8($0) }.map { replaced[$0] ?? Unicode.Scalar($0) }
        return TextEncoding(name: "ISO-8859-15", upperHalf: String(String.UnicodeScalarView(scalars)))
    }()
    public static let cp437 = TextEncoding(
        name: "CP437",
        upperHalf:
            "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}"
    )
    public static let cp850 = TextEncoding(
        name: "CP850",
        upperHalf:
            "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u{AD}±‗¾¶§÷¸°¨·¹³²■\u{A0}"
    )
    /// The Nordic DOS code page, found in old Swedish and Norwegian DBF files.
    public static let cp865 = TextEncoding(
        name: "CP865",
        upperHalf:
            "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø₧ƒáíóúñÑªº¿⌐¬½¼¡«¤░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}"
    )
    public static let windows1250 = TextEncoding(
        name: "Windows-1250",
        upperHalf:
            "€\u{81}‚\u{83}„…†‡\u{88}‰Š‹ŚŤŽŹ\u{90}‘’“”•–—\u{98}™š›śťžź\u{A0}ˇ˘Ł¤Ą¦§¨©Ş«¬\u{AD}®Ż°±˛ł´µ¶·¸ąş»Ľ˝ľżŔÁÂĂÄĹĆÇČÉĘËĚÍÎĎĐŃŇÓÔŐÖ×ŘŮÚŰÜÝŢßŕáâăäĺćçčéęëěíîďđńňóôőö÷řůúűüýţ˙"
    )
    public static let windows1251 = TextEncoding(
        name: "Windows-1251",
        upperHalf:
            "ЂЃ‚ѓ„…†‡€‰Љ‹ЊЌЋЏђ‘’“”•–—\u{98}™љ›њќћџ\u{A0}ЎўЈ¤Ґ¦§Ё©Є«¬\u{AD}®Ї°±Ііґµ¶·ё№є»јЅѕїАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюя"
    )

    public static let supported: [TextEncoding] = [
        .utf8, .windows1252, .isoLatin1, .isoLatin9, .cp437, .cp850, .cp865, .windows1250, .windows1251,
    ]

    /// The encoding a `.cpg` file or a user names: "UTF-8", "1252", "CP1252", "ANSI 1252",
    /// "ISO-8859-1", "88591", "LATIN1", "8859-15", "850", … (case, spaces, '-' and '_' ignored).
    public static func named(_ label: String) -> TextEncoding? {
        var key = label.uppercased().filter { !" -_\t\r\n\0".contains($0) }
        for prefix in ["WINDOWS", "ANSI", "IBM", "OEM", "ISO", "CP", "WIN"] where key.hasPrefix(prefix) {
            key.removeFirst(prefix.count)
            break
        }
        switch key {
        case "UTF8", "65001": return .utf8
        case "1252": return .windows1252
        case "88591", "28591", "LATIN1", "L1": return .isoLatin1
        case "885915", "28605", "LATIN9": return .isoLatin9
        case "437": return .cp437
        case "850": return .cp850
        case "865": return .cp865
        case "1250": return .windows1250
        case "1251": return .windows1251
        default: return nil
        }
    }

    /// The encoding a DBF header's language driver id (byte 29) stands for; nil for 0
    /// (not recorded) and for code pages atlas has no table for.
    public static func languageDriver(_ id: UInt8) -> TextEncoding? {
        switch id {
        case 0x03, 0x57, 0x58, 0x59: return .windows1252
        case 0x01, 0x09, 0x0B, 0x0D, 0x0F, 0x11, 0x15, 0x18, 0x19, 0x1B: return .cp437
        case 0x02, 0x0A, 0x0E, 0x10, 0x12, 0x14, 0x16, 0x1A, 0x1D, 0x25, 0x37: return .cp850
        case 0x08, 0x17, 0x66: return .cp865
        case 0xC8: return .windows1250
        case 0xC9: return .windows1251
        default: return nil
        }
    }

    /// Decodes `bytes`. Single-byte code pages map every byte, so they cannot fail. For UTF-8,
    /// invalid bytes never stop a read: when `mayBeCut` (the text filled a fixed-width DBF
    /// field, which writers cut by bytes) a multi-byte character cut off at the end is dropped;
    /// any other invalid text is read as Windows-1252, the usual cause being a file
    /// mislabelled as UTF-8. Each such repair adds 1 to `repairs`.
    public func decode(_ bytes: UnsafeBufferPointer<UInt8>, mayBeCut: Bool = false, repairs: inout Int) -> String {
        if !isUTF8 { return decodeSingleByte(bytes) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        repairs += 1
        if mayBeCut, let end = Self.endBeforeTruncatedCharacter(bytes),
            let text = String(validating: UnsafeBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
        {
            return text
        }
        return TextEncoding.windows1252.decodeSingleByte(bytes)
    }

    public func decode(_ data: Data, repairs: inout Int) -> String {
        data.withUnsafeBytes { raw in decode(raw.bindMemory(to: UInt8.self), repairs: &repairs) }
    }

    /// Whether `bytes` are valid in this encoding (always true for single-byte code pages).
    public func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !isUTF8 || String(validating: bytes, as: UTF8.self) != nil
    }

    private func decodeSingleByte(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        upperHalf.withUnsafeBufferPointer { table in
            String(unsafeUninitializedCapacity: bytes.count * 3) { out in
                var n = 0
                for byte in bytes {
                    if byte < 0x80 {
                        out[n] = byte
                        n += 1
                    } else {
                        let entry = Int(byte &- 0x80) &* 4
                        let length = Int(table[entry])
                        for k in 0..<length { out[n + k] = table[entry + 1 + k] }
                        n += length
                    }
                }
                return n
            }
        }
    }

    /// Where the text ends when its last bytes are the start of a multi-byte character whose
    /// continuation bytes are missing; nil when the bytes end otherwise.
    private static func endBeforeTruncatedCharacter(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = bytes.count - 1
        var continuations = 0
        while i >= 0, bytes[i] & 0xC0 == 0x80, continuations < 3 {
            continuations += 1
            i -= 1
        }
        guard i >= 0 else { return nil }
        let lead = bytes[i]
        let expected = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return expected > continuations + 1 ? i : nil
    }
}
