using System.Globalization;

namespace Storage.TraceStore.Chdb;

/// <summary>
/// A statement chDB refused or failed, with ClickHouse's error code parsed from its
/// <c>Code: N. DB::Exception: …</c> message, so it can be answered exactly as a ClickHouse server would.
/// </summary>
internal sealed class ChdbException : Exception
{
    public const int UnknownErrorCode = 1000; // ClickHouse's STD_EXCEPTION/POCO family: no specific code
    public const int NotImplemented = 48;
    public const int UnknownSetting = 115;

    public ChdbException(string message)
        : base(message)
    {
        Code = ParseCode(message) ?? UnknownErrorCode;
    }

    public ChdbException(int code, string description)
        : base($"Code: {code.ToString(CultureInfo.InvariantCulture)}. DB::Exception: {description}")
    {
        Code = code;
    }

    public int Code { get; }

    private static int? ParseCode(string message)
    {
        const string prefix = "Code: ";
        if (!message.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var digits = message.AsSpan(prefix.Length);
        var end = digits.IndexOfAnyExceptInRange('0', '9');
        return int.TryParse(end < 0 ? digits : digits[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : null;
    }
}
