using System.Text.Json;
using Relucent.Testing;

namespace Relucent.Samples.Tests;

/// <summary>
/// Debian's <c>chromium</c>, headless, to look at a page as a person would. The first test that needs it installs it
/// with apt-get when it is missing (tests run as root on CI and on the development machines; elsewhere the failure
/// says what to install). Every run gets a fresh profile and no network, sync, update or first-run traffic.
/// </summary>
public static class Chromium
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    private static readonly string[] Packages = ["chromium", "fonts-dejavu-core"];
    private static readonly Lazy<string> s_executable = new(FindOrInstall, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The browser's path, installing it first if needed.</summary>
    public static string Executable => s_executable.Value;

    /// <summary>The page's DOM once it has loaded and its scripts have run (<c>--dump-dom</c>).</summary>
    public static string DumpDom(string html, string scratch) =>
        Run(scratch, "--virtual-time-budget=10000", "--dump-dom", new Uri(html).AbsoluteUri).Output;

    /// <summary>Takes a screenshot of the page, <paramref name="width"/> × <paramref name="height"/> CSS pixels, into <paramref name="png"/>.</summary>
    public static void Screenshot(string html, string png, int width, int height, string scratch)
    {
        CommandResult result = Run(scratch, "--virtual-time-budget=10000", "--hide-scrollbars", $"--window-size={width},{height}", $"--screenshot={png}", new Uri(html).AbsoluteUri);
        Assert.True(File.Exists(png), "chromium wrote no screenshot.\n" + result.Describe());
    }

    /// <summary>
    /// What a person would see of every picture and title of <paramref name="html"/>: a copy of the page with a script
    /// that, once the page has loaded, records each image (decoded, its size, shown) and each heading and figure title
    /// (shown), read back from the page's DOM.
    /// </summary>
    public static PageCheck Inspect(string html, string scratch)
    {
        const string Marker = "relucent-page-check";
        string script = $$"""
            <script>
            window.addEventListener('load', () => {
              const shown = e => e.getClientRects().length > 0 && e.offsetWidth > 0 && e.offsetHeight > 0;
              const check = {
                images: [...document.images].map(i => ({ alt: i.alt, loaded: i.complete && i.naturalWidth > 0, naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight, width: i.width, height: i.height, shown: shown(i) })),
                titles: [...document.querySelectorAll('figcaption .title')].map(t => ({ text: t.textContent, shown: shown(t) })),
                headings: [...document.querySelectorAll('h1, h2')].map(h => ({ text: h.textContent, shown: shown(h) })),
                tables: document.querySelectorAll('table').length,
              };
              const pre = document.createElement('pre');
              pre.id = '{{Marker}}';
              pre.textContent = JSON.stringify(check);
              document.body.appendChild(pre);
            });
            </script>
            """;
        string page = File.ReadAllText(html);
        int end = page.LastIndexOf("</body>", StringComparison.Ordinal);
        Assert.True(end >= 0, $"{html} has no </body>.");
        string copy = Path.Combine(scratch, Path.GetFileNameWithoutExtension(html) + ".checked.html");
        File.WriteAllText(copy, page[..end] + script + page[end..]);

        string dom = DumpDom(copy, scratch);
        int start = dom.IndexOf($"<pre id=\"{Marker}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "The page's check did not run: no result in the DOM chromium dumped.\n" + (dom.Length > 4000 ? dom[..4000] : dom));
        start = dom.IndexOf('>', start) + 1;
        string json = System.Net.WebUtility.HtmlDecode(dom[start..dom.IndexOf("</pre>", start, StringComparison.Ordinal)]);
        return JsonSerializer.Deserialize<PageCheck>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    private static CommandResult Run(string scratch, params string[] arguments)
    {
        string profile = Path.Combine(scratch, "chromium-profile-" + Guid.NewGuid().ToString("N")[..8]);
        string[] flags =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile}",
        ];
        CommandResult result = Commands.Run(Executable, [.. flags, .. arguments], scratch, RunTimeout);
        Assert.True(result.Succeeded, "chromium failed.\n" + result.Describe());
        return result;
    }

    private static string FindOrInstall()
    {
        string? found = Find();
        if (found != null) return found;

        string user = Commands.Run("id", ["-u"], Path.GetTempPath(), TimeSpan.FromSeconds(30)).Output.Trim();
        if (user != "0")
        {
            throw new InvalidOperationException($"The browser tests need Debian's chromium; install it with `sudo apt-get install -y --no-install-recommends {string.Join(' ', Packages)}`.");
        }

        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        string[] wait = ["-o", "DPkg::Lock::Timeout=600"]; // another apt run holding the lock is waited for, not failed on
        CommandResult update = Commands.Run("apt-get", [.. wait, "update"], Path.GetTempPath(), InstallTimeout, environment);
        CommandResult install = Commands.Run("apt-get", [.. wait, "install", "-y", "--no-install-recommends", .. Packages], Path.GetTempPath(), InstallTimeout, environment);
        return Find() ?? throw new InvalidOperationException("Installing chromium failed.\n" + update.Describe() + "\n" + install.Describe());
    }

    private static string? Find()
    {
        IEnumerable<string> folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin");
        return folders.Select(f => Path.Combine(f, "chromium")).FirstOrDefault(File.Exists);
    }
}

/// <summary>What <see cref="Chromium.Inspect"/> read back from a loaded page.</summary>
public sealed record PageCheck(PageImage[] Images, PageText[] Titles, PageText[] Headings, int Tables);

/// <summary>An image of the page: its alternative text, whether it decoded, its own and its shown size, whether it is shown.</summary>
public sealed record PageImage(string Alt, bool Loaded, int NaturalWidth, int NaturalHeight, int Width, int Height, bool Shown);

/// <summary>A text of the page and whether it is shown.</summary>
public sealed record PageText(string Text, bool Shown);
