using ClickHouse.Driver.ADO.Parameters;
using ClickHouse.Driver.Utility;

namespace Storage.TraceStore.Queries;

/// <summary>
/// The conditions of a read query, always scoped to one project, with every value passed as a typed server-side
/// parameter (never spliced into the SQL text). Conditions on fields that never change after a row's first version
/// (<see cref="WhenFixed"/>) are applied before deduplication, where they can use the sort key; the others after it,
/// so they test the latest version only.
/// </summary>
public sealed class SqlFilter
{
    private readonly List<string> _fixed = ["project_id = {project:String}"];
    private readonly List<string> _latest = ["is_deleted = 0"];
    private int _next;

    public SqlFilter(string projectId) => Parameters.AddParameter("project", projectId);

    public ClickHouseParameterCollection Parameters { get; } = new();

    public string FixedWhere => string.Join(" AND ", _fixed);

    public string LatestWhere => string.Join(" AND ", _latest);

    /// <summary>Adds a condition on a field that may change between versions; <c>@</c> stands for the value.</summary>
    public SqlFilter When(object? value, string type, string sql) => Add(_latest, value, type, sql);

    /// <summary>Adds a condition without a value on the latest version, e.g. <c>session_id IS NOT NULL</c>.</summary>
    public SqlFilter Require(string condition)
    {
        _latest.Add(condition);
        return this;
    }

    /// <summary>Adds a condition on a field fixed at creation (ids, start time); <c>@</c> stands for the value.</summary>
    public SqlFilter WhenFixed(object? value, string type, string sql) => Add(_fixed, value, type, sql);

    /// <summary>Passes a value for use elsewhere in the statement and returns its placeholder.</summary>
    public string Bind(object value, string type)
    {
        var name = $"p{_next++}";
        Parameters.AddParameter(name, value);
        return $"{{{name}:{type}}}";
    }

    private SqlFilter Add(List<string> into, object? value, string type, string sql)
    {
        if (value is null or string { Length: 0 } or string[] { Length: 0 })
        {
            return this;
        }

        into.Add(sql.Replace("@", Bind(value, type), StringComparison.Ordinal));
        return this;
    }

    /// <summary>The latest live version of each matching row of <paramref name="table"/>, as a subquery.</summary>
    public string Latest(string table, IEnumerable<string> columns)
    {
        var list = string.Join(", ", columns);
        return $"(SELECT {list}, is_deleted FROM {table} WHERE {FixedWhere} ORDER BY event_ts DESC LIMIT 1 BY id, project_id)";
    }
}
