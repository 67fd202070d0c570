/// A text with `{{name}}` slots, split once so that filling it is one pass of appends. A slot
/// without a value stays as written, so a missing value shows in the output instead of silently
/// vanishing; a `{{` without its `}}` is text.
public struct TextTemplate: Sendable {
    public enum Piece: Sendable, Equatable {
        case text(String)
        case slot(String)
    }

    public let pieces: [Piece]

    public init(_ text: String) {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
            pieces.append(.text(String(rest[..<open.lowerBound])))
            pieces.append(.slot(String(rest[open.upperBound..<close.lowerBound])))
            rest = rest[close.upperBound...]
        }
        pieces.append(.text(String(rest)))
        self.pieces = pieces
    }

    /// The text with each slot replaced by its value.
    public func render(_ values: [String: String]) -> String {
        var out = ""
        out.reserveCapacity(
            pieces.reduce(0) { total, piece in
                if case .text(let text) = piece { return total + text.utf8.count }
                return total + 64
            })
        for piece in pieces {
            switch piece {
            case .text(let text): out += text
            case .slot(let name): out += values[name] ?? "{{\(name)}}"
            }
        }
        return out
    }
}
