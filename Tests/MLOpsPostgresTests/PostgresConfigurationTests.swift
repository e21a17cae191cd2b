import MLOpsPostgres
import Testing

@Suite("Connection settings from a URL or the seed's variables")
struct PostgresConfigurationTests {
    @Test func aURL() throws {
        let configuration = try PostgresConfiguration(
            url: "postgresql://gate:p%40ss:word@db.internal:6543/mlops?sslmode=require&connect_timeout=3",
            applicationName: "retraining-gate"
        )
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.user == "gate")
        #expect(configuration.password == "p@ss:word")
        #expect(configuration.database == "mlops")
        #expect(configuration.sslMode == "require")
        #expect(configuration.connectTimeout == .seconds(3))
        #expect(configuration.applicationName == "retraining-gate")
    }

    @Test func theSeedsVariables() {
        let configuration = PostgresConfiguration(
            environment: [
                "POSTGRES_HOST": "postgres", "POSTGRES_PORT": "5433", "POSTGRES_USER": "airflow",
                "POSTGRES_PASSWORD": "airflow", "MLOPS_DB_NAME": "mlops",
            ],
            applicationName: "monitoring"
        )
        #expect(configuration.host == "postgres")
        #expect(configuration.port == 5433)
        #expect(configuration.user == "airflow")
        #expect(configuration.database == "mlops")
        #expect(configuration.applicationName == "monitoring")
    }

    @Test func thePasswordIsNeverShown() throws {
        let configuration = try PostgresConfiguration(url: "postgres://u:secret@h/d", applicationName: "x")
        #expect(!configuration.description.contains("secret"))
        let error = #expect(throws: PostgresError.self) {
            try PostgresConfiguration(url: "mysql://u:secret@h/d", applicationName: "x")
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error.map { !"\($0)".contains("secret") } == true)
    }
}
