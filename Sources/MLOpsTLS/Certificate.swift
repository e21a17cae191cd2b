internal import COpenSSL

/// An X.509 certificate, read from PEM. Owns its `X509*`.
package final class Certificate: @unchecked Sendable {
    // Immutable after init, so safe to share between threads.
    let x509: OpaquePointer

    /// Reads the first certificate of a PEM file.
    package convenience init(pemFile path: String) throws(OpenSSLError) {
        guard let file = BIO_new_file(path, "r") else {
            throw OpenSSLError.drain("open certificate file \(path)")
        }
        defer { BIO_free(file) }
        try self.init(bio: file, source: path)
    }

    /// Reads the first certificate of PEM text.
    package convenience init(pem: String) throws(OpenSSLError) {
        let bytes = Array(pem.utf8)
        let memory = bytes.withUnsafeBytes { BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }
        guard let memory else { throw OpenSSLError.drain("allocate a memory BIO") }
        defer { BIO_free(memory) }
        try self.init(bio: memory, source: "PEM text")
    }

    /// Takes ownership of an `X509*` OpenSSL handed out with a reference.
    init(taking x509: OpaquePointer) {
        self.x509 = x509
    }

    private init(bio: OpaquePointer, source: String) throws(OpenSSLError) {
        guard let x509 = PEM_read_bio_X509(bio, nil, nil, nil) else {
            throw OpenSSLError.drain("read a certificate from \(source)")
        }
        self.x509 = x509
    }

    deinit {
        X509_free(x509)
    }

    /// The subject's common name, which this system uses as the caller's identity.
    package var subjectCommonName: String? {
        guard let name = X509_get_subject_name(x509) else { return nil }
        let index = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index),
            let data = X509_NAME_ENTRY_get_data(entry)
        else { return nil }
        return Self.string(data)
    }

    /// DNS names and IP addresses of the subject alternative name extension,
    /// IPs in their usual text form.
    package var subjectAlternativeNames: [String] {
        guard let raw = X509_get_ext_d2i(x509, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { GENERAL_NAMES_free(names) }
        return (0..<c_openssl_sk_GENERAL_NAME_num(names)).compactMap { index in
            guard let name = c_openssl_sk_GENERAL_NAME_value(names, index) else { return nil }
            switch name.pointee.type {
            case GEN_DNS: return Self.string(name.pointee.d.dNSName)
            case GEN_IPADD: return Self.ipAddress(name.pointee.d.iPAddress)
            default: return nil
            }
        }
    }

    private static func string(_ data: UnsafeMutablePointer<ASN1_STRING>?) -> String? {
        guard let data, let bytes = ASN1_STRING_get0_data(data) else { return nil }
        let buffer = UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(data)))
        return String(decoding: buffer, as: UTF8.self)
    }

    private static func ipAddress(_ data: UnsafeMutablePointer<ASN1_STRING>?) -> String? {
        guard let data, let bytes = ASN1_STRING_get0_data(data) else { return nil }
        let octets = Array(UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(data))))
        switch octets.count {
        case 4:
            return octets.map(String.init).joined(separator: ".")
        case 16:
            return stride(from: 0, to: 16, by: 2)
                .map { String(UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        default:
            return nil
        }
    }
}
