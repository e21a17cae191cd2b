import Logging
import MLOpsRPC

/// What the gRPC streams of one connection share.
struct GRPCConnectionEnvironment: Sendable {
    let router: RPCRouter
    let configuration: RPCServerConfiguration
    let peer: PeerIdentity?
    let calls: ServerCallTasks
    let activity: ConnectionActivity
    let logger: Logger
    let connectionTag: String
}
