namespace GatewayPeers;

/// <summary>What every report here shares: its two files, Markdown and PNG.</summary>
internal static class ReportFiles
{
    /// <summary>Writes <c>prefix.png</c> with <paramref name="writePlot"/> (false: no plot), then <c>prefix.md</c> with <paramref name="markdown"/>(png file name, plotted).</summary>
    public static async Task WriteAsync(string outputPrefix, Func<string, Task<bool>> writePlot, Func<string, bool, string> markdown)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPrefix))!);
        var plotted = await writePlot(outputPrefix);
        await File.WriteAllTextAsync(outputPrefix + ".md", markdown(Path.GetFileName(outputPrefix) + ".png", plotted));
    }
}
