using Customer360.Streaming.Testing;
using Microsoft.Playwright;

namespace Customer360.Streaming.IntegrationTests.Web;

/// <summary>
/// Debian's Chromium driven by Playwright (its own browser download cannot work here, so it is launched from
/// <c>ExecutablePath</c>), and where the tests' screenshots go: <c>artifacts/screenshots/</c> in the repository.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryLayout.Root, "artifacts", "screenshots");

    /// <summary>Starts a headless Chromium, or skips the test (saying what to install) when the machine has none.</summary>
    public static async Task<Chromium> StartAsync()
    {
        var executable = ExternalTools.Find("chromium") ?? ExternalTools.Find("chromium-browser");
        if (executable is null)
        {
            TestRunReport.Note("Browser tests skipped: " + ExternalTools.InstallHint("chromium"));
            Assert.Skip(ExternalTools.InstallHint("chromium"));
        }

        var playwright = await Playwright.CreateAsync();
        // --no-sandbox: CI and this machine run as root, where Chromium's sandbox refuses to start.
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = executable, Headless = true, Args = ["--no-sandbox"] });
        return new Chromium(playwright, browser);
    }

    /// <summary>Saves the page as <c>artifacts/screenshots/&lt;name&gt;.png</c> and returns the path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
