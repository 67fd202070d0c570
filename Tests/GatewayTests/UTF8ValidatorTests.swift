import Testing

@testable import Gateway

/// ``UTF8Validator`` against the standard library's UTF-8 decoding, over every sequence of
/// one and two bytes, every three-byte and four-byte lead, and samples cut at every point.
struct UTF8ValidatorTests {
    private func validate(_ pieces: [[UInt8]]) -> Bool {
        var validator = UTF8Validator()
        for piece in pieces {
            guard piece.withUnsafeBytes({ validator.consume($0) }) else { return false }
        }
        return validator.isComplete
    }

    private func isUTF8(_ bytes: [UInt8]) -> Bool { String(validating: bytes, as: UTF8.self) != nil }

    @Test func agreesWithTheStandardLibraryOnEveryShortSequence() {
        var disagreements: [[UInt8]] = []
        for first in 0...255 {
            let one = [UInt8(first)]
            if validate([one]) != isUTF8(one) { disagreements.append(one) }
            for second in 0...255 {
                let two = one + [UInt8(second)]
                if validate([two]) != isUTF8(two) { disagreements.append(two) }
                // Three bytes: every lead from E0 with every continuation byte second (and a sample of
                // others); four: every lead from F0 with continuation bytes second and third.
                guard first >= 0xE0, (0x80...0xBF).contains(second) || second % 16 == 0 else { continue }
                for third in 0...255 {
                    let three = two + [UInt8(third)]
                    if validate([three]) != isUTF8(three) { disagreements.append(three) }
                    guard first >= 0xF0, (0x80...0xBF).contains(second), (0x80...0xBF).contains(third) else { continue }
                    for fourth in [0x00, 0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0, 0xFF] {
                        let four = three + [UInt8(fourth)]
                        if validate([four]) != isUTF8(four) { disagreements.append(four) }
                    }
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test func givesTheSameAnswerWhateverThePiecesAndFindsTheFirstInvalidPiece() {
        let kosme: [UInt8] = [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5]
        let samples: [[UInt8]] = [
            kosme, Array("hello€world𤭢".utf8), kosme + [0xED, 0xA0, 0x80] + Array("edited".utf8),
            kosme + [0xF4, 0x90, 0x80, 0x80],
            Array(repeating: 0x41, count: 37) + [0xC3, 0xA9] + Array(repeating: 0x42, count: 20),
            Array(repeating: 0x41, count: 40) + [0xFF],
        ]
        for sample in samples {
            for cut in 0...sample.count {
                #expect(validate([Array(sample[..<cut]), Array(sample[cut...])]) == isUTF8(sample))
            }
        }
        // 6.4.2: the piece with the first invalid byte (0x90 after F4) is the one refused.
        var validator = UTF8Validator()
        #expect(Array(kosme + [0xF4]).withUnsafeBytes { validator.consume($0) })
        #expect(!validator.isComplete)
        #expect(![UInt8(0x90)].withUnsafeBytes { validator.consume($0) })
    }
}
