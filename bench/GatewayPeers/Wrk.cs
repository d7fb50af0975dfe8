using System.Globalization;
using System.Text;
using TestInfrastructure;

namespace GatewayPeers;

/// <summary>Drives one target with Debian's wrk: closed loop, fixed connection count, the same POST body every time.</summary>
internal static class Wrk
{
    public static async Task<WrkResult> RunAsync(RunningTarget target, bool stream, int connections, TimeSpan duration, string scratch)
    {
        var script = Path.Combine(scratch, $"{target.Name}-{(stream ? "stream" : "json")}.lua");
        await File.WriteAllTextAsync(script, Script(target, stream));
        var threads = Math.Min(connections, 2);
        await using var wrk = ExternalProcess.Start("wrk",
            ["-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
             "-d", string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalSeconds}s"), "--latency", "--timeout", "10s", "-s", script, target.Url]);
        await wrk.WaitForExitAsync(duration + TimeSpan.FromSeconds(30));
        return WrkResult.Parse(wrk.Output);
    }

    private static string Script(RunningTarget target, bool stream)
    {
        var body = ChatRequestBody.For(target, stream);
        var lua = new StringBuilder();
        lua.AppendLine("wrk.method = \"POST\"");
        lua.AppendLine($"wrk.body = [[{body}]]");
        lua.AppendLine("wrk.headers[\"Content-Type\"] = \"application/json\"");
        foreach (var (name, value) in target.Headers)
        {
            lua.AppendLine($"wrk.headers[\"{name}\"] = [[{value}]]");
        }

        return lua.ToString();
    }
}
