using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Shootout.Runner.Tests;

/// <summary>
/// Opens a local HTML file in headless Chromium (Debian's `chromium`) and returns the DOM after its scripts
/// ran, plus what Chromium logged (console errors appear there); measures its layout at a window width; takes
/// a screenshot. Chromium and its helpers are stopped in all cases.
/// </summary>
internal static partial class HeadlessChromium
{
    public sealed record Page(string Dom, string Log);

    public static string Executable =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException("chromium is not installed (Debian package 'chromium'; .ci/run installs it)");

    public static Page DumpDom(string htmlPath, int windowWidth = 1280) => Run(htmlPath, windowWidth, 1000, ["--dump-dom"]);

    /// <summary>A PNG of the page at <paramref name="windowWidth"/> × <paramref name="windowHeight"/> px.</summary>
    public static void Screenshot(string htmlPath, string pngPath, int windowWidth, int windowHeight) =>
        Run(htmlPath, windowWidth, windowHeight, ["--hide-scrollbars", $"--screenshot={pngPath}"]);

    /// <summary>
    /// The page's layout at <paramref name="windowWidth"/> px, measured by a script added at the end of a copy of it:
    /// the document's scroll width against its client width, and every pair of text labels in one SVG chart whose
    /// boxes on screen intersect (getBoundingClientRect: after rotations, unlike getBBox).
    /// </summary>
    public static (int ScrollWidth, int ClientWidth, IReadOnlyList<string> Overlaps) Layout(string htmlPath, int windowWidth)
    {
        const string script = """
            <script>(function(){
              var result = { scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, overlaps: [] };
              document.querySelectorAll('svg.chart').forEach(function (svg) {
                var boxes = Array.prototype.slice.call(svg.querySelectorAll('text'))
                  .filter(function (t) { return t.textContent.trim().length > 0; })
                  .map(function (t) { return { text: t.textContent.trim(), box: t.getBoundingClientRect() }; });
                for (var i = 0; i < boxes.length; i++)
                  for (var j = i + 1; j < boxes.length; j++) {
                    var a = boxes[i].box, b = boxes[j].box, slack = 0.5;
                    if (a.left < b.right - slack && b.left < a.right - slack && a.top < b.bottom - slack && b.top < a.bottom - slack)
                      result.overlaps.push(svg.getAttribute('data-chart') + ': "' + boxes[i].text + '" / "' + boxes[j].text + '"');
                  }
              });
              document.body.setAttribute('data-layout', JSON.stringify(result));
            })();</script>
            """;
        string copy = Path.Combine(Path.GetDirectoryName(htmlPath)!, "layout-" + Path.GetFileName(htmlPath));
        File.WriteAllText(copy, File.ReadAllText(htmlPath).Replace("</body>", script + "</body>", StringComparison.Ordinal));
        try
        {
            var page = Run(copy, windowWidth, 1000, ["--dump-dom"]);
            var match = LayoutAttribute().Match(page.Dom);
            if (!match.Success) throw new InvalidOperationException($"the layout script did not run:\n{page.Log}");
            var json = JsonNode.Parse(WebUtility.HtmlDecode(match.Groups["json"].Value))!;
            return (json["scrollWidth"]!.GetValue<int>(), json["clientWidth"]!.GetValue<int>(),
                json["overlaps"]!.AsArray().Select(o => o!.GetValue<string>()).ToList());
        }
        finally
        {
            File.Delete(copy);
        }
    }

    private static Page Run(string htmlPath, int windowWidth, int windowHeight, string[] action)
    {
        string profile = Directory.CreateTempSubdirectory("runner-test-chromium-").FullName;
        try
        {
            var (_, dom, log) = TestProcess.Run(Executable,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                $"--window-size={windowWidth},{windowHeight}", .. action, new Uri(htmlPath).AbsoluteUri,
            ], TimeSpan.FromSeconds(60));
            return new Page(dom, log);
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    [GeneratedRegex("data-layout=\"(?<json>[^\"]*)\"")]
    private static partial Regex LayoutAttribute();
}
