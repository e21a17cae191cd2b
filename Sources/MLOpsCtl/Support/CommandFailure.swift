/// A command that could not do its work, said in one line (ArgumentParser
/// prints it as "Error: …" and exits 1, without the usage a bad argument gets).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
