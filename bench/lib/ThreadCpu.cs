/// <summary>
/// This process's CPU seconds by thread name (user + system, from <c>/proc/self/task/*/stat</c>), so a run can say
/// whether the managed side (.NET thread pool, GC) or the embedded engine's threads take the growing share. A thread
/// that ended before a reading is missing from it, so differences are a lower bound for short-lived threads.
/// </summary>
internal static class ThreadCpu
{
    public static Dictionary<string, double> SecondsByName()
    {
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

            // "tid (comm) state ..." — comm may hold spaces and parentheses, so it ends at the last ')'.
            var name = GroupName(stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..stat.LastIndexOf(')')]);
            byName[name] = byName.GetValueOrDefault(name) + ProcessCpu.TicksOf(stat) / ProcessCpu.TicksPerSecond;
        }

        return byName;
    }

    /// <summary>Thread names that differ only by a number (".NET TP Worker", "QueryPipelineEx3") count as one.</summary>
    private static string GroupName(string comm) => comm.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9').TrimEnd();
}
