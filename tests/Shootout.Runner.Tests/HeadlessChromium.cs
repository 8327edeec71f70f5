using System.Diagnostics;

namespace Shootout.Runner.Tests;

/// <summary>
/// Opens a local HTML file in headless Chromium (Debian's `chromium`) and returns the DOM after its scripts
/// ran, plus what Chromium logged (console errors appear there). Chromium is stopped by PID in all cases.
/// </summary>
internal static class HeadlessChromium
{
    public sealed record Page(string Dom, string Log);

    public static string Executable =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException("chromium is not installed (Debian package 'chromium'; .ci/run installs it)");

    public static Page DumpDom(string htmlPath)
    {
        string profile = Directory.CreateTempSubdirectory("runner-test-chromium-").FullName;
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                     "--dump-dom", new Uri(htmlPath).AbsoluteUri,
                 })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
                throw new TimeoutException("chromium --dump-dom did not finish within 60 s");
            p.WaitForExit();
            return new Page(stdout.Result, stderr.Result);
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
