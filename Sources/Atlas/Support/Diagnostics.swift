import Foundation

/// Where a run's messages go: progress, summary lines and warnings. The caller makes one and
/// passes it down (the command line prints to stderr, a test collects); the library has no
/// global output of its own. Warnings are also kept, so that a run can record them in the
/// layers it writes.
public final class Diagnostics: @unchecked Sendable {
    public enum Message: Sendable, Equatable {
        case info(String)
        case warning(String)
    }

    private let lock = NSLock()
    private let deliver: @Sendable (Message) -> Void
    /// Writes a progress line (a redraw in place); nil when progress is not shown.
    private let drawProgress: (@Sendable (String) -> Void)?
    private var kept: [Message] = []

    public init(deliver: @escaping @Sendable (Message) -> Void, drawProgress: (@Sendable (String) -> Void)? = nil) {
        self.deliver = deliver
        self.drawProgress = drawProgress
    }

    /// Prints to stderr: summary lines as they are, warnings after "warning: ", progress only when
    /// stderr is a terminal. `quiet` prints nothing (errors are the caller's to print).
    public static func standardError(quiet: Bool) -> Diagnostics {
        guard !quiet else { return Diagnostics(deliver: { _ in }) }
        let write: @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
        return Diagnostics(
            deliver: { message in
                switch message {
                case .info(let text): write(text + "\n")
                case .warning(let text): write("warning: " + text + "\n")
                }
            },
            drawProgress: isatty(STDERR_FILENO) != 0 ? write : nil)
    }

    /// Keeps every message, for tests and for programs that show them their own way.
    public static func collecting() -> Diagnostics { Diagnostics(deliver: { _ in }) }

    /// Every message so far, in order.
    public var messages: [Message] {
        lock.lock()
        defer { lock.unlock() }
        return kept
    }

    /// The warnings so far, in order.
    public var warnings: [String] {
        messages.compactMap { if case .warning(let text) = $0 { text } else { nil } }
    }

    /// A line for the user, such as the summary of a written layer.
    public func info(_ text: String) { emit(.info(text)) }

    /// Something the user should know that does not stop the run.
    public func warning(_ text: String) { emit(.warning(text)) }

    private func emit(_ message: Message) {
        lock.lock()
        kept.append(message)
        lock.unlock()
        deliver(message)
    }

    /// Starts a progress indicator for a long step; `total` nil for unknown amounts.
    /// With `bytes`, amounts are shown in megabytes.
    public func progress(_ label: String, total: Int? = nil, bytes: Bool = false) -> Progress {
        Progress(label: label, total: total, bytes: bytes, draw: drawProgress)
    }
}

/// Progress of one long step, redrawn at most a few times per second.
public final class Progress: @unchecked Sendable {
    private let label: String
    private let total: Int?
    private let bytes: Bool
    private let draw: (@Sendable (String) -> Void)?
    private var done = 0
    private var lastDraw = Date.distantPast
    private let lock = NSLock()

    init(label: String, total: Int?, bytes: Bool, draw: (@Sendable (String) -> Void)?) {
        self.label = label
        self.total = total
        self.bytes = bytes
        self.draw = draw
    }

    public func advance(by amount: Int = 1) {
        guard let draw else { return }
        lock.lock()
        done += amount
        let now = Date()
        let redraw = now.timeIntervalSince(lastDraw) > 0.2
        if redraw { lastDraw = now }
        let current = done
        lock.unlock()
        if redraw { draw(line(current)) }
    }

    public func finish() {
        draw?("\r\u{1B}[K")
    }

    private func line(_ current: Int) -> String {
        func amount(_ n: Int) -> String { bytes ? "\(n >> 20) MB" : String(n) }
        if let total, total > 0 {
            let percent = min(100, current * 100 / total)
            return "\r\u{1B}[K\(label): \(percent) % (\(amount(current)) of \(amount(total)))"
        }
        return "\r\u{1B}[K\(label): \(amount(current))"
    }
}
