using Shootout.Runner.Run;
using Spectre.Console;

namespace Shootout.Runner.Reports;

/// <summary>
/// The end of a run in the terminal: a few narrow tables (each within 120 columns), the notes once beneath
/// them, then the answer. The best in each column among the engines is marked.
/// </summary>
internal static class ConsoleTable
{
    /// <summary>Wide enough for every table with row names up to a contender's longest; a terminal narrower than that wraps.</summary>
    public const int Width = 120;

    public static void Print(RunSummary s, bool interactive) => Print(s, interactive ? AnsiConsole.Console : Plain(Console.Out));

    /// <summary>Text without colours or cursor movement, for a file, a pipe or a test, at <see cref="Width"/> columns.</summary>
    public static IAnsiConsole Plain(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Width;
        return console;
    }

    public static void Print(RunSummary s, IAnsiConsole console)
    {
        console.WriteLine();
        console.Write(new Rule($"Echo Server Shootout — {s.ConnectionsPerEngine:N0} idle connections per server, {s.Machine.Cores} cores").LeftJustified());
        foreach (var group in Columns.Groups) console.Write(Table(group, s));
        console.MarkupLine("[grey]* best in column among the engines.[/]");
        foreach (var note in TableNotes.For(s).Append(TableNotes.Quoted(s))) console.MarkupLine($"[grey]- {Markup.Escape(note)}[/]");

        var answer = Answer.Of(s);
        console.WriteLine();
        console.Write(new Rule("The answer").LeftJustified());
        foreach (var sentence in answer.Sentences) console.WriteLine(sentence);
        if (answer.Gaps.Count > 0)
        {
            console.WriteLine("Not measured, or not the server's alone:");
            foreach (var gap in answer.Gaps) console.MarkupLine($"[yellow]- {Markup.Escape(gap)}[/]");
        }
        console.Write(Table(Answer.Table, s));
    }

    private static Table Table(ColumnGroup group, RunSummary s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(group.Title));
        table.AddColumn("server");
        foreach (var c in group.Columns) table.AddColumn(new TableColumn(Markup.Escape(c.Header)).RightAligned());
        foreach (var r in s.Rows)
        {
            string name = Markup.Escape(r.Label);
            var cells = new List<string> { r.Status != "ok" ? $"[red]{name} ✗[/]" : r.IsReference || r.IsContender ? $"[grey]{name}[/]" : name };
            foreach (var c in group.Columns)
                cells.Add(c.IsBest(r, s.Engines) ? $"[bold green]{Markup.Escape(c.Text(r))}*[/]" : Markup.Escape(c.Text(r)));
            table.AddRow(cells.ToArray());
        }
        return table;
    }
}
