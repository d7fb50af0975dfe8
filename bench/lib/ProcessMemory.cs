using System.Globalization;

/// <summary>Resident memory of a process and its children (nginx serves from worker processes), read from /proc.</summary>
internal static class ProcessMemory
{
    public static long ResidentBytes(IEnumerable<int> roots)
    {
        long total = 0;
        foreach (var pid in roots.SelectMany(Tree).Distinct())
        {
            total += Kilobytes(pid, "VmRSS:") * 1024;
        }

        return total;
    }

    /// <summary>The process and its descendants.</summary>
    internal static IEnumerable<int> Tree(int pid)
    {
        yield return pid;
        var children = $"/proc/{pid}/task/{pid}/children";
        if (!File.Exists(children))
        {
            yield break;
        }

        foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var descendant in Tree(int.Parse(child, CultureInfo.InvariantCulture)))
            {
                yield return descendant;
            }
        }
    }

    private static long Kilobytes(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
