import Testing
import TextFormats

@Suite struct ISO8601TextTests {
    @Test func readsTheLeadingDay() {
        #expect(ISO8601Text.civilDate("2026-11-27") == CivilDate(year: 2026, month: 11, day: 27))
        #expect(ISO8601Text.civilDate("2026-11-27T00:00:00Z") == CivilDate(year: 2026, month: 11, day: 27))
        for bad in ["2026-13-01", "2026-11-00", "2026-1-27", "2026/11/27", "20261127", ""] {
            #expect(ISO8601Text.civilDate(bad) == nil, "\(bad)")
        }
    }

    @Test func readsDateTimesWithFractionsAndOffsets() {
        #expect(ISO8601Text.secondsSince1970("1970-01-01T00:00:00Z") == 0)
        #expect(ISO8601Text.secondsSince1970("2026-11-27T10:07:33.250Z") == 1_795_774_053.25)
        #expect(ISO8601Text.secondsSince1970("1970-01-01 01:00:00+01:00") == 0)
        #expect(ISO8601Text.secondsSince1970("1970-01-01t00:00:00-0130") == 5_400)
        for bad in ["2026-11-27", "2026-11-27T10:07:33.Z", "2026-11-27T10:07:33Zx", "2026-11-27T10:07:33+1"] {
            #expect(ISO8601Text.secondsSince1970(bad) == nil, "\(bad)")
        }
    }
}
