namespace Shootout.Runner.Tests;

/// <summary>
/// Opens a local HTML file in headless Chromium (Debian's `chromium`) and returns the DOM after its scripts
/// ran, plus what Chromium logged (console errors appear there). Chromium and its helpers are stopped in all cases.
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
        try
        {
            var (_, dom, log) = TestProcess.Run(Executable,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                "--dump-dom", new Uri(htmlPath).AbsoluteUri,
            ], TimeSpan.FromSeconds(60));
            return new Page(dom, log);
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
