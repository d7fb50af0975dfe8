using System.Globalization;

/// <summary>
/// CPU time (user + system) a process and its children have used, read from /proc: taken before and after a run it
/// gives the CPU each request cost, which a busy machine slows but does not inflate the way it inflates latency.
/// </summary>
internal static class ProcessCpu
{
    // USER_HZ: /proc reports CPU time in these ticks on every Linux architecture .NET runs on.
    public const double TicksPerSecond = 100;

    public static double Seconds(IEnumerable<int> roots)
    {
        long ticks = 0;
        foreach (var pid in roots.SelectMany(ProcessMemory.Tree).Distinct())
        {
            ticks += Ticks(pid);
        }

        return ticks / TicksPerSecond;
    }

    private static long Ticks(int pid)
    {
        try
        {
            return TicksOf(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>User + system ticks of one <c>/proc/…/stat</c> line (a process's or a thread's).</summary>
    public static long TicksOf(string stat)
    {
        // Fields after the command name (which may hold spaces): state is the 3rd field, utime the 14th, stime the 15th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
