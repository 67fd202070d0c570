import Testing
import TextFormats

@Suite struct CivilDateTests {
    @Test(arguments: [
        (0, 1970, 1, 1), (-1, 1969, 12, 31), (-719_468, 0, 3, 1), (11_016, 2000, 2, 29), (11_017, 2000, 3, 1),
        (47_540, 2100, 2, 28), (47_541, 2100, 3, 1), (156_630, 2398, 11, 3), (157_113, 2400, 2, 29),
        (2_932_896, 9999, 12, 31), (-719_529, -1, 12, 31),
    ])
    func daysRoundTrip(days: Int, year: Int, month: Int, day: Int) {
        let date = CivilDate(daysSince1970: days)
        #expect(date == CivilDate(year: year, month: month, day: day))
        #expect(date.daysSince1970 == days)
    }

    @Test func everyDayFrom1900To2500RoundTrips() {
        var previous = CivilDate(daysSince1970: -25_567)
        #expect(previous == CivilDate(year: 1900, month: 1, day: 1))
        for days in -25_566...193_000 {
            let date = CivilDate(daysSince1970: days)
            #expect(date.daysSince1970 == days)
            let isNextDay =
                date.day == previous.day + 1 && date.month == previous.month
                || date.day == 1 && previous.day == CivilDate.days(inMonth: previous.month, year: previous.year)
            if !isNextDay { Issue.record("\(previous) -> \(date)") }
            previous = date
        }
    }

    @Test func leapYearsAndWeekdays() {
        #expect(CivilDate.isLeapYear(2000) && CivilDate.isLeapYear(2400) && CivilDate.isLeapYear(2024))
        #expect(!CivilDate.isLeapYear(2100) && !CivilDate.isLeapYear(1900) && !CivilDate.isLeapYear(2026))
        #expect(CivilDate.days(inMonth: 2, year: 2100) == 28)
        #expect(CivilDate(year: 1970, month: 1, day: 1).weekday == 4)
        #expect(CivilDate(year: 1969, month: 12, day: 31).weekday == 3)
        #expect(CivilDate(year: 2026, month: 11, day: 27).weekday == 5)
    }

    @Test func extremesDoNotTrap() {
        _ = CivilDate(daysSince1970: .max).daysSince1970
        _ = CivilDate(daysSince1970: .min).daysSince1970
        _ = CivilDate(year: .max, month: 12, day: 31).daysSince1970
        _ = CivilDate(year: .min, month: 1, day: 1).daysSince1970
    }
}

@Suite struct UTCDateTimeTextTests {
    @Test func iso8601() {
        #expect(UTCDateTime(secondsSince1970: 0).iso8601() == "1970-01-01T00:00:00Z")
        #expect(UTCDateTime(secondsSince1970: -1).iso8601(milliseconds: 999) == "1969-12-31T23:59:59.999Z")
        #expect(UTCDateTime(secondsSince1970: 951_782_400).iso8601(milliseconds: 5) == "2000-02-29T00:00:00.005Z")
        #expect(UTCDateTime(secondsSince1970: 253_402_300_799).iso8601(milliseconds: 0) == "9999-12-31T23:59:59.000Z")
        #expect(CivilDate(year: 812, month: 3, day: 4).iso8601 == "0812-03-04")
    }

    @Test func amzDateAndIMFFixdate() {
        let time = UTCDateTime(secondsSince1970: 1_440_938_160)
        #expect(time.amzDate == "20150830T123600Z")
        #expect(time.imfFixdate == "Sun, 30 Aug 2015 12:36:00 GMT")
        #expect(UTCDateTime(secondsSince1970: 1_795_744_871).imfFixdate == "Fri, 27 Nov 2026 02:01:11 GMT")
        #expect(UTCDateTime(secondsSince1970: 0).amzDate == "19700101T000000Z")
    }
}
