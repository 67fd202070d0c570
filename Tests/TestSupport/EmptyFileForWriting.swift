import Foundation

/// Creates (or empties) the file at `path` and opens it for writing: where a child process's
/// output or log goes. The caller closes the handle once the process has it.
public func emptyFileForWriting(atPath path: String) throws -> FileHandle {
    guard FileManager.default.createFile(atPath: path, contents: nil) else {
        throw ChildProcessError(message: "cannot create \(path)")
    }
    return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
}
