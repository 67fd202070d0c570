/// Reading Server-Sent Events as a client does, for the tests of `/events`.
public enum ServerSentEventsText {
    /// The events of an SSE response body: its `id:`/`event:`/`data:` blocks (an event of several
    /// `data:` lines joined by newlines); blocks without data are left out.
    public static func events(_ text: String) -> [(id: String?, event: String?, data: String)] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var id: String?
            var event: String?
            var data: [String] = []
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return data.isEmpty ? nil : (id, event, data.joined(separator: "\n"))
        }
    }
}
