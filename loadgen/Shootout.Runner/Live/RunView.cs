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

    public void Line(string text)
    {
        // One line per event, never wrapped: scripts and tests read a figure and its unit from one line.
        output.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");
        output.Flush();
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
