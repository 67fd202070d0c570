import TextFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The two forms of the signing time SigV4 uses, in UTC: `X-Amz-Date` (`20150830T123600Z`)
/// and the credential-scope date (`20150830`). Computed arithmetically: no formatter, no locale.
struct SigV4Date: Sendable, Equatable {
    /// `YYYYMMDDTHHMMSSZ`, 16 ASCII bytes.
    let amzDate: [UInt8]
    /// `YYYYMMDD` as a number, the cache key for the signing key.
    let day: Int

    /// `YYYYMMDD`, 8 ASCII bytes.
    var dateStamp: ArraySlice<UInt8> { amzDate[0..<8] }

    init(_ date: Date) {
        let time = UTCDateTime(secondsSince1970: Int(date.timeIntervalSince1970.rounded(.down)))
        var out: [UInt8] = []
        out.reserveCapacity(16)
        time.appendAmzDate(to: &out)
        amzDate = out
        day = time.date.year * 10_000 + time.date.month * 100 + time.date.day
    }
}
