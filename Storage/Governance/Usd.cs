namespace Storage.Governance;

/// <summary>
/// Money in the counters: whole nano-dollars (1e-9 USD), so spend adds up exactly across replicas and a call to a
/// cheap model (a few millionths of a cent) still counts.
/// </summary>
public static class Usd
{
    public const long NanosPerDollar = 1_000_000_000;

    /// <summary>The largest budget the API accepts, in dollars: a billion, well inside the counters' range.</summary>
    public const double MaxDollars = 1_000_000_000;

    public static long ToNanos(double dollars) => (long)Math.Round(Math.Clamp(dollars, -MaxDollars * 4, MaxDollars * 4) * NanosPerDollar);

    public static double ToDollars(long nanos) => nanos / (double)NanosPerDollar;
}
