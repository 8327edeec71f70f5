using Shootout.Runner.Processes;

namespace Shootout.Runner.Cli;

/// <summary>The contenders of a run: each --contender, then each line of --contenders-file, checked.</summary>
internal static class ContenderSettings
{
    /// <summary>The contenders, or null and a one-line error naming the option.</summary>
    public static IReadOnlyList<ContenderLaunch>? Read(IEnumerable<string> options, string? file, out string? error)
    {
        error = null;
        var entries = options.Select(o => (Where: "--contender", Text: o)).ToList();
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                error = $"--contenders-file: no file at '{file}'";
                return null;
            }
            entries.AddRange(File.ReadAllLines(file)
                .Select((line, i) => (Where: $"--contenders-file {file}:{i + 1}", Text: line.Trim()))
                .Where(e => e.Text.Length > 0 && !e.Text.StartsWith('#')));
        }
        var contenders = new List<ContenderLaunch>();
        foreach (var (where, text) in entries)
        {
            if (ContenderLaunch.Parse(text, out var why) is not { } contender)
            {
                error = $"{where}: {why}";
                return null;
            }
            if (RunnerSettings.AllEngines.Contains(contender.Name) || Run.References.Names.Contains(contender.Name)
                || contenders.Any(c => c.Name == contender.Name))
            {
                error = $"{where}: the name '{contender.Name}' is taken (an engine, a reference or another contender)";
                return null;
            }
            contenders.Add(contender);
        }
        return contenders;
    }
}
