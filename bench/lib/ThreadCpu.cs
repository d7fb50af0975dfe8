using System.Globalization;

/// <summary>
/// This process's CPU seconds by thread name (user + system, from <c>/proc/self/task/*/stat</c>), so a run can say
/// whether the managed side (.NET thread pool, GC) or the embedded engine's threads take the growing share. A thread
/// that ended before a reading is missing from it, so differences are a lower bound for short-lived threads.
/// </summary>
internal static class ThreadCpu
{
    public static Dictionary<string, double> SecondsByName()
    {
        var ticksPerSecond = 100.0; // USER_HZ on Linux
        var byName = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended while listing
            }

            // "tid (comm) state ..." — comm may hold spaces and parentheses, so split at the last ')'.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var name = GroupName(stat[(open + 1)..close]);
            var fields = stat[(close + 2)..].Split(' ');
            var seconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ticksPerSecond;
            byName[name] = byName.GetValueOrDefault(name) + seconds;
        }

        return byName;
    }

    /// <summary>Thread names that differ only by a number (".NET TP Worker", "QueryPipelineEx3") count as one.</summary>
    private static string GroupName(string comm) => comm.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9').TrimEnd();
}
