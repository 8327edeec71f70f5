using Spectre.Console;

namespace Shootout.Runner.Live;

/// <summary>Where progress goes: a live status line on a terminal, plain lines otherwise.</summary>
internal interface IRunView
{
    /// <summary>What is happening now (replaced by the next call); <paramref name="detail"/> changes often, the step rarely.</summary>
    void Status(string step, string detail = "");

    /// <summary>A line that stays: a finished step, a warning.</summary>
    void Line(string text);
}

internal sealed class PlainView(TextWriter output) : IRunView
{
    private string _last = "";

    public void Status(string step, string detail = "")
    {
        // Details change many times a second and would flood a log: print each step once.
        if (step == _last) return;
        _last = step;
        Line(step);
    }

    /// <summary>Where a plain line wraps: the width of the end-of-run tables, so a log reads in the same terminal.</summary>
    public const int Width = 120;

    public void Line(string text)
    {
        foreach (string line in Wrap($"[{DateTime.Now:HH:mm:ss}] {text}", Width, Indent))
            output.WriteLine(line);
        output.Flush();
    }

    /// <summary>A wrapped line continues under the text, past the time stamp.</summary>
    private const string Indent = "           ";

    /// <summary>
    /// <paramref name="text"/> in lines of at most <paramref name="width"/> characters, broken at spaces; later lines
    /// start with <paramref name="indent"/>. A word longer than a line (a path) is left whole on a line of its own.
    /// </summary>
    public static IEnumerable<string> Wrap(string text, int width, string indent)
    {
        string rest = text;
        string prefix = "";
        while (prefix.Length + rest.Length > width)
        {
            int room = width - prefix.Length;
            int cut = rest.LastIndexOf(' ', Math.Min(room, rest.Length - 1));
            if (cut <= 0) cut = rest.IndexOf(' ', room);
            if (cut <= 0) break;
            yield return prefix + rest[..cut];
            rest = rest[(cut + 1)..].TrimStart();
            prefix = indent;
        }
        yield return prefix + rest;
    }
}

internal sealed class LiveView(StatusContext context) : IRunView
{
    public void Status(string step, string detail = "") => context.Status(Markup.Escape(detail.Length == 0 ? step : $"{step}: {detail}"));

    public void Line(string text) => AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/] {Markup.Escape(text)}");

    /// <summary>Runs <paramref name="body"/> under a spinner with a status line.</summary>
    public static Task<T> RunAsync<T>(Func<IRunView, Task<T>> body) =>
        AnsiConsole.Status().Spinner(Spinner.Known.Dots).StartAsync("starting", ctx => body(new LiveView(ctx)));
}
