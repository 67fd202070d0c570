/// Decimal numbers written as ASCII digits into a byte buffer.
@usableFromInline
enum DecimalDigits {
    /// `value` with at least `width` digits, zero-padded on the left; a negative value gets a
    /// leading `-` before its padded magnitude.
    @usableFromInline
    static func append(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        for _ in digits.count..<max(width, digits.count) { bytes.append(UInt8(ascii: "0")) }
        bytes += digits.reversed()
    }

    /// Exactly `width` digits: the value modulo 10^width (fixed-width fields, no allocation).
    @inlinable
    static func appendFixed(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value.magnitude
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / UInt(divisor) % 10))
            rest %= UInt(divisor)
            divisor /= 10
        }
    }
}
