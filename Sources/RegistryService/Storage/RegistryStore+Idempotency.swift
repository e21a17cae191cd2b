import Foundation
import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC

/// A write made with an idempotency key: the first call writes and keeps its
/// answer under (caller, key) in the same transaction; a retry, whatever
/// became of the first (committed and unanswered, or never committed), finds
/// the answer exactly when the write happened. Calls with one key take turns.
/// The answer of a write that takes an idempotency key, which says whether it was replayed.
protocol ReplayableResponse: ProtobufMessage {
    var replayed: Bool { get set }
}

extension CreateRegisteredModelResponse: ReplayableResponse {}
extension CreateModelVersionResponse: ReplayableResponse {}
extension TransitionModelVersionStageResponse: ReplayableResponse {}

struct IdempotentWrite<Response: ReplayableResponse>: Sendable {
    var caller: String
    var key: String
    /// The method's path: a key names one request of one method.
    var method: String
    /// The request's content in a canonical form (`fingerprint(_:)`): the
    /// same key with another request is refused, not answered.
    var fingerprint: String

    static var maximumKeyLength: Int { 128 }

    /// A canonical form of a request's parts: tags sorted, every part quoted.
    static func fingerprint(_ parts: [String], tags: [String: String] = [:]) -> String {
        let sorted = tags.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }
        let data = (try? JSONEncoder().encode(parts + ["tags"] + sorted)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

extension RegistryStore {
    /// Runs `write` (inside this transaction, on its connection) unless the
    /// key has an answer already; returns the answer and whether it was replayed.
    func idempotent<Response: ReplayableResponse>(
        _ request: IdempotentWrite<Response>,
        model: String,
        _ write: @escaping @Sendable (PostgresConnection) throws -> Response
    ) async throws -> (Response, replayed: Bool) {
        guard request.key.unicodeScalars.count <= IdempotentWrite<Response>.maximumKeyLength else {
            throw RPCError(code: .invalidArgument, message: "idempotency_key is longer than 128 characters")
        }
        let stored = try await self.write(model) { connection in
            try connection.query(
                """
                SELECT pg_advisory_xact_lock(hashtextextended('idempotency ' || \(request.caller) || ' ' || \(request.key), 0))
                """
            )
            let rows = try connection.query(
                """
                SELECT method = \(request.method) AND fingerprint = sha256(convert_to(\(request.fingerprint), 'UTF8')),
                       response
                FROM registry_idempotency
                WHERE caller = \(request.caller) AND key = \(request.key) AND created_at > now() - interval '7 days'
                """
            )
            if rows.count == 1 {
                guard try rows.value(Bool.self, row: 0, column: 0) == true else {
                    throw RPCError(
                        code: .alreadyExists,
                        message: "idempotency_key '\(request.key)' was used for another request"
                    )
                }
                return (try rows.value(PostgresBytes.self, row: 0, column: 1)?.bytes ?? [], true)
            }
            let response = try write(connection)
            let bytes = try response.serializedBytes()
            // Keys older than a week go, a few at a time, with the writes that keep new ones.
            try connection.query(
                """
                WITH expired AS (
                    SELECT caller, key FROM registry_idempotency
                    WHERE created_at < now() - interval '7 days' ORDER BY created_at LIMIT 10
                )
                DELETE FROM registry_idempotency i USING expired e WHERE i.caller = e.caller AND i.key = e.key
                """
            )
            try connection.query(
                """
                INSERT INTO registry_idempotency (caller, key, method, fingerprint, response)
                VALUES (\(request.caller), \(request.key), \(request.method),
                        sha256(convert_to(\(request.fingerprint), 'UTF8')), \(PostgresBytes(bytes)))
                ON CONFLICT (caller, key) DO UPDATE SET
                    method = excluded.method, fingerprint = excluded.fingerprint, response = excluded.response,
                    created_at = excluded.created_at
                """
            )
            return (bytes, false)
        }
        return (try Response(serializedBytes: stored.0), stored.1)
    }
}
