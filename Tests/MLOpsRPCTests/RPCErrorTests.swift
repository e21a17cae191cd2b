import MLOpsMessages
import MLOpsRPC
import Testing

@Suite("Status codes and errors")
struct RPCErrorTests {
    @Test(
        arguments: [
            (StatusCode.ok, 0, "OK"), (.cancelled, 1, "CANCELLED"), (.invalidArgument, 3, "INVALID_ARGUMENT"),
            (.deadlineExceeded, 4, "DEADLINE_EXCEEDED"), (.notFound, 5, "NOT_FOUND"),
            (.alreadyExists, 6, "ALREADY_EXISTS"), (.permissionDenied, 7, "PERMISSION_DENIED"),
            (.resourceExhausted, 8, "RESOURCE_EXHAUSTED"), (.failedPrecondition, 9, "FAILED_PRECONDITION"),
            (.unimplemented, 12, "UNIMPLEMENTED"), (.internal, 13, "INTERNAL"), (.unavailable, 14, "UNAVAILABLE"),
            (.unauthenticated, 16, "UNAUTHENTICATED"),
        ] as [(StatusCode, UInt32, String)]
    )
    func grpcNumbering(code: StatusCode, number: UInt32, name: String) {
        #expect(code.rawValue == number)
        #expect(code.description == name)
    }

    @Test func unknownCodesPassThrough() {
        #expect(StatusCode(rawValue: 42).description == "CODE_42")
    }

    @Test func errorsTravelAsStatusMessages() throws {
        let error = RPCError(
            code: .notFound,
            message: "Model Version (name=m, version=9) not found",
            metadata: ["request-id": "abc"]
        )
        let received = try Status(serializedBytes: error.status.serializedBytes())
        let decoded = try #require(RPCError(status: received))
        #expect(decoded.code == .notFound)
        #expect(decoded.message == error.message)
        #expect(decoded.metadata == ["request-id": "abc"])
        #expect(RPCError(status: Status(code: 0)) == nil)
    }
}
