import RegistryRules
import Testing

@Suite("Stages are read as MLflow reads them")
struct StageTests {
    @Test(
        arguments: [
            ("None", Stage.none), ("none", .none), ("STAGING", .staging), ("staging", .staging),
            ("Production", .production), ("pRoDuCtIoN", .production), ("archived", .archived),
        ]
    )
    func caseInsensitive(text: String, stage: Stage) throws {
        #expect(try Stage(parsing: text) == stage)
    }

    @Test(arguments: ["prod", " Production", "Production ", "", "Staged", "Nonе"])
    func rejected(text: String) {
        let error = #expect(throws: InvalidStage.self) { try Stage(parsing: text) }
        #expect(
            error?.description
                == "Invalid Model Version stage: \(text). Value must be one of None, Staging, Production, Archived."
        )
    }

    @Test func onlyStagingAndProductionArchiveOthers() {
        #expect(Stage.allCases.filter(\.allowsArchivingOthers) == [.staging, .production])
    }
}
