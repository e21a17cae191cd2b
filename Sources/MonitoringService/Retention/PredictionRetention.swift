import Foundation

/// How long the prediction log keeps a day, and which daily partitions
/// should exist: today, the `retentionDays` days before it, and
/// `daysAhead` days after. Days are UTC days, numbered from 1970-01-01.
package struct PredictionRetention: Sendable, Equatable {
    package static let defaultRetentionDays = 30
    package static let allowedRetentionDays = 1...3_650
    package static let millisecondsPerDay: Int64 = 86_400_000

    package var retentionDays: Int
    package var daysAhead: Int

    package init(retentionDays: Int = Self.defaultRetentionDays, daysAhead: Int = 2) {
        self.retentionDays = retentionDays
        self.daysAhead = daysAhead
    }

    /// The UTC day of a time in milliseconds since the epoch.
    package static func day(ofMilliseconds milliseconds: Int64) -> Int {
        Int((Double(milliseconds) / Double(millisecondsPerDay)).rounded(.down))
    }

    /// The first day still kept when it is `today`.
    package func oldestKeptDay(today: Int) -> Int { today - retentionDays }

    /// The earliest time (milliseconds) a prediction may have at `now`: the start of the oldest kept day.
    package func horizon(now: Int64) -> Int64 {
        Int64(oldestKeptDay(today: Self.day(ofMilliseconds: now))) * Self.millisecondsPerDay
    }

    /// Partitions to create (the kept days from today on that are missing)
    /// and to drop (whole days older than the oldest kept), oldest first.
    package func plan(existing: Set<Int>, today: Int) -> (create: [Int], drop: [Int]) {
        let create = (today...(today + daysAhead)).filter { !existing.contains($0) }
        let drop = existing.filter { $0 < oldestKeptDay(today: today) }.sorted()
        return (create, drop)
    }

    /// `2026-12-07`: how SQL is given a day.
    package static func date(ofDay day: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents(
            [.year, .month, .day],
            from: Date(timeIntervalSince1970: Double(day) * 86_400)
        )
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// `predictions_20261207`: the partition holding a day (as migration 6's function names it).
    package static func partitionName(ofDay day: Int) -> String {
        "predictions_" + date(ofDay: day).replacingOccurrences(of: "-", with: "")
    }

    /// The day of a partition named `predictions_20261207`; nil for any other name.
    package static func day(ofPartition name: String) -> Int? {
        let digits = name.dropFirst("predictions_".count)
        guard name.hasPrefix("predictions_"), digits.count == 8, digits.allSatisfy(\.isASCII),
            let year = Int(digits.prefix(4)), let month = Int(digits.dropFirst(4).prefix(2)),
            let dayOfMonth = Int(digits.suffix(2))
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: dayOfMonth)) else {
            return nil
        }
        let day = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        // The calendar rolls a 13th month or a 31 February over; such a name is no partition of ours.
        return partitionName(ofDay: day) == name ? day : nil
    }
}
