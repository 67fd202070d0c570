/// The date spellings several targets write, byte by byte without a formatter or a locale.
extension UTCDateTime {
    /// `yyyy-MM-dd'T'HH:mm:ss'Z'`, or with `milliseconds` (0...999) `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`.
    public func iso8601(milliseconds: Int? = nil) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        date.appendISO8601(to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendTimeOfDay(to: &bytes)
        if let milliseconds {
            bytes.append(UInt8(ascii: "."))
            DecimalDigits.append(min(max(milliseconds, 0), 999), width: 3, to: &bytes)
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The SigV4 basic form `yyyyMMdd'T'HHmmss'Z'`: always 16 bytes (the year modulo 10000).
    @inlinable
    public func appendAmzDate(to bytes: inout [UInt8]) {
        DecimalDigits.appendFixed(date.year, width: 4, to: &bytes)
        DecimalDigits.appendFixed(date.month, width: 2, to: &bytes)
        DecimalDigits.appendFixed(date.day, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        DecimalDigits.appendFixed(hour, width: 2, to: &bytes)
        DecimalDigits.appendFixed(minute, width: 2, to: &bytes)
        DecimalDigits.appendFixed(second, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// ``appendAmzDate(to:)`` as a string: `20261127T020111Z`.
    public var amzDate: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        appendAmzDate(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// HTTP-date in the IMF-fixdate form (RFC 9110): `Fri, 27 Nov 2026 02:01:11 GMT`.
    public var imfFixdate: String {
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        bytes += weekdays[date.weekday].utf8
        bytes += ", ".utf8
        DecimalDigits.append(date.day, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        bytes += months[min(max(date.month, 1), 12) - 1].utf8
        bytes.append(UInt8(ascii: " "))
        DecimalDigits.append(date.year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        appendTimeOfDay(to: &bytes)
        bytes += " GMT".utf8
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension UTCDateTime {
    /// `HH:mm:ss`.
    func appendTimeOfDay(to bytes: inout [UInt8]) {
        DecimalDigits.append(hour, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        DecimalDigits.append(minute, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        DecimalDigits.append(second, width: 2, to: &bytes)
    }
}

extension CivilDate {
    /// `yyyy-MM-dd` (a year past 9999 with all its digits).
    public var iso8601: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10)
        appendISO8601(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func appendISO8601(to bytes: inout [UInt8]) {
        DecimalDigits.append(year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        DecimalDigits.append(month, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        DecimalDigits.append(day, width: 2, to: &bytes)
    }
}
