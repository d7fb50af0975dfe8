namespace TraceUi.Traces;

/// <summary>An observation in tree order with its depth, so the tree and the timeline render as rows side by side.</summary>
public sealed record TreeRow(ObservationOutline Observation, int Depth, bool HasChildren);

public static class ObservationTree
{
    /// <summary>
    /// Depth-first, children by start time. Observations whose parent is missing (not yet ingested, or in another
    /// trace) are shown at the root rather than lost; a parent cycle cannot loop because each row is visited once.
    /// </summary>
    public static IReadOnlyList<TreeRow> Flatten(IReadOnlyList<ObservationOutline> observations)
    {
        var ids = observations.Select(o => o.Id).ToHashSet(StringComparer.Ordinal);
        var children = observations
            .Where(o => o.ParentId is not null && ids.Contains(o.ParentId) && o.ParentId != o.Id)
            .GroupBy(o => o.ParentId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(o => o.StartTime).ThenBy(o => o.Id, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var roots = observations.Where(o => o.ParentId is null || !ids.Contains(o.ParentId) || o.ParentId == o.Id).OrderBy(o => o.StartTime);

        var rows = new List<TreeRow>(observations.Count);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<(ObservationOutline Observation, int Depth)>(roots.Reverse().Select(r => (r, 0)));
        while (stack.Count > 0)
        {
            var (observation, depth) = stack.Pop();
            if (!visited.Add(observation.Id))
            {
                continue;
            }

            var own = children.GetValueOrDefault(observation.Id);
            rows.Add(new TreeRow(observation, depth, own is { Count: > 0 }));
            for (var i = (own?.Count ?? 0) - 1; i >= 0; i--)
            {
                stack.Push((own![i], depth + 1));
            }
        }

        // Members of a parent cycle have no root above them; show them at the root rather than drop them.
        rows.AddRange(observations.Where(o => !visited.Contains(o.Id)).Select(o => new TreeRow(o, 0, false)));
        return rows;
    }
}
