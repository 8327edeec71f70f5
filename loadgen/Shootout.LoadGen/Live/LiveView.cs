using System.Globalization;
using Shootout.LoadGen.Stats;
using Spectre.Console;

namespace Shootout.LoadGen.Live;

/// <summary>Shows the run while it goes: a Spectre.Console table on a terminal, one plain line a second
/// otherwise (so logs of CI and of the runner stay readable).</summary>
internal sealed class LiveView(RunAggregate totals, string title, bool interactive, TextWriter plainOut, Func<string?> thresholds)
{
    public async Task RunAsync(CancellationToken done)
    {
        if (interactive)
        {
            try
            {
                await AnsiConsole.Live(Render()).AutoClear(false).StartAsync(async ctx =>
                {
                    while (!done.IsCancellationRequested)
                    {
                        try { await Task.Delay(500, done); } catch (OperationCanceledException) { }
                        ctx.UpdateTarget(Render());
                    }
                });
            }
            catch (InvalidOperationException) { await PlainAsync(done); }
            return;
        }
        await PlainAsync(done);
    }

    private async Task PlainAsync(CancellationToken done)
    {
        int lastSeq = -1;
        while (!done.IsCancellationRequested)
        {
            try { await Task.Delay(1000, done); } catch (OperationCanceledException) { return; }
            var p = totals.LastPoint;
            if (p is null || p.Seq == lastSeq) continue;
            lastSeq = p.Seq;
            plainOut.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{p.Seq + 1,4}s] open {totals.Alive} est {totals.Established} conn-fail {totals.ConnectFailed} | ok/s {p.Ok} fail/s {p.Failed} | "
                + $"p50 {p.P50}us p99 {p.P99}us max {p.Max}us | errors {Errors()}{(thresholds() is { } t ? " | " + t : "")}"));
            plainOut.Flush();
        }
    }

    private string Errors()
    {
        var errors = totals.ErrorsSnapshot();
        return errors.Length == 0 ? "0" : string.Join(",", errors.Select(e => $"{e.Key}={e.Value}"));
    }

    private Table Render()
    {
        var p = totals.LastPoint;
        var table = new Table().Title(Markup.Escape(title))
            .AddColumns("open", "established", "conn failed", "ok/s", "failed/s", "p50 µs", "p99 µs", "max µs", "errors");
        if (thresholds() is { } t) table.Caption(Markup.Escape(t));
        table.AddRow(totals.Alive.ToString(), totals.Established.ToString(), totals.ConnectFailed.ToString(),
            (p?.Ok ?? 0).ToString(), (p?.Failed ?? 0).ToString(), (p?.P50 ?? 0).ToString(), (p?.P99 ?? 0).ToString(),
            (p?.Max ?? 0).ToString(), Markup.Escape(Errors()));
        return table;
    }
}
