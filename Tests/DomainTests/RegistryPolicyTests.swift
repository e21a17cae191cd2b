import Foundation
import RegistryRules
import Testing

@Suite("The registry's write policy")
struct RegistryPolicyTests {
    @Test func defaults() {
        let policy = RegistryPolicy.default
        #expect(policy.permits("retraining-gate", to: .moveTo(.production)))
        #expect(policy.permits("admin", to: .moveTo(.production)))
        #expect(!policy.permits("trainer", to: .moveTo(.production)))
        #expect(!policy.permits("serving", to: .moveTo(.production)))
        #expect(policy.permits("trainer", to: .moveTo(.staging)))
        #expect(policy.permits("trainer", to: .writeVersion))
        #expect(policy.permits("trainer", to: .writeModel))
        #expect(!policy.permits("serving", to: .writeVersion))
        #expect(!policy.permits("trainer", to: .writeAlias))
    }

    @Test func wildcardAndConfiguredFromJSON() throws {
        let json = """
            {"modelWriters": ["*"], "versionWriters": ["ci"], "aliasWriters": [],
             "stageWriters": {"Production": ["release-bot"], "Staging": ["*"]}}
            """
        let policy = try JSONDecoder().decode(RegistryPolicy.self, from: Data(json.utf8)).validated()
        #expect(policy.permits("anyone-at-all", to: .writeModel))
        #expect(policy.permits("ci", to: .writeVersion))
        #expect(!policy.permits("admin", to: .writeVersion))
        #expect(policy.permits("release-bot", to: .moveTo(.production)))
        #expect(!policy.permits("admin", to: .moveTo(.archived)))
        #expect(policy.permits("x", to: .moveTo(.staging)))

        let typo = try JSONDecoder().decode(
            RegistryPolicy.self,
            from: Data(
                #"{"modelWriters": [], "versionWriters": [], "aliasWriters": [], "stageWriters": {"Prod": []}}"#.utf8
            )
        )
        #expect(throws: InvalidRegistryInput.self) { try typo.validated() }
    }
}
