using System.Globalization;
using Shootout.Runner.Run;
using Spectre.Console;

namespace Shootout.Runner.Reports;

/// <summary>The final comparison in the terminal: engines × measurements, the best in each column marked.</summary>
internal static class ConsoleTable
{
    public static void Print(RunSummary s, bool interactive)
    {
        var console = interactive ? AnsiConsole.Console : AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(Console.Out),
            Interactive = InteractionSupport.No,
        });
        // Written to a file or a pipe, the table keeps one line per row however many columns it has: Spectre would
        // otherwise wrap it at 80 columns (a cell split over lines can't be read back, by a person or a grep).
        if (!interactive) console.Profile.Width = 1000;

        var table = new Table().Border(TableBorder.Rounded)
            .Title($"Echo Server Shootout — {s.ConnectionsPerEngine:N0} idle connections per engine, {s.Machine.Cores} cores")
            .Caption("* best in column. user B/conn = Σ(RSS − baseline after warm-up) / held; kernel B/conn = slab growth / held (both loopback " +
                     "ends' sockets)");
        table.AddColumn("engine");
        foreach (var c in Columns.All) table.AddColumn(new TableColumn(Markup.Escape(c.Header)).RightAligned());
        table.AddColumn("status");
        foreach (var r in s.Rows)
        {
            var cells = new List<string> { r.IsReference ? $"[grey]{Markup.Escape(r.Label)}[/]" : Markup.Escape(r.Label) };
            foreach (var c in Columns.All)
                cells.Add(c.IsBest(r, s.Engines) ? $"[bold green]{Markup.Escape(c.Text(r))} *[/]" : Markup.Escape(c.Text(r)));
            cells.Add(r.Status != "ok" ? $"[red]{Markup.Escape(r.StatusText)}[/]"
                : r.Limit is null && r.Hints.Count == 0 ? "[green]ok[/]"
                : $"[yellow]{Markup.Escape(r.StatusText)}[/]");
            table.AddRow(cells.ToArray());
        }
        foreach (var (name, unit, bytes) in Reference.Points)
        {
            var cells = new List<string> { $"[grey]{Markup.Escape(name)} (seed)[/]" };
            foreach (var c in Columns.All)
                cells.Add(c.Header == "user B/conn" ? $"[grey]{bytes.ToString("N0", CultureInfo.InvariantCulture)}[/]" : "");
            cells.Add($"[grey]quoted, not measured here: {bytes / 1024:0.0} KB per {unit}[/]");
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
    }
}
