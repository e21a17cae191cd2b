import Foundation

/// Progress on standard error, so standard output stays the result.
func note(_ text: String, terminator: String = "\n") {
    FileHandle.standardError.write(Data((text + terminator).utf8))
}

/// Where a paged listing goes on, if it does.
func notePageToken(_ token: String) {
    if !token.isEmpty { note("more results: --page-token \(token)") }
}
