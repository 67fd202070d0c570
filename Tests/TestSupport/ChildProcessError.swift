/// A test's child process could not be started or did not behave: what happened, in words.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
