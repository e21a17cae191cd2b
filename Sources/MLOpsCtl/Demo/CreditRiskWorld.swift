import Foundation
import GatePolicy
import MLOpsMessages

/// The demo's synthetic loan applicants, drawn from a seeded generator so
/// every run sees the same people. `shift` 0 is the world the first model
/// was trained in; 1 is the world after the economy turned: lower incomes,
/// bigger loans, more debt, more renters consolidating debt.
struct CreditRiskWorld {
    static let homeOwnership = ["rent", "mortgage", "own"]
    static let purposes = ["debt_consolidation", "credit_card", "home_improvement", "car", "medical", "business"]
    static let regions = ["north", "south", "east", "west"]

    static let schema =
        ["income", "loan_amount", "credit_score", "debt_to_income", "age", "employment_years", "open_accounts"].map {
            FeatureSchema(name: $0, type: .numeric)
        } + ["home_ownership", "purpose", "region"].map { FeatureSchema(name: $0, type: .categorical) }

    /// The features that move when the world shifts (and so should drift).
    static let shiftedFeatures: Set = [
        "income", "loan_amount", "credit_score", "debt_to_income", "home_ownership", "purpose",
    ]

    struct Applicant {
        var income: Double
        var loanAmount: Double
        var creditScore: Double
        var debtToIncome: Double
        var age: Double
        var employmentYears: Double
        var openAccounts: Double
        var homeOwnership: Int
        var purpose: Int
        var region: Int

        var numericFeatures: [String: Double] {
            [
                "income": income, "loan_amount": loanAmount, "credit_score": creditScore,
                "debt_to_income": debtToIncome, "age": age, "employment_years": employmentYears,
                "open_accounts": openAccounts,
            ]
        }

        var categoricalFeatures: [String: String] {
            [
                "home_ownership": CreditRiskWorld.homeOwnership[homeOwnership],
                "purpose": CreditRiskWorld.purposes[purpose], "region": CreditRiskWorld.regions[region],
            ]
        }
    }

    private var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func applicant(shift: Double) -> Applicant {
        let homeWeights = Self.blend([0.40, 0.45, 0.15], [0.58, 0.32, 0.10], shift)
        let purposeWeights = Self.blend(
            [0.40, 0.20, 0.15, 0.12, 0.07, 0.06],
            [0.56, 0.16, 0.08, 0.07, 0.07, 0.06],
            shift
        )
        return Applicant(
            income: Self.rounded(exp(normal(log(55_000) + shift * log(0.85), 0.35)), 2),
            loanAmount: Self.rounded(max(1_000, normal(15_000 + 4_000 * shift, 6_000)), 2),
            creditScore: min(850, max(300, normal(690 - 25 * shift, 55).rounded())),
            debtToIncome: Self.rounded(min(0.95, max(0, normal(0.30 + 0.06 * shift, 0.10))), 3),
            age: min(80, max(18, normal(41, 11).rounded())),
            employmentYears: Self.rounded(max(0, normal(7, 5)), 1),
            openAccounts: max(0, normal(6, 2.5).rounded()),
            homeOwnership: random.category(homeWeights),
            purpose: random.category(purposeWeights),
            region: random.category([0.25, 0.25, 0.25, 0.25])
        )
    }

    /// Whether this applicant defaults, drawn from `truth`.
    mutating func defaults(_ applicant: Applicant, truth: CreditModel) -> Bool {
        random.uniform() < truth.probability(applicant)
    }

    mutating func chance(_ p: Double) -> Bool { random.uniform() < p }

    private mutating func normal(_ mean: Double, _ deviation: Double) -> Double {
        mean + deviation * random.normal()
    }

    private static func blend(_ before: [Double], _ after: [Double], _ shift: Double) -> [Double] {
        zip(before, after).map { $0 * (1 - shift) + $1 * shift }
    }

    private static func rounded(_ value: Double, _ places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}

/// A logistic model of default over standardized features: the truth of
/// each world, and the versions the demo's pipeline trains.
struct CreditModel {
    var intercept: Double
    var debtToIncome: Double
    var creditScore: Double
    var income: Double
    var loanAmount: Double
    var renting: Double
    var employment: Double
    var debtConsolidation: Double

    func probability(_ a: CreditRiskWorld.Applicant) -> Double {
        var logit = intercept
        logit += debtToIncome * (a.debtToIncome - 0.30) / 0.10
        logit += creditScore * (a.creditScore - 690) / 55
        logit += income * (log(a.income) - log(55_000)) / 0.35
        logit += loanAmount * (a.loanAmount - 15_000) / 6_000
        logit += employment * (a.employmentYears - 7) / 5
        if a.homeOwnership == 0 { logit += renting }
        switch CreditRiskWorld.purposes[a.purpose] {
        case "debt_consolidation": logit += debtConsolidation
        case "medical": logit += 0.4
        case "business": logit += 0.5
        default: break
        }
        return 1 / (1 + exp(-logit))
    }

    /// How defaults worked when v1 was trained (and what v1 learned).
    static let before = CreditModel(
        intercept: -1.3,
        debtToIncome: 1.0,
        creditScore: -0.9,
        income: -0.6,
        loanAmount: 0.4,
        renting: 0.3,
        employment: -0.2,
        debtConsolidation: 0
    )
    /// How they work after the shift: renters consolidating debt default far
    /// more, income and loan size hardly matter (and v2 learned this).
    static let after = CreditModel(
        intercept: -3.2,
        debtToIncome: 1.6,
        creditScore: -0.9,
        income: 0,
        loanAmount: 0,
        renting: 2.0,
        employment: -0.2,
        debtConsolidation: 1.5
    )
    /// v3: retrained on the shifted world, but its feature pipeline lost
    /// credit score and debt-to-income.
    static let brokenPipeline = CreditModel(
        intercept: -1.6,
        debtToIncome: 0,
        creditScore: 0,
        income: 0,
        loanAmount: 0,
        renting: 2.0,
        employment: -0.2,
        debtConsolidation: 1.5
    )
}
