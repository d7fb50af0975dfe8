using Microsoft.Playwright;

namespace TraceUi.Tests;

/// <summary>
/// One seeded host and one headless Debian Chromium for the browser tests of a class. Playwright's bundled driver
/// runs the machine's <c>/usr/bin/chromium</c>; with background networking, sync and component updates off it never
/// reaches for the network.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly TemporaryDirectory _data = new("ui-browser-");
    private IPlaywright? _playwright;

    internal TestWebHost Host { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: <c>TestResults/screenshots</c> at the repository root (scripts/test.sh's results directory).</summary>
    public static string ScreenshotDirectory { get; } = Directory.CreateDirectory(Path.Combine(RepositoryRoot(), "TestResults", "screenshots")).FullName;

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: install Debian's chromium package (scripts/test.sh does).");
        Host = await UiHost.StartAsync(_data, withGateway: true);
        await SeededTraces.SeedAsync(new TraceSeeder(Host));
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A page in a fresh browser context (no cookies) at a desktop size on the fixture's host, its dialogs recorded and dismissed.</summary>
    public Task<(IPage Page, List<string> Dialogs)> NewPageAsync() => NewPageAsync(Host.BaseAddress);

    /// <summary>The same on another TraceUi host, one a test started itself.</summary>
    public async Task<(IPage Page, List<string> Dialogs)> NewPageAsync(Uri baseAddress)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        // A loaded machine (CI shares two cores) can take seconds per page; the default 30 s is too tight for a whole test.
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        var page = await context.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
        return (page, dialogs);
    }

    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/sign-in");
        await page.FillAsync("input[name=Email]", email);
        await page.FillAsync("input[name=Password]", password);
        await page.ClickAsync("button[type=submit]");
        // A refused sign-in comes back to the sign-in page at once: fail then, not when the wait for another page times out.
        await WaitForPageAsync(page, "url => !url.pathname.endsWith('/sign-in') || url.searchParams.has('failed')");
        if (new Uri(page.Url).AbsolutePath.EndsWith("/sign-in", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Signing in as {email} was refused: {page.Url}");
        }
    }

    /// <summary>
    /// Waits until the page shows a parsed document whose address passes <paramref name="urlTest"/>, a JavaScript
    /// function of a <c>URL</c>. Pages are rendered on the server whole and every link and form loads a new document,
    /// so a navigation is done once the document is parsed.
    /// </summary>
    /// <remarks>
    /// The page is asked, so it does not matter whether the navigation ended before the wait began (a click already
    /// waits for the navigation it starts to commit). Playwright .NET's <c>WaitForURLAsync</c> with a load state is
    /// not used: it checks the load states seen so far and then subscribes to the next one, on the test's thread, while
    /// the driver's events arrive on another; a DOMContentLoaded landing in between is lost and the wait times out on
    /// a loaded page.
    /// </remarks>
    public static async Task WaitForPageAsync(IPage page, string urlTest) =>
        await page.WaitForFunctionAsync($"() => document.readyState !== 'loading' && ({urlTest})(new URL(location.href))");

    /// <summary>Saves the whole page as <c>{name}.png</c> in <see cref="ScreenshotDirectory"/>, for people to look at.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var options = new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}.png"), FullPage = true };
        try
        {
            await page.ScreenshotAsync(options);
        }
        catch (PlaywrightException error) when (error.Message.Contains(UncapturedFrame, StringComparison.Ordinal))
        {
            // Chromium answers so when the page's compositor has no frame to copy yet, as just after a navigation on a
            // loaded machine; once two animation frames have passed, one has been drawn.
            try
            {
                await page.EvaluateAsync("() => new Promise(drawn => requestAnimationFrame(() => requestAnimationFrame(drawn)))");
                await page.ScreenshotAsync(options);
            }
            catch (PlaywrightException again) when (again.Message.Contains(UncapturedFrame, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Chromium could not capture the screenshot '{name}' of {page.Url}, twice in a row.", again);
            }
        }
    }

    /// <summary>What Chromium answers when its compositor gives no frame to copy.</summary>
    private const string UncapturedFrame = "Unable to capture screenshot";

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Host.DisposeAsync();
        _data.Dispose();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        return AppContext.BaseDirectory;
    }
}
