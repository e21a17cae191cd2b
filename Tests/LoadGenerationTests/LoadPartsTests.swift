import Testing

@testable import LoadGeneration

/// The parts of a load test that need no clock: the open loop's schedule,
/// the recorder's percentiles and counts, the objectives.
@Suite("Load tests: schedule, recording, objectives")
struct LoadPartsTests {
    @Test func anOpenLoopStartsCallsEvenlyAtItsRate() {
        let schedule = OpenLoopSchedule(from: 200, to: 200, rampSeconds: 0)
        #expect(schedule.start(ofCall: 0) == 0)
        #expect(schedule.start(ofCall: 200) == 1)
        #expect(schedule.start(ofCall: 1_000) == 5)
    }

    @Test func aRampRisesLinearlyThenHolds() {
        // 100/s to 300/s over 10 s: 2,000 calls during the ramp, then 300 a second.
        let schedule = OpenLoopSchedule(from: 100, to: 300, rampSeconds: 10)
        #expect(abs(schedule.start(ofCall: 2_000) - 10) < 1e-9)
        #expect(abs(schedule.start(ofCall: 2_300) - 11) < 1e-9)
        #expect(abs(schedule.rate(at: 5) - 200) < 1e-9)
        // The first second holds the calls the rate's integral says: 100 + 10 = 110.
        #expect(schedule.start(ofCall: 109) < 1 && schedule.start(ofCall: 111) > 1)
        let starts = (0..<3_000).map(schedule.start(ofCall:))
        #expect(zip(starts, starts.dropFirst()).allSatisfy { $0 < $1 })
        // Falling works the same way.
        let falling = OpenLoopSchedule(from: 300, to: 100, rampSeconds: 10)
        #expect(abs(falling.start(ofCall: 2_000) - 10) < 1e-9)
    }

    @Test func percentilesComeFromTheHistogramWithinItsPrecision() {
        let recorder = LoadRecorder()
        // 1 ms to 1,000 ms, one call each.
        for milliseconds in 1...1_000 {
            recorder.record(offset: .zero, latency: .milliseconds(milliseconds), outcome: .succeeded)
        }
        let report = recorder.report(model: .closed(concurrency: 1), seconds: 1, sent: 1_000, unfinished: 0)
        for (percentile, expected) in [(50.0, 500.0), (90, 900), (99, 990), (99.9, 999), (100, 1_000)] {
            let measured = report.milliseconds(atPercentile: percentile)
            #expect(abs(measured - expected) / expected <= 0.001, "p\(percentile): \(measured)")
        }
        #expect(abs(report.fastestMilliseconds - 1) <= 0.001 && abs(report.slowestMilliseconds - 1_000) <= 1)
        #expect(abs(report.meanMilliseconds - 500.5) < 0.5)
        let buckets = report.histogram(buckets: 10)
        #expect(buckets.count == 10 && buckets.map(\.calls).reduce(0, +) == 1_000)
        #expect(buckets.allSatisfy { abs($0.calls - 100) <= 2 })
    }

    @Test func failuresAreCountedByStatusWithTheFirstMessageAndBySecond() {
        let recorder = LoadRecorder()
        recorder.record(offset: .milliseconds(100), latency: .milliseconds(1), outcome: .succeeded)
        recorder.record(
            offset: .milliseconds(1_500),
            latency: .milliseconds(1),
            outcome: .failed(code: "UNAVAILABLE", message: "first")
        )
        recorder.record(
            offset: .milliseconds(1_600),
            latency: .milliseconds(1),
            outcome: .failed(code: "UNAVAILABLE", message: "second")
        )
        recorder.record(
            offset: .milliseconds(2_100),
            latency: .milliseconds(1),
            outcome: .failed(code: "INTERNAL", message: "bad")
        )
        let report = recorder.report(model: .open(rate: 2), seconds: 3, sent: 4, unfinished: 0)
        #expect(
            report.statuses == [
                .init(code: "UNAVAILABLE", count: 2, example: "first"),
                .init(code: "INTERNAL", count: 1, example: "bad"),
            ]
        )
        #expect(report.timeline.map(\.calls) == [1, 2, 1] && report.timeline.map(\.errors) == [0, 2, 1])
        #expect(report.timeline.map(\.maxMilliseconds) == [1, 0, 0])
        #expect(report.succeeded == 1 && report.failed == 3 && report.errorRate == 0.75)
        #expect(report.targetRate == 4.0 / 3)
    }

    @Test func objectivesReadAsWrittenAndJudgeAReport() throws {
        let objectives = try ServiceLevelObjective.parse(
            "p99<50ms, p99.9 <= 1s,max<2s,mean<10ms,errors<0.1%,errors<=5,rate>=900"
        )
        #expect(
            objectives.map(\.measure) == [
                .latency(percentile: 99), .latency(percentile: 99.9), .latency(percentile: 100), .meanLatency,
                .errorShare, .errorCount, .rate,
            ]
        )
        #expect(objectives.map(\.threshold) == [50, 1_000, 2_000, 10, 0.001, 5, 900])
        #expect(objectives[1].comparison == .atMost && objectives[6].comparison == .atLeast)

        let recorder = LoadRecorder()
        for milliseconds in 1...100 {
            recorder.record(offset: .zero, latency: .milliseconds(milliseconds), outcome: .succeeded)
        }
        recorder.record(offset: .zero, latency: .milliseconds(1), outcome: .failed(code: "INTERNAL", message: "x"))
        let report = recorder.report(model: .closed(concurrency: 1), seconds: 1, sent: 101, unfinished: 0)
        let p99 = try ServiceLevelObjective.parse("p99<50ms")[0]
        #expect(!p99.isMet(by: report) && p99.explain(report) == "p99 = 99ms")
        #expect(try ServiceLevelObjective.parse("p99<100ms")[0].isMet(by: report))
        #expect(try !ServiceLevelObjective.parse("errors<0.5%")[0].isMet(by: report))
        #expect(try ServiceLevelObjective.parse("errors<=1")[0].isMet(by: report))
        #expect(try ServiceLevelObjective.parse("rate>=101")[0].isMet(by: report))

        for bad in ["p99", "p99<fast", "p200<1ms", "latency<1ms", "errors<lots", "rate>=-1", "p99<50"] {
            #expect(throws: ObjectiveError.self, "\(bad)") { try ServiceLevelObjective.parse(bad) }
        }
    }
}
