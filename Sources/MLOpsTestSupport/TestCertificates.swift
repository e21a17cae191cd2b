import Foundation
import MLOpsProcess

/// A certificate authority made for one test run, and certificates it issues,
/// written as PEM files into a temporary folder with the `openssl` command.
package final class TestCertificates: Sendable {
    package struct Issued: Sendable {
        package let certificatePath: String
        package let keyPath: String
    }

    private let folder: URL
    package let authorityPath: String
    private let authorityKeyPath: String

    /// Creates a new authority, `CN=<name>`.
    package init(authorityName: String = "mlops-test-ca") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-certs-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        authorityPath = folder.appendingPathComponent("ca.pem").path
        authorityKeyPath = folder.appendingPathComponent("ca.key").path
        try openssl(
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
                + ["-keyout", authorityKeyPath, "-out", authorityPath, "-days", "2", "-subj", "/CN=\(authorityName)"]
                + ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
        )
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Issues a certificate for `commonName`, with the given DNS and IP subject
    /// alternative names, valid from now for `days` days.
    package func issue(
        commonName: String,
        dnsNames: [String] = ["localhost"],
        ipAddresses: [String] = ["127.0.0.1"],
        days: Int = 2
    ) throws -> Issued {
        let base = folder.appendingPathComponent(commonName).path
        let names = dnsNames.map { "DNS:\($0)" } + ipAddresses.map { "IP:\($0)" }
        var arguments = ["req", "-x509", "-CA", authorityPath, "-CAkey", authorityKeyPath]
        arguments += ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        arguments += [
            "-keyout", base + ".key", "-out", base + ".pem", "-days", String(days), "-subj", "/CN=\(commonName)",
        ]
        arguments += ["-addext", "basicConstraints=CA:FALSE", "-addext", "extendedKeyUsage=serverAuth,clientAuth"]
        if !names.isEmpty { arguments += ["-addext", "subjectAltName=" + names.joined(separator: ",")] }
        try openssl(arguments)
        return Issued(certificatePath: base + ".pem", keyPath: base + ".key")
    }

    /// Issues a certificate for `commonName` that expired long ago (valid for
    /// one day in 2020), through `openssl ca`, which alone takes explicit dates.
    package func issueExpired(commonName: String) throws -> Issued {
        let base = folder.appendingPathComponent(commonName).path
        let database = folder.appendingPathComponent("index.txt").path
        let configuration = folder.appendingPathComponent("ca.cnf").path
        _ = FileManager.default.createFile(atPath: database, contents: nil)
        try """
        [ca]
        default_ca = test
        [test]
        database = \(database)
        new_certs_dir = \(folder.path)
        serial = \(folder.appendingPathComponent("serial").path)
        default_md = sha256
        policy = any
        copy_extensions = copy
        unique_subject = no
        [any]
        commonName = supplied
        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        try "01\n".write(toFile: folder.appendingPathComponent("serial").path, atomically: true, encoding: .utf8)
        try openssl(
            ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
                + ["-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=\(commonName)"]
                + ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        )
        try openssl(
            ["ca", "-batch", "-config", configuration, "-cert", authorityPath, "-keyfile", authorityKeyPath]
                + ["-in", base + ".csr", "-out", base + ".pem", "-notext"]
                + ["-startdate", "20200101000000Z", "-enddate", "20200102000000Z"]
        )
        return Issued(certificatePath: base + ".pem", keyPath: base + ".key")
    }

    /// Runs `openssl`, then gives what it wrote to the user the product's
    /// processes run as: private keys are written readable by their owner only.
    private func openssl(_ arguments: [String]) throws {
        try ChildProcess.output("/usr/bin/openssl", arguments)
        try UnprivilegedUser.own(folder.path)
    }
}
