import MLOpsTLS
import MLOpsTestSupport
import Testing

@Suite("Certificates read through OpenSSL")
struct CertificateTests {
    @Test func identityAndNamesOfAnIssuedCertificate() throws {
        let authority = try TestCertificates()
        let issued = try authority.issue(
            commonName: "retraining-gate",
            dnsNames: ["localhost", "gate.internal"],
            ipAddresses: ["127.0.0.1", "::1"]
        )
        let certificate = try Certificate(pemFile: issued.certificatePath)
        #expect(certificate.subjectCommonName == "retraining-gate")
        #expect(certificate.subjectAlternativeNames == ["localhost", "gate.internal", "127.0.0.1", "0:0:0:0:0:0:0:1"])

        let authorityCertificate = try Certificate(pemFile: authority.authorityPath)
        #expect(authorityCertificate.subjectCommonName == "mlops-test-ca")
        #expect(authorityCertificate.subjectAlternativeNames.isEmpty)
    }

    @Test func aMissingFileSaysWhichAndWhy() {
        let error = #expect(throws: OpenSSLError.self) {
            try Certificate(pemFile: "/nonexistent/server.pem")
        }
        #expect(error?.description.contains("/nonexistent/server.pem") == true)
        #expect(error?.reasons.isEmpty == false)
    }

    @Test func textThatIsNotPEMIsRejected() {
        let error = #expect(throws: OpenSSLError.self) {
            try Certificate(pem: "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
        }
        #expect(error?.reasons.isEmpty == false)
        // The queue was drained: the next failure reports only its own reasons.
        let next = OpenSSLError.drain("nothing failed")
        #expect(next.reasons.isEmpty)
    }
}
