import TextFormats

/// IMF-fixdate (`Fri, 27 Nov 2026 02:01:11 GMT`) and SigV4 basic format (`20261127T020111Z`) of
/// the replay server's clock, in epoch seconds.
enum HTTPDate {
    static func imfFixdate(epochSeconds: Int) -> String {
        UTCDateTime(secondsSince1970: epochSeconds).imfFixdate
    }

    static func amzDate(epochSeconds: Int) -> String {
        UTCDateTime(secondsSince1970: epochSeconds).amzDate
    }
}
