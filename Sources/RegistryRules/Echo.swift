extension String {
    /// As much of a caller's value as an error message repeats: enough to
    /// recognise it, never the whole of a megabyte.
    package var echoed: String {
        unicodeScalars.count <= 100 ? self : String(String.UnicodeScalarView(unicodeScalars.prefix(100))) + "…"
    }
}
