import Foundation
import Testing
@testable import WattEnergy

/// `DayTypeProfileModel`: workday and weekend profiles plus an AR(2) anomaly.
@Suite struct DayTypeProfileModelTests {
    /// Workdays: a daily cycle; weekends: the same 60 lower around midday (as a grid with less
    /// demand at weekends).
    static func shape(_ t: Double) -> Double {
        let daily = 300 + 80 * sin(2 * .pi * t / 86_400)
        let midday = exp(-pow((t.truncatingRemainder(dividingBy: 86_400) - 43_200) / 10_800, 2))
        return DayTypeProfileModel.dayType(t) == 1 ? daily - 60 * midday : daily
    }

    /// `shape` plus an AR(2) anomaly `a_t = phi1 a_{t-1} + phi2 a_{t-2} + sigma e_t`, every 30 min
    /// from Monday 2020-09-14.
    static func autoregressive(days: Int, phi1: Double, phi2: Double, sigma: Double, seed: UInt64) -> TimeSeries {
        var rng = SeededNormal(seed: seed)
        let start = 1_600_041_600.0
        var a0 = 0.0, a1 = 0.0
        let values = (0..<(48 * days)).map { i -> Double in
            let next = phi1 * a1 + phi2 * a0 + sigma * rng.next()
            (a0, a1) = (a1, next)
            return shape(start + Double(i) * 1800) + next
        }
        return TimeSeries(start: start, step: 1800, values: values)
    }

    @Test func dayTypesAreUTCWorkdaysAndWeekends() {
        let monday = 1_600_041_600.0
        let types: [Int] = (0..<7).map { (day: Int) -> Int in DayTypeProfileModel.dayType(monday + Double(day) * 86_400 + 3600) }
        #expect(types == [0, 0, 0, 0, 0, 1, 1])
        #expect(DayTypeProfileModel.dayType(monday - 1) == 1)   // Sunday 23:59:59
        #expect(DayTypeProfileModel.dayType(.nan) == 0 && DayTypeProfileModel.dayType(.infinity) == 0)
    }

    /// A known AR(2) anomaly (momentum: a rise keeps rising, then settles) on top of the
    /// day-type profile: the least-squares coefficients come back within a few hundredths.
    @Test func fitsAKnownAutoregressiveAnomaly() throws {
        let series = Self.autoregressive(days: 70, phi1: 1.3, phi2: -0.45, sigma: 4, seed: 11)
        var model = DayTypeProfileModel()
        try model.fit(series)
        #expect(abs(model.phi1 - 1.3) < 0.05, "phi1 \(model.phi1)")
        #expect(abs(model.phi2 + 0.45) < 0.05, "phi2 \(model.phi2)")
        // Without noise the anomaly is zero and the forecast is the profile of the day type.
        var exact = DayTypeProfileModel()
        try exact.fit(makeSeries(start: 1_600_041_600, step: 1800, count: 48 * 21, Self.shape))
        let f = exact.forecast(steps: 7 * 48)
        let expected: [Double] = (1...(7 * 48)).map { (h: Int) -> Double in Self.shape(f.origin + Double(h) * 1800) }
        #expect(close(f.values, expected, 1e-6))
    }

    /// The anomaly's momentum: after a shock the AR(2) forecast keeps moving the way the
    /// last steps moved, which a profile with a decaying AR(1) anomaly cannot do; and on a
    /// weekend the day-type profile knows the midday dip that one profile averages away. Over
    /// every origin of the last week, the model's 1-day forecasts beat the daily profile's.
    @Test func beatsTheOneProfileModelWhereDaysDifferAndAnomaliesCarryMomentum() throws {
        let series = Self.autoregressive(days: 42, phi1: 1.3, phi2: -0.45, sigma: 4, seed: 5)
        let train = 28 * 48
        var dayType = DayTypeProfileModel(), daily = DailyProfileModel()
        try dayType.fit(series[0..<train])
        try daily.fit(series[0..<train])
        var errors = (dayType: 0.0, daily: 0.0)
        for o in stride(from: train, to: series.count - 48, by: 5) {
            let window = series[(o - train)..<o]
            try dayType.update(window)
            try daily.update(window)
            let a = dayType.forecast(steps: 48).values, b = daily.forecast(steps: 48).values
            for h in 0..<48 {
                errors.dayType += abs(series.values[o + h] - a[h])
                errors.daily += abs(series.values[o + h] - b[h])
            }
        }
        #expect(errors.dayType < 0.8 * errors.daily, "\(errors)")
    }

