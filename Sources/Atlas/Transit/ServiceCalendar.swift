/// Which services run on which dates: calendar.txt (weekday flags between start and end)
/// with calendar_dates.txt exceptions (1 adds a date, 2 removes it). Feeds that list every
/// date in calendar_dates.txt alone work the same way.
public struct ServiceCalendar: Sendable {
    public let serviceCount: Int
    private let entries: [GTFSCalendarEntry]
    private let exceptions: [ServiceDate: [(service: Int32, added: Bool)]]
    /// The first and last date any service runs, per calendar and calendar_dates together.
    public let dateRange: ClosedRange<ServiceDate>?

    public init(feed: GTFSFeed) {
        self.init(serviceCount: feed.serviceIds.count, calendar: feed.calendar, calendarDates: feed.calendarDates)
    }

    public init(serviceCount: Int, calendar: [GTFSCalendarEntry], calendarDates: [GTFSCalendarDate]) {
        self.serviceCount = serviceCount
        entries = calendar
        var exceptions: [ServiceDate: [(service: Int32, added: Bool)]] = [:]
        for d in calendarDates { exceptions[d.date, default: []].append((d.service, d.added)) }
        self.exceptions = exceptions
        var lo: ServiceDate?
        var hi: ServiceDate?
        for e in calendar where e.weekdays != 0 {
            lo = min(lo ?? e.start, e.start)
            hi = max(hi ?? e.end, e.end)
        }
        for d in calendarDates where d.added {
            lo = min(lo ?? d.date, d.date)
            hi = max(hi ?? d.date, d.date)
        }
        if let lo, let hi { dateRange = lo...hi } else { dateRange = nil }
    }

    /// One flag per service: does it run on `date`?
    public func activeServices(on date: ServiceDate) -> [Bool] {
        var active = [Bool](repeating: false, count: serviceCount)
        let bit = UInt8(1) << UInt8(date.weekday)
        for e in entries where e.weekdays & bit != 0 && e.start <= date && date <= e.end {
            active[Int(e.service)] = true
        }
        for (service, added) in exceptions[date] ?? [] {
            active[Int(service)] = added
        }
        return active
    }

    /// One mask per service: bit k is set when it runs on `date` + `offsets[k]` days (at most
    /// eight offsets).
    func dayMasks(around date: ServiceDate, offsets: [Int]) -> [UInt8] {
        precondition(offsets.count <= 8, "a mask holds eight days")
        var masks = [UInt8](repeating: 0, count: serviceCount)
        for (bit, offset) in offsets.enumerated() {
            for (service, active) in activeServices(on: date.adding(days: offset)).enumerated() where active {
                masks[service] |= 1 << UInt8(bit)
            }
        }
        return masks
    }

    public func isActive(_ service: Int32, on date: ServiceDate) -> Bool {
        activeServices(on: date)[Int(service)]
    }

    /// The feed's range as text for messages: "2019-04-15 to 2019-07-15".
    public var rangeDescription: String {
        guard let dateRange else { return "no service dates at all" }
        return "\(dateRange.lowerBound) to \(dateRange.upperBound)"
    }
}
