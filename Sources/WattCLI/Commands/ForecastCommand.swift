import ArgumentParser
import Foundation
import WattEnergy

/// `watt forecast SERIES.csv`: loads a two-column time series (`time,value`, e.g. the grid
/// carbon-intensity files in examples/data/grid/), chooses a model per metric by rolling-origin
/// backtest, and prints the backtest table and the next forecast points with 80 % and 95 %
/// intervals (the logic is `ForecastSummary` in WattEnergy).
public enum ForecastCommand {
    public static func run(csv: String, horizonHours: Double, origins: Int = 60, trainingDays: Double = 28,
                           criterion: String = "mae", stepMinutes: Double? = nil) -> CommandOutput {
        guard horizonHours > 0, horizonHours.isFinite else {
            return CommandOutput(stderr: "error: --horizon must be a positive number of hours\n", exitCode: 2)
        }
        guard origins > 0, trainingDays > 0 else {
            return CommandOutput(stderr: "error: --origins and --training-days must be positive\n", exitCode: 2)
        }
        guard let criterion = Criterion(rawValue: criterion) else {
            return CommandOutput(stderr: "error: --criterion must be mae or mape\n", exitCode: 2)
        }
        let series: TimeSeries
        do {
            series = try GridCarbonCSV.load(path: csv, step: stepMinutes.map { $0 * 60 })
        } catch {
            return CommandOutput(stderr: "error: \(csv): \(error)\n", exitCode: 2)
        }
        let selector = ModelSelector(backtest: Backtest(trainingWindow: trainingDays * 86_400, origins: origins),
                                     criterion: criterion)
        do {
            let summary = try ForecastSummary(name: csv, series: series, horizon: horizonHours * 3600, selector: selector)
            return CommandOutput(stdout: summary.text)
        } catch {
            return CommandOutput(stderr: "error: \(csv): \(error)\n", exitCode: 1)
        }
    }
}

public struct Forecast: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Forecast a time series (CSV `time,value`): choose a model by backtest, print forecasts with intervals.")
    @Argument(help: "The series, e.g. examples/data/grid/ger_ci_2020.csv.") var csv: String
    @Option(help: "Hours ahead to forecast.") var horizon: Double = 6
    @Option(help: "Backtest origins, spread evenly over the series.") var origins: Int = 60
    @Option(help: "Training window in days.") var trainingDays: Double = 28
    @Option(help: "Model choice by mean mae or mape over the 1 h, 6 h and 24 h horizons.") var criterion: String = "mae"
    @Option(help: "Grid step in minutes (default: the most common spacing in the file).") var step: Double?
    public init() {}
    public func run() throws {
        let out = ForecastCommand.run(csv: csv, horizonHours: horizon, origins: origins, trainingDays: trainingDays,
                                      criterion: criterion, stepMinutes: step)
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}