    @Test func badInputIsAnErrorNotACrash() throws {
        var model = DayTypeProfileModel()
        // A step that does not divide a day, a series shorter than a day, an update before a fit.
        #expect(throws: ForecastError.self) { try model.fit(makeSeries(step: 7 * 60 + 1, count: 500) { $0 }) }
        #expect(throws: ForecastError.self) { try model.fit(makeSeries(step: 1800, count: 40) { _ in 1 }) }
        #expect(throws: ForecastError.notFitted) { try model.update(makeSeries(step: 1800, count: 100) { _ in 1 }) }
        #expect(model.forecast(steps: 3).values.allSatisfy { $0.isNaN })
        // Mostly gaps.
        let gaps = TimeSeries(start: 1_600_041_600, step: 1800, values: [Double](repeating: .nan, count: 96))
        #expect(throws: ForecastError.self) { try model.fit(gaps) }
        // Fitted, then updated with another step or with nothing finite.
        try model.fit(Self.autoregressive(days: 10, phi1: 0.8, phi2: 0, sigma: 1, seed: 2))
        #expect(throws: ForecastError.self) { try model.update(makeSeries(step: 900, count: 200) { _ in 1 }) }
        #expect(throws: ForecastError.self) { try model.update(gaps) }
    }

    /// Gaps (inside and at the end), a window without a weekend, a constant series (a singular
    /// AR system) and an explosive one: every forecast and standard error is finite.
    @Test func forecastsAreAlwaysFinite() throws {
        var series = Self.autoregressive(days: 15, phi1: 1.3, phi2: -0.45, sigma: 4, seed: 7)
        for i in stride(from: 3, to: series.count, by: 11) { series.values[i] = .nan }
        for i in (series.count - 5)..<series.count { series.values[i] = .nan }
        let cases: [TimeSeries] = [
            series,
            series[0..<(5 * 48)],                                                  // Monday to Friday only
            makeSeries(start: 1_600_041_600, step: 1800, count: 48 * 8) { _ in 42 },
            makeSeries(start: 1_600_041_600, step: 1800, count: 48 * 8) { pow(1.01, ($0 - 1_600_041_600) / 1800) },
        ]
        for s in cases {
            var model = DayTypeProfileModel()
            try model.fit(s)
            let f = model.forecast(steps: 5 * 48)
            #expect(f.values.allSatisfy { $0.isFinite })
            #expect(f.standardErrors.allSatisfy { $0.isFinite })
            // Coefficients are stationary (or the AR(1) fallback).
            let (p1, p2) = (model.phi1, model.phi2)
            #expect(abs(p2) < 1)
            #expect(p1 + p2 < 1)
            #expect(p2 - p1 < 1)
        }
        // A window of weekdays forecasts the weekend with the all-days profile.
        var weekdays = DayTypeProfileModel()
        try weekdays.fit(makeSeries(start: 1_600_041_600, step: 1800, count: 48 * 5, Self.shape))
        let weekend = weekdays.forecast(steps: 2 * 48)
        let allDays: [Double] = (1...(2 * 48)).map { (h: Int) -> Double in
            let t = weekend.origin + Double(h) * 1800
            return 300 + 80 * sin(2 * .pi * t / 86_400)
        }
        #expect(close(weekend.values, allDays, 1e-6))
    }

    /// Through the loop's forecaster (`SeriesForecaster`, calibrated on the model's own
    /// out-of-sample errors), the 80 % intervals cover 75 to 85 % of a held-out fortnight.
    @Test func intervalsAreCalibratedByTheLoop() throws {
        let series = Self.autoregressive(days: 49, phi1: 1.3, phi2: -0.45, sigma: 4, seed: 3)
        var settings = ForecastSettings.defaults(for: "grid.carbon_intensity")
        settings.models = ["daytype-profile"]
        settings.horizons = [3600, 6 * 3600]
        settings.trainingWindows = [14 * 86_400]
        settings.history = 28 * 86_400
        let replay = ForecastReplay(metric: "grid.carbon_intensity", settings: settings, every: 3600, nightly: nil)
        let report = replay.run(series, from: series.end - 14 * 86_400)
        try IntervalCalibrationTests.expectCalibrated(report)
        #expect(report.chosen.first?.model.hasPrefix("daytype-profile (") == true)
    }
}
