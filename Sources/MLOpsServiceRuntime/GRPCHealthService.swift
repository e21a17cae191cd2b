import MLOpsMessages
import MLOpsRPC

/// gRPC's standard health service, `grpc.health.v1.Health`, over the same
/// statuses as `mlops.v1.Health`, so load balancers and probes that know only
/// the standard one can ask. Its messages are ours: the same fields under the
/// same numbers (our response's `reason` is an extra field they skip).
struct GRPCHealthService: RPCService {
    static let check = RPCMethod<HealthCheckRequest, HealthCheckResponse>(
        service: "grpc.health.v1.Health",
        method: "Check",
        isServerStreaming: false
    )
    static let watch = RPCMethod<HealthCheckRequest, HealthCheckResponse>(
        service: "grpc.health.v1.Health",
        method: "Watch",
        isServerStreaming: true
    )

    let health: HealthService

    func register(in router: inout RPCRouter) {
        router.register(Self.check) { request, _ in
            let response = health.check(request.service)
            // The standard's answer for a service it does not know.
            guard response.status != .unknown else {
                throw RPCError(code: .notFound, message: "no service named \(request.service) here")
            }
            return response
        }
        router.register(Self.watch) { request, writer, _ in
            try await health.watch(request.service) { try await writer.write($0) }
        }
    }
}
