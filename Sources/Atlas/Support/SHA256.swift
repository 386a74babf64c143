import CCrypto
import Foundation

/// SHA-256 (FIPS 180-4), for the fingerprints of a run's inputs: OpenSSL's libcrypto, which
/// uses the processor's SHA instructions where it has them.
public struct SHA256 {
    private var context = Context()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        if !isKnownUniquelyReferenced(&context) { context = Context(copying: context) }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        Context.check(EVP_DigestUpdate(context.pointer, base, bytes.count))
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The digest as 64 lowercase hex digits. The hash is spent: `update` starts it anew.
    public mutating func finalizeHex() -> String {
        if !isKnownUniquelyReferenced(&context) { context = Context(copying: context) }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        Context.check(EVP_DigestFinal_ex(context.pointer, &digest, &length))
        context = Context()
        return digest.prefix(Int(length)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The digest of a file, read in blocks.
    public static func hex(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw AtlasError(file: path, "cannot read the file") }
        defer { try? handle.close() }
        var hash = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hash.update($0) }
        }
        return hash.finalizeHex()
    }

    /// libcrypto set up once, without the clean-up it would register to run at exit: inputs may
    /// still be hashed on another thread when a command stops on an error, and that clean-up
    /// frees what the thread is using.
    private static let setUp: Void = {
        precondition(OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil) == 1, "libcrypto could not start")
    }()

    /// An EVP digest context, freed with the last copy of the hash that holds it.
    private final class Context {
        let pointer: OpaquePointer

        init() {
            SHA256.setUp
            pointer = EVP_MD_CTX_new()
            Self.check(EVP_DigestInit_ex(pointer, EVP_sha256(), nil))
        }

        init(copying other: Context) {
            pointer = EVP_MD_CTX_new()
            Self.check(EVP_MD_CTX_copy_ex(pointer, other.pointer))
        }

        deinit { EVP_MD_CTX_free(pointer) }

        /// libcrypto's SHA-256 fails only when it cannot allocate its context.
        static func check(_ status: Int32) {
            precondition(status == 1, "libcrypto could not compute SHA-256")
        }
    }
}
