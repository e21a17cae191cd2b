/// A set of methods a server answers: a generated service protocol's
/// conformance registers each of its methods.
public protocol RPCService: Sendable {
    func register(in router: inout RPCRouter)
}
