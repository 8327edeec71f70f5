using System.Globalization;
using System.Text;

namespace Shootout.LoadGen.Reports;

/// <summary>DIR/report.csv with NBomber's columns (latencies in milliseconds, as NBomber writes them).</summary>
internal static class CsvReport
{
    public const string Header =
        "test_suite,test_name,scenario,duration,step_name,request_count,ok,failed,rps,min,mean,max," +
        "50_percent,75_percent,95_percent,99_percent,std_dev,data_transfer_min_kb,data_transfer_mean_kb," +
        "data_transfer_max_kb,data_transfer_all_mb";

    public static string Write(RunResult r)
    {
        var sb = new StringBuilder().Append(Header).Append('\n');
        var duration = TimeSpan.FromSeconds(Math.Round(r.Totals.MeasuredSeconds)).ToString("c", CultureInfo.InvariantCulture);
        foreach (var s in r.Steps)
        {
            double kb = s.BytesPerRequest / 1024.0;
            string[] cells =
            [
                "shootout", r.Plan.TargetLabel, r.Plan.ScenarioName, duration, s.Name,
                N(s.Requests), N(s.Ok), N(s.Failed), F(s.Rps),
                Ms(s.Min), Ms(s.Mean), Ms(s.Max), Ms(s.P(50)), Ms(s.P(75)), Ms(s.P(95)), Ms(s.P(99)), Ms(s.StdDev),
                F(kb), F(kb), F(kb), F(s.BytesAll / 1048576.0),
            ];
            sb.AppendJoin(',', cells.Select(Quote)).Append('\n');
        }
        return sb.ToString();
    }

    private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
    private static string Ms(double micros) => (micros / 1000).ToString("0.###", CultureInfo.InvariantCulture);
    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n']) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"") + "\"";
}
