/// The figures of one area: how many (`count`) of how many (`total`), and the share count/total
/// in 0–1. Nil means "not known": not published, not computable, or withheld.
public struct AreaFigures: Hashable, Sendable {
    public var count: Double?
    public var total: Double?
    public var share: Double?
    /// Withheld: by the publisher (`..` in the table) or by `DisclosureControl`.
    public var suppressed: Bool
    /// Re-aggregated figures: the part of the area's weight that comes from sources with usable figures.
    public var coverage: Double?

    public init(count: Double?, total: Double?, share: Double?, suppressed: Bool = false) {
        self.count = count
        self.total = total
        self.share = share
        self.suppressed = suppressed
    }

    /// A figure, withheld, or missing (no row, an empty cell, too little coverage).
    public var status: FigureStatus {
        if suppressed { return .suppressed }
        return share == nil ? .missing : .ok
    }

    public static let unknown = AreaFigures(count: nil, total: nil, share: nil)
    public static let withheld = AreaFigures(count: nil, total: nil, share: nil, suppressed: true)
}

/// The three states of an area's figures, written as `status`.
public enum FigureStatus: String, Sendable, CaseIterable {
    case ok
    /// Withheld by the publisher (`..`) or by disclosure control (a total below `min-total`).
    case suppressed
    /// Not known: no row in the table, an empty cell, or too little of the area covered.
    case missing
}

/// Disclosure control: no figure is published for an area whose total is below a threshold.
///
/// Why: SCB protects the figures it publishes — values under 4 may be adjusted, and from
/// reference year 2025 the Cell Key Method adds a little noise to every cell — so that no
/// individual can be recognised in a table. Figures derived for small areas (a school district,
/// a few grid cells, the difference between two published areas) escape that protection: a
/// count re-aggregated to an area with a handful of residents can reveal the circumstances of
/// identifiable households. So atlas withholds count, total and share of every area — published
/// or derived — whose total is below `minimumTotal` (10 by default), and marks it `suppressed`.
/// Because of SCB's protection, sub-group sums need not equal published totals.
public struct DisclosureControl: Hashable, Sendable {
    public static let defaultMinimumTotal = 10.0

    public var minimumTotal: Double

    public init(minimumTotal: Double = DisclosureControl.defaultMinimumTotal) {
        self.minimumTotal = minimumTotal
    }

    /// The figures as they may be published. A known total below the threshold, or a figure
    /// the publisher already withheld, gives nulls and `suppressed: true`. Without a total
    /// (a published share alone) the threshold cannot be checked and the share passes as published.
    public func apply(_ figures: AreaFigures) -> AreaFigures {
        var withheld = AreaFigures.withheld
        withheld.coverage = figures.coverage
        if figures.suppressed { return withheld }
        if let total = figures.total, total < minimumTotal { return withheld }
        return figures
    }
}
