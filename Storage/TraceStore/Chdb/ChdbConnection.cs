using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Storage.TraceStore.Chdb;

/// <summary>
/// One chDB connection: runs one statement at a time and remembers the database and settings it was left
/// with, so a request only pays for a <c>USE</c> or <c>SET</c> when it asks for something different.
/// </summary>
internal sealed unsafe partial class ChdbConnection : IDisposable
{
    private static readonly byte[] DiscardStatement = "SELECT 1"u8.ToArray();
    private static readonly byte[] TextFormat = "TabSeparated"u8.ToArray();

    private readonly Dictionary<string, string> _settings = new(StringComparer.Ordinal);
    private nint* _connection;
    private string? _database;

    private ChdbConnection(nint* connection)
    {
        _connection = connection;
    }

    /// <summary>False once the connection's state is unknown (a failed USE or SET); the pool closes it.</summary>
    public bool IsReusable { get; private set; } = true;

    public static ChdbConnection Open(string dataPath)
    {
        var arguments = new[] { "clickhouse", $"--path={dataPath}" };
        var pointers = stackalloc nint[arguments.Length];
        try
        {
            for (var i = 0; i < arguments.Length; i++)
            {
                pointers[i] = Marshal.StringToCoTaskMemUTF8(arguments[i]);
            }

            var connection = ChdbNative.Connect(arguments.Length, (byte**)pointers);
            if (connection is null || *connection == nint.Zero)
            {
                throw new InvalidOperationException($"chDB could not open a connection to its data at {dataPath}.");
            }

            return new ChdbConnection(connection);
        }
        finally
        {
            for (var i = 0; i < arguments.Length; i++)
            {
                Marshal.FreeCoTaskMem(pointers[i]);
            }
        }
    }

    /// <summary>Switches to <paramref name="database"/> and exactly <paramref name="settings"/>, as a fresh HTTP request would see them.</summary>
    public void Prepare(string? database, IReadOnlyDictionary<string, string> settings)
    {
        if (!string.IsNullOrEmpty(database) && database != _database)
        {
            RunStateChange($"USE {QuoteIdentifier(database)}");
            _database = database;
        }

        var assignments = new List<string>();
        foreach (var (name, value) in settings)
        {
            if (!_settings.TryGetValue(name, out var current) || current != value)
            {
                assignments.Add($"{ValidSettingName(name)} = {QuoteString(value)}");
            }
        }

        foreach (var name in _settings.Keys)
        {
            if (!settings.ContainsKey(name))
            {
                assignments.Add($"{name} = DEFAULT");
            }
        }

        if (assignments.Count == 0)
        {
            return;
        }

        RunStateChange("SET " + string.Join(", ", assignments));
        _settings.Clear();
        foreach (var (name, value) in settings)
        {
            _settings[name] = value;
        }
    }

    public ChdbResult Query(ReadOnlySpan<byte> sql, ReadOnlySpan<byte> format, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        nint result;
        fixed (byte* query = sql)
        fixed (byte* outputFormat = format)
        {
            if (parameters.Count == 0)
            {
                result = ChdbNative.Query(Handle, query, (nuint)sql.Length, outputFormat, (nuint)format.Length);
            }
            else
            {
                using var block = new ChdbParameterBlock(parameters);
                result = ChdbNative.QueryWithParameters(
                    Handle, query, (nuint)sql.Length, outputFormat, (nuint)format.Length,
                    block.Names, block.NameLengths, block.Values, block.ValueLengths, block.Count);
            }
        }

        return Succeeded(result);
    }

    /// <summary>Starts a streaming INSERT: <paramref name="statement"/> without FORMAT, data in <paramref name="format"/> appended after.</summary>
    public ChdbInsert BeginInsert(ReadOnlySpan<byte> statement, ReadOnlySpan<byte> format, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        using var block = new ChdbParameterBlock(parameters);
        nint stream;
        fixed (byte* query = statement)
        fixed (byte* inputFormat = format)
        {
            stream = ChdbNative.StreamInsert(
                Handle, query, (nuint)statement.Length, inputFormat, (nuint)format.Length,
                block.Names, block.NameLengths, block.Values, block.ValueLengths, block.Count);
        }

        var error = ChdbNative.StreamInsertError(stream);
        if (error is not null)
        {
            var message = Marshal.PtrToStringUTF8((nint)error) ?? "chDB refused the INSERT";
            ChdbNative.DestroyInsertStream(stream);
            DiscardStaleOutput();
            throw new ChdbException(message);
        }

        return new ChdbInsert(this, stream);
    }

    /// <summary>
    /// Runs and drops <c>SELECT 1</c>. A statement that fails after it started producing output leaves that
    /// partial output behind, and chDB prepends it to the next result on the same connection: silent wrong
    /// data. The throw-away statement absorbs it, so it must follow every failed statement.
    /// </summary>
    internal void DiscardStaleOutput()
    {
        nint result;
        fixed (byte* query = DiscardStatement)
        fixed (byte* format = TextFormat)
        {
            result = ChdbNative.Query(Handle, query, (nuint)DiscardStatement.Length, format, (nuint)TextFormat.Length);
        }

        if (ChdbNative.ResultError(result) is not null)
        {
            IsReusable = false;
        }

        ChdbNative.DestroyResult(result);
    }

    /// <summary>The error of a failed result, which it destroys; null (and the result untouched) on success.</summary>
    internal static string? TakeError(nint result)
    {
        var error = ChdbNative.ResultError(result);
        if (error is null)
        {
            return null;
        }

        var message = Marshal.PtrToStringUTF8((nint)error) ?? "chDB reported an error without a message";
        ChdbNative.DestroyResult(result);
        return message;
    }

    private ChdbResult Succeeded(nint result)
    {
        var message = TakeError(result);
        if (message is null)
        {
            return new ChdbResult(result);
        }

        DiscardStaleOutput();
        throw new ChdbException(message);
    }

    public void Dispose()
    {
        if (_connection is not null)
        {
            ChdbNative.CloseConnection(_connection);
            _connection = null;
        }
    }

    private nint Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_connection is null, this);
            return *_connection;
        }
    }

    private void RunStateChange(string statement)
    {
        try
        {
            Query(Encoding.UTF8.GetBytes(statement), TextFormat, []).Dispose();
        }
        catch (ChdbException)
        {
            IsReusable = false;
            throw;
        }
    }

    private static string QuoteIdentifier(string name) =>
        "`" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "`";

    private static string QuoteString(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string ValidSettingName(string name) =>
        SettingName().IsMatch(name) ? name : throw new ChdbException(ChdbException.UnknownSetting, $"Unknown setting '{name}'");

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex SettingName();
}
