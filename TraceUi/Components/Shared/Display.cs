using System.Globalization;

namespace TraceUi.Components.Shared;

/// <summary>How numbers and times read on every page: invariant culture, UTC, units spelled out.</summary>
public static class Display
{
    public static string Time(DateTime value) => value.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Cost(double value) => value switch
    {
        0 => "$0",
        < 0.01 => "$" + value.ToString("0.000000", CultureInfo.InvariantCulture),
        _ => "$" + value.ToString("#,0.0000", CultureInfo.InvariantCulture),
    };

    public static string Tokens(ulong value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Seconds(double? value) => value switch
    {
        null => "–",
        < 1 => (value.Value * 1000).ToString("0", CultureInfo.InvariantCulture) + " ms",
        _ => value.Value.ToString("0.00", CultureInfo.InvariantCulture) + " s",
    };

    public static string Percent(double value) => (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
