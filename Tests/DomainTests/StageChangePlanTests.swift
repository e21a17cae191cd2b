import RegistryRules
import Testing

@Suite("Stage changes of one model, worked out in order")
struct StageChangePlanTests {
    typealias Move = StageChangePlan.Move

    private func change(_ version: Int64, _ stage: Stage, archive: Bool = true) -> StageChangePlan.Change {
        .init(version: version, stage: stage, archiveOthers: archive)
    }

    @Test func aPromotionArchivesTheOthersInItsStageByNumber() {
        let plan = StageChangePlan(
            current: [1: .production, 2: .none, 3: .production, 4: .staging],
            changes: [change(2, .production)]
        )
        #expect(
            plan.moves == [
                [
                    Move(version: 2, from: .none, to: .production, archivedBy: 0),
                    Move(version: 1, from: .production, to: .archived, archivedBy: 2),
                    Move(version: 3, from: .production, to: .archived, archivedBy: 2),
                ]
            ]
        )
        #expect(plan.final[4] == nil)
        #expect(plan.final.mapValues(\.stage) == [1: .archived, 2: .production, 3: .archived])
        #expect(plan.lastPromotion == [2: 0])
    }

    @Test func eachChangeSeesTheOnesBeforeIt() {
        let plan = StageChangePlan(
            current: [1: .production, 2: .none, 3: .none],
            changes: [change(2, .production), change(3, .production), change(2, .production)]
        )
        #expect(
            plan.moves == [
                [
                    Move(version: 2, from: .none, to: .production, archivedBy: 0),
                    Move(version: 1, from: .production, to: .archived, archivedBy: 2),
                ],
                [
                    Move(version: 3, from: .none, to: .production, archivedBy: 0),
                    Move(version: 2, from: .production, to: .archived, archivedBy: 3),
                ],
                [
                    Move(version: 2, from: .archived, to: .production, archivedBy: 0),
                    Move(version: 3, from: .production, to: .archived, archivedBy: 2),
                ],
            ]
        )
        #expect(plan.final[2]! == (.production, 2))
        #expect(plan.final[3]! == (.archived, 2))
        #expect(plan.final[1]! == (.archived, 0))
        #expect(plan.lastPromotion == [2: 2, 3: 1])
    }

    @Test func aMissingVersionFailsOnlyItsOwnChange() {
        let plan = StageChangePlan(
            current: [1: .staging],
            changes: [change(9, .production), change(1, .production, archive: false)]
        )
        #expect(plan.moves[0] == nil)
        #expect(plan.moves[1] == [Move(version: 1, from: .staging, to: .production, archivedBy: 0)])
    }

    @Test func withoutArchivingOthersStay() {
        let plan = StageChangePlan(
            current: [1: .production, 2: .staging],
            changes: [change(2, .production, archive: false)]
        )
        #expect(plan.moves == [[Move(version: 2, from: .staging, to: .production, archivedBy: 0)]])
        #expect(plan.final[1] == nil)
    }

    @Test func theSameStageStillMovesAndIsRecorded() {
        let plan = StageChangePlan(current: [1: .production], changes: [change(1, .production)])
        #expect(plan.moves == [[Move(version: 1, from: .production, to: .production, archivedBy: 0)]])
        #expect(plan.lastPromotion == [1: 0])
    }

    @Test func onlyStagesThatArchivingMovesIntoAreRead() {
        #expect(
            StageChangePlan.stagesToRead([
                change(1, .production), change(2, .staging, archive: false), change(3, .archived, archive: false),
            ]) == [.production]
        )
    }
}
