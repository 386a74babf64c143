import Foundation

/// Messages and progress on stderr. Progress bars are drawn only when stderr is a terminal;
/// `quiet` silences everything but errors.
public final class Console: @unchecked Sendable {
    public static let shared = Console()

    private let lock = NSLock()
    public var quiet = false
    public let isTerminal = isatty(STDERR_FILENO) != 0

    /// A line for the user, such as the summary of a written layer.
    public func info(_ message: String) {
        guard !quiet else { return }
        write(message + "\n")
    }

    /// Something the user should know that does not stop the run.
    public func warning(_ message: String) {
        guard !quiet else { return }
        write("warning: " + message + "\n")
    }

    func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Starts a progress indicator for a long step; `total` nil for unknown amounts.
    /// With `bytes`, amounts are shown in megabytes.
    public func progress(_ label: String, total: Int? = nil, bytes: Bool = false) -> Progress {
        Progress(label: label, total: total, bytes: bytes, console: self, enabled: !quiet && isTerminal)
    }
}

/// Progress of one long step, redrawn at most a few times per second.
public final class Progress: @unchecked Sendable {
    private let label: String
    private let total: Int?
    private let bytes: Bool
    private let console: Console
    private let enabled: Bool
    private var done = 0
    private var lastDraw = Date.distantPast
    private let lock = NSLock()

    init(label: String, total: Int?, bytes: Bool, console: Console, enabled: Bool) {
        self.label = label
        self.total = total
        self.bytes = bytes
        self.console = console
        self.enabled = enabled
    }

    public func advance(by amount: Int = 1) {
        guard enabled else { return }
        lock.lock()
        done += amount
        let now = Date()
        let draw = now.timeIntervalSince(lastDraw) > 0.2
        if draw { lastDraw = now }
        let current = done
        lock.unlock()
        if draw { redraw(current) }
    }

    public func finish() {
        guard enabled else { return }
        console.write("\r\u{1B}[K")
    }

    private func redraw(_ current: Int) {
        func amount(_ n: Int) -> String { bytes ? "\(n >> 20) MB" : String(n) }
        if let total, total > 0 {
            let percent = min(100, current * 100 / total)
            console.write("\r\u{1B}[K\(label): \(percent) % (\(amount(current)) of \(amount(total)))")
        } else {
            console.write("\r\u{1B}[K\(label): \(amount(current))")
        }
    }
}
